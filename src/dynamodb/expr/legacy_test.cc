// The legacy parameters, first as the Kinesis Client Library sends them
// (DynamoDBLeaseRefresher / DynamoDBLeaseSerializer: Expected with a Value
// and no Exists, Exists false, AttributeUpdates PUT / ADD / DELETE without a
// value), then operator by operator.
#include "dynamodb/expr/legacy.h"

#include <gtest/gtest.h>

#include "dynamodb/expr/test_support.h"

namespace sluice::dynamodb::expr {
namespace {

using testing::Error;
using testing::ItemOf;
using testing::Text;
using testing::Valid;

const char kLease[] = R"({
  "leaseKey": {"S": "shardId-000000000001"}, "leaseOwner": {"S": "worker-a"},
  "leaseCounter": {"N": "5"}, "ownerSwitchesSinceCheckpoint": {"N": "0"},
  "checkpoint": {"S": "TRIM_HORIZON"}, "checkpointSubSequenceNumber": {"N": "0"},
  "pendingCheckpoint": {"S": "49590338271490256608559692538361571095921575989136588898"},
  "pendingCheckpointSubSequenceNumber": {"N": "0"}
})";

// Runs the request's condition and update on `item` the way UpdateItem does:
// "conditional check failed" when the condition does not hold.
std::string ConditionalUpdate(const std::string& request, Item& item) {
  ExpressionSet set = Valid(request);
  if (set.condition && !set.condition->Matches(&item)) return "conditional check failed";
  if (set.update) {
    Status st = set.update->Apply(item);
    if (!st.ok()) return st.message();
  }
  return "ok";
}

TEST(LegacyKcl, CreateLeaseIfNotExists) {
  ExpressionSet set = Valid(R"({"TableName": "app", "Item": {"leaseKey": {"S": "shardId-000000000001"}},
                                 "Expected": {"leaseKey": {"Exists": false}}})");
  ASSERT_TRUE(set.condition.has_value());
  EXPECT_TRUE(set.condition->Matches(nullptr));
  Item existing = ItemOf(kLease);
  EXPECT_FALSE(set.condition->Matches(&existing));
}

TEST(LegacyKcl, RenewLeaseFencesOnLeaseCounter) {
  const std::string renew = R"({"TableName": "app", "Key": {"leaseKey": {"S": "shardId-000000000001"}},
      "Expected": {"leaseCounter": {"Value": {"N": "5"}}, "checkpointOwner": {"Exists": false}},
      "AttributeUpdates": {"leaseCounter": {"Value": {"N": "6"}, "Action": "PUT"}},
      "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})";
  Item item = ItemOf(kLease);
  EXPECT_EQ(ConditionalUpdate(renew, item), "ok");
  EXPECT_EQ(item["leaseCounter"], AttributeValue::Num(Number::FromInt(6)));
  // A second renewal with the stale counter loses.
  EXPECT_EQ(ConditionalUpdate(renew, item), "conditional check failed");
  // So does one while a graceful hand-off is under way.
  Item handing_off = ItemOf(kLease);
  handing_off["checkpointOwner"] = AttributeValue::String("worker-a");
  EXPECT_EQ(ConditionalUpdate(renew, handing_off), "conditional check failed");
}

TEST(LegacyKcl, TakeLease) {
  const std::string take = R"({"TableName": "app", "Key": {"leaseKey": {"S": "shardId-000000000001"}},
      "Expected": {"leaseCounter": {"Value": {"N": "5"}}},
      "AttributeUpdates": {
        "leaseOwner": {"Value": {"S": "worker-b"}, "Action": "PUT"},
        "ownerSwitchesSinceCheckpoint": {"Value": {"N": "1"}, "Action": "ADD"},
        "checkpointOwner": {"Action": "DELETE"},
        "leaseCounter": {"Value": {"N": "6"}, "Action": "PUT"}}})";
  Item item = ItemOf(kLease);
  item["checkpointOwner"] = AttributeValue::String("worker-a");
  EXPECT_EQ(ConditionalUpdate(take, item), "ok");
  EXPECT_EQ(item["leaseOwner"], AttributeValue::String("worker-b"));
  EXPECT_EQ(item["ownerSwitchesSinceCheckpoint"], AttributeValue::Num(Number::FromInt(1)));
  EXPECT_EQ(item["leaseCounter"], AttributeValue::Num(Number::FromInt(6)));
  EXPECT_EQ(item.count("checkpointOwner"), 0u);
}

