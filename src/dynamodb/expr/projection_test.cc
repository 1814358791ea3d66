#include "dynamodb/expr/projection.h"

#include <gtest/gtest.h>

#include "dynamodb/expr/key_condition.h"
#include "dynamodb/expr/test_support.h"

namespace sluice::dynamodb::expr {
namespace {

using testing::Error;
using testing::ItemOf;
using testing::Text;
using testing::Valid;

TEST(Projection, CopiesNestedPathsIntoANewItem) {
  Item item = ItemOf(R"({"a":{"N":"1"},"b":{"S":"x"},"m":{"M":{"k":{"S":"v"},"j":{"S":"w"}}},
                        "l":{"L":[{"N":"0"},{"N":"1"},{"M":{"x":{"N":"2"},"y":{"N":"3"}}},{"N":"3"}]}})");
  ExpressionSet set = Valid(
      R"({"ProjectionExpression": "a, m.k, l[3], l[2].y, l[9], nope, #r", "ExpressionAttributeNames": {"#r":"b"}})");
  EXPECT_EQ(Text(set.projection->Apply(item)),
            R"({"a":{"N":"1"},"b":{"S":"x"},"l":{"L":[{"M":{"y":{"N":"3"}}},{"N":"3"}]},"m":{"M":{"k":{"S":"v"}}}})");
}

TEST(Projection, AttributesToGetIsTopLevelNames) {
  Item item = ItemOf(R"({"a.b":{"N":"1"},"a":{"M":{"b":{"N":"2"}}}})");
  ExpressionSet set = Valid(R"({"AttributesToGet": ["a.b"]})");
  EXPECT_EQ(Text(set.projection->Apply(item)), R"({"a.b":{"N":"1"}})");
}

TEST(Projection, OverlappingPathsAreRefused) {
  EXPECT_EQ(Error(R"({"ProjectionExpression": "a, a.b"})"),
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: [a], path two: [a, b]");
}

KeyCondition Key(const std::string& expression, const std::string& values) {
  ExpressionSet set =
      Valid(R"({"KeyConditionExpression": ")" + expression + R"(", "ExpressionAttributeValues": )" + values + "}");
  EXPECT_TRUE(set.key_condition.has_value());
  return set.key_condition ? *set.key_condition : KeyCondition({});
}

TEST(KeyCondition, BindsHashEqualityAndOneRangeCondition) {
  KeyCondition k = Key("id = :h AND ts BETWEEN :a AND :b", R"({":h":{"S":"x"},":a":{"N":"1"},":b":{"N":"5"}})");
  auto q = k.Bind("id", "ts");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->hash_name, "id");
  EXPECT_EQ(q->hash_value, AttributeValue::String("x"));
  ASSERT_TRUE(q->range.has_value());
  EXPECT_EQ(q->range->op, KeyOperator::kBetween);
  EXPECT_TRUE(q->range->Matches(AttributeValue::Num(Number::FromInt(5))));
  EXPECT_FALSE(q->range->Matches(AttributeValue::Num(Number::FromInt(6))));

  // The value on the left flips the operator.
  q = Key(":a < ts AND id = :h", R"({":h":{"S":"x"},":a":{"N":"1"}})").Bind("id", "ts");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->range->op, KeyOperator::kGt);
  q = Key("begins_with(ts, :p) and id = :h", R"({":h":{"S":"x"},":p":{"S":"2024-"}})").Bind("id", "ts");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->range->op, KeyOperator::kBeginsWith);
  EXPECT_TRUE(q->range->Matches(AttributeValue::String("2024-05")));
  q = Key("id = :h", R"({":h":{"S":"x"}})").Bind("id", std::nullopt);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->range.has_value());
}

TEST(KeyCondition, SchemaViolationsHaveAwsMessages) {
  EXPECT_EQ(Key("ts = :h", R"({":h":{"S":"x"}})").Bind("id", "ts").status().message(),
            "Query condition missed key schema element: id");
  EXPECT_EQ(Key("id = :h AND extra = :h", R"({":h":{"S":"x"}})").Bind("id", "ts").status().message(),
            "Query condition missed key schema element: ts");
  EXPECT_EQ(Key("id > :h", R"({":h":{"S":"x"}})").Bind("id", "ts").status().message(),
            "Query key condition not supported");
  EXPECT_EQ(Key("id = :h AND ts = :h", R"({":h":{"S":"x"}})").Bind("id", std::nullopt).status().message(),
            "Query key condition not supported");
}

TEST(KeyCondition, OnlyAndOfKeyComparisonsParses) {
  const std::string v = R"(, "ExpressionAttributeValues": {":h":{"S":"x"}}})";
  EXPECT_EQ(Error(R"({"KeyConditionExpression": "id = :h OR id = :h")" + v),
            "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(Error(R"({"KeyConditionExpression": "id <> :h")" + v),
            "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(Error(R"j({"KeyConditionExpression": "attribute_exists(id)"})j"),
            "Invalid operator used in KeyConditionExpression: attribute_exists");
  EXPECT_EQ(Error(R"({"KeyConditionExpression": "id = :h AND id = :h")" + v),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(Error(R"({"KeyConditionExpression": "id.x = :h")" + v),
            "KeyConditionExpressions cannot have conditions on nested attributes");
  EXPECT_EQ(Error(R"({"KeyConditionExpression": "id = ts"})"),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
  EXPECT_EQ(Error(R"j({"KeyConditionExpression": "id IN (:h)")j" + v),
            "Invalid operator used in KeyConditionExpression: IN");
}

}  // namespace
}  // namespace sluice::dynamodb::expr