TEST(LegacyKcl, EvictLease) {
  const std::string evict = R"({"TableName": "app", "Key": {"leaseKey": {"S": "shardId-000000000001"}},
      "Expected": {"leaseOwner": {"Value": {"S": "worker-a"}}, "checkpointOwner": {"Exists": false},
                   "leaseKey": {"Value": {"S": "shardId-000000000001"}, "Exists": true}},
      "AttributeUpdates": {"leaseOwner": {"Action": "DELETE"}, "checkpointOwner": {"Action": "DELETE"},
                           "leaseCounter": {"Value": {"N": "1"}, "Action": "ADD"}}})";
  Item item = ItemOf(kLease);
  EXPECT_EQ(ConditionalUpdate(evict, item), "ok");
  EXPECT_EQ(item.count("leaseOwner"), 0u);
  EXPECT_EQ(item["leaseCounter"], AttributeValue::Num(Number::FromInt(6)));
  // The owner is gone now: evicting again fails the owner expectation.
  EXPECT_EQ(ConditionalUpdate(evict, item), "conditional check failed");
}

TEST(LegacyKcl, AssignLeaseToAFreeLease) {
  const std::string assign = R"({"TableName": "app", "Key": {"leaseKey": {"S": "shardId-000000000001"}},
      "Expected": {"leaseOwner": {"Exists": false}, "checkpointOwner": {"Exists": false},
                   "leaseKey": {"Value": {"S": "shardId-000000000001"}, "Exists": true}},
      "AttributeUpdates": {"leaseOwner": {"Value": {"S": "worker-c"}, "Action": "PUT"},
                           "checkpointOwner": {"Action": "DELETE"},
                           "leaseCounter": {"Value": {"N": "1"}, "Action": "ADD"}},
      "ReturnValues": "ALL_NEW"})";
  Item item = ItemOf(kLease);
  EXPECT_EQ(ConditionalUpdate(assign, item), "conditional check failed");  // still owned by worker-a
  item.erase("leaseOwner");
  EXPECT_EQ(ConditionalUpdate(assign, item), "ok");
  EXPECT_EQ(item["leaseOwner"], AttributeValue::String("worker-c"));
  EXPECT_EQ(item["leaseCounter"], AttributeValue::Num(Number::FromInt(6)));
  // Without an item the key expectation fails: assignLease never creates.
  ExpressionSet set = Valid(assign);
  EXPECT_FALSE(set.condition->Matches(nullptr));
}

TEST(LegacyKcl, UpdateLeaseCheckpoint) {
  const std::string update = R"({"TableName": "app", "Key": {"leaseKey": {"S": "shardId-000000000001"}},
      "Expected": {"leaseCounter": {"Value": {"N": "5"}}},
      "AttributeUpdates": {
        "checkpoint": {"Value": {"S": "49590338271490256608559692538361571095921575989136588898"}, "Action": "PUT"},
        "checkpointSubSequenceNumber": {"Value": {"N": "0"}, "Action": "PUT"},
        "ownerSwitchesSinceCheckpoint": {"Value": {"N": "0"}, "Action": "PUT"},
        "pendingCheckpoint": {"Action": "DELETE"},
        "pendingCheckpointSubSequenceNumber": {"Action": "DELETE"},
        "childShardIds": {"Value": {"SS": ["shardId-000000000003", "shardId-000000000002"]}, "Action": "PUT"}}})";
  Item item = ItemOf(kLease);
  EXPECT_EQ(ConditionalUpdate(update, item), "ok");
  EXPECT_EQ(item["checkpoint"], AttributeValue::String("49590338271490256608559692538361571095921575989136588898"));
  EXPECT_EQ(item.count("pendingCheckpoint"), 0u);
  EXPECT_EQ(item.count("pendingCheckpointSubSequenceNumber"), 0u);
  EXPECT_EQ(item["childShardIds"], AttributeValue::StringSet({"shardId-000000000002", "shardId-000000000003"}));
  item["leaseCounter"] = AttributeValue::Num(Number::FromInt(7));
  EXPECT_EQ(ConditionalUpdate(update, item), "conditional check failed");
}

bool Matches(const std::string& expected, const std::string& item_json, const std::string& op = "") {
  std::string request =
      R"({"Expected": )" + expected + (op.empty() ? "" : R"(, "ConditionalOperator": ")" + op + "\"") + "}";
  ExpressionSet set = Valid(request);
  Item item = ItemOf(item_json);
  return set.condition && set.condition->Matches(&item);
}

TEST(LegacyExpected, EveryComparisonOperator) {
  const std::string item = R"({"n": {"N": "5"}, "s": {"S": "hello"}, "ss": {"SS": ["a", "b"]}})";
  auto cmp = [&](const std::string& name, const std::string& op, const std::string& values) {
    return Matches(
        R"({")" + name + R"(": {"ComparisonOperator": ")" + op + R"(", "AttributeValueList": )" + values + "}}", item);
  };
  EXPECT_TRUE(cmp("n", "EQ", R"([{"N": "5.0"}])"));
  EXPECT_FALSE(cmp("n", "EQ", R"([{"S": "5"}])"));
  EXPECT_TRUE(cmp("n", "NE", R"([{"N": "6"}])"));
  EXPECT_TRUE(cmp("missing", "NE", R"([{"N": "6"}])"));
  EXPECT_TRUE(cmp("n", "LE", R"([{"N": "5"}])"));
  EXPECT_FALSE(cmp("n", "LT", R"([{"N": "5"}])"));
  EXPECT_TRUE(cmp("n", "GE", R"([{"N": "5"}])"));
  EXPECT_TRUE(cmp("s", "GT", R"([{"S": "a"}])"));
  EXPECT_TRUE(cmp("n", "NOT_NULL", "[]"));
  EXPECT_TRUE(cmp("missing", "NULL", "[]"));
  EXPECT_TRUE(cmp("s", "CONTAINS", R"([{"S": "ell"}])"));
  EXPECT_TRUE(cmp("ss", "CONTAINS", R"([{"S": "b"}])"));
  EXPECT_TRUE(cmp("ss", "NOT_CONTAINS", R"([{"S": "c"}])"));
  EXPECT_TRUE(cmp("missing", "NOT_CONTAINS", R"([{"S": "c"}])"));
  EXPECT_TRUE(cmp("s", "BEGINS_WITH", R"([{"S": "he"}])"));
  EXPECT_TRUE(cmp("n", "IN", R"([{"N": "1"}, {"N": "5"}])"));
  EXPECT_TRUE(cmp("n", "BETWEEN", R"([{"N": "5"}, {"N": "6"}])"));
  EXPECT_FALSE(cmp("n", "BETWEEN", R"([{"N": "6"}, {"N": "7"}])"));
  EXPECT_TRUE(cmp("ss", "EQ", R"([{"SS": ["b", "a"]}])"));
}

TEST(LegacyExpected, ConditionalOperatorJoinsEntries) {
  const std::string item = R"({"n": {"N": "5"}})";
  const std::string expected = R"({"n": {"Value": {"N": "6"}}, "m": {"Exists": false}})";
  EXPECT_FALSE(Matches(expected, item));
  EXPECT_FALSE(Matches(expected, item, "AND"));
  EXPECT_TRUE(Matches(expected, item, "OR"));
}

TEST(LegacyExpected, ValidationMessages) {
  const std::string p = "One or more parameter values were invalid: ";
  EXPECT_EQ(Error(R"({"Expected": {"a": {}}})"), p + "Value must be provided when Exists is null for Attribute: a");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"Exists": true}}})"),
            p + "Value must be provided when Exists is true for Attribute: a");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"Exists": false, "Value": {"S": "x"}}}})"),
            p + "Value cannot be used when Exists is false for Attribute: a");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"Exists": true, "ComparisonOperator": "EQ", "Value": {"S": "x"}}}})"),
            p + "Exists and ComparisonOperator cannot be used together for Attribute: a");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"ComparisonOperator": "EQ"}}})"),
            p + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}})"),
            p + "Invalid number of argument(s) for the BETWEEN ComparisonOperator");
  EXPECT_EQ(
      Error(R"({"Expected": {"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "1"}]}}})"),
      p + "AttributeValues inside AttributeValueList must be of same type");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"ComparisonOperator": "GT", "AttributeValueList": [{"SS": ["x"]}]}}})"),
            p + "ComparisonOperator GT is not valid for SS AttributeValue type");
  EXPECT_EQ(
      Error(
          R"({"Expected": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "1"}]}}})"),
      "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"AttributeValueList": [{"N": "2"}]}}})"),
            p + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a");
}

TEST(LegacyAttributeUpdates, ActionsAndTheirMessages) {
  const std::string p = "One or more parameter values were invalid: ";
  Item item = ItemOf(R"({"l": {"L": [{"N": "1"}]}, "s": {"SS": ["a", "b"]}})");
  EXPECT_EQ(ConditionalUpdate(R"({"AttributeUpdates": {"l": {"Value": {"L": [{"N": "2"}]}, "Action": "ADD"},
                                          "s": {"Value": {"SS": ["a"]}, "Action": "DELETE"},
                                          "p": {"Value": {"S": "x"}}}})",
                              item),
            "ok");
  EXPECT_EQ(Text(item), R"({"l":{"L":[{"N":"1"},{"N":"2"}]},"p":{"S":"x"},"s":{"SS":["b"]}})");
  EXPECT_EQ(Error(R"({"AttributeUpdates": {"a": {"Action": "PUT"}}})"),
            p + "Only DELETE action is allowed when no attribute value is specified");
  EXPECT_EQ(Error(R"({"AttributeUpdates": {"a": {"Action": "DELETE", "Value": {"S": "x"}}}})"),
            p + "DELETE action with value is not supported for the type S");
  EXPECT_EQ(Error(R"({"AttributeUpdates": {"a": {"Action": "ADD", "Value": {"S": "x"}}}})"),
            p + "ADD action is not supported for the type S");
}

TEST(LegacyQuery, KeyConditionsAndQueryFilter) {
  ExpressionSet set = Valid(R"({"KeyConditions": {
        "leaseOwner": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "worker-a"}]},
        "leaseKey": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "shardId-"}]}},
      "QueryFilter": {"entityType": {"ComparisonOperator": "NULL"}}})");
  ASSERT_TRUE(set.key_condition.has_value());
  auto q = set.key_condition->Bind("leaseOwner", "leaseKey");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->hash_value, AttributeValue::String("worker-a"));
  EXPECT_EQ(q->range->op, KeyOperator::kBeginsWith);
  Item lease = ItemOf(kLease);
  EXPECT_TRUE(set.filter->Matches(&lease));
  EXPECT_EQ(Error(R"({"KeyConditions": {"k": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "x"}]}}})"),
            "Attempted conditional constraint is not an indexable operation");
}

TEST(LegacyScan, ScanFilterWithOr) {
  ExpressionSet set = Valid(R"({"ScanFilter": {
        "entityType": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "LEASE"}]},
        "leaseOwner": {"ComparisonOperator": "NULL"}}, "ConditionalOperator": "OR"})");
  Item lease = ItemOf(kLease);
  EXPECT_FALSE(set.filter->Matches(&lease));
  lease.erase("leaseOwner");
  EXPECT_TRUE(set.filter->Matches(&lease));
}

}  // namespace
}  // namespace sluice::dynamodb::expr
