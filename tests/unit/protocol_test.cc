#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <regex>
#include <set>

#include "protocol/json_reply.h"
#include "protocol/service_model.h"
#include "protocol/sigv4_scope.h"
#include "protocol/validator.h"

namespace sluice::protocol {
namespace {

ApiStatus Validate(const char* op, const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  EXPECT_FALSE(d.HasParseError()) << json;
  const Shape* shape = ServiceModel::Kinesis().InputShape(op);
  EXPECT_NE(shape, nullptr);
  return ValidateRequest(*shape, d);
}

TEST(ServiceModel, KnowsEveryKinesisOperation) {
  const auto& m = ServiceModel::Kinesis();
  EXPECT_EQ(m.target_prefix(), "Kinesis_20131202");
  EXPECT_EQ(m.OperationNames().size(), 39u);
  EXPECT_EQ(m.InputShape("Nope"), nullptr);
  EXPECT_NE(ServiceModel::Firehose().InputShape("PutRecordBatch"), nullptr);
}

TEST(Validator, AcceptsAValidRequest) {
  EXPECT_TRUE(Validate("CreateStream", R"({"StreamName":"a-b.c_1","ShardCount":2})").ok());
}

TEST(Validator, MissingRequiredMemberIsAValidationError) {
  auto f = Validate("CreateStream", R"({"ShardCount":1})");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().type, "ValidationException");
  EXPECT_EQ(f.error().message,
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Validator, ReportsEveryViolationWithAwsWording) {
  auto f = Validate("CreateStream", R"({"StreamName":"bad name!","ShardCount":0})");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message,
            "2 validation errors detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '0' at 'shardCount' failed "
            "to satisfy constraint: Member must have value greater than or equal to 1");
}

TEST(Validator, NestedListMembersHaveIndexedPaths) {
  auto f = Validate("PutRecords", R"({"StreamName":"s","Records":[{"Data":"AA==","PartitionKey":""}]})");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("at 'records.1.member.partitionKey'"), std::string::npos) << f.error().message;
}

TEST(Validator, EnumViolation) {
  auto f =
      Validate("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"X"})");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, "
                                   "TRIM_HORIZON, LATEST, AT_TIMESTAMP]"),
            std::string::npos)
      << f.error().message;
}

TEST(Validator, WrongJsonTypeIsASerializationError) {
  auto f = Validate("CreateStream", R"({"StreamName":"s","ShardCount":"2"})");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().type, "SerializationException");
  auto g = Validate("CreateStream", R"({"StreamName":{"a":1}})");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().type, "SerializationException");
  rapidjson::Document arr;
  arr.Parse("[1]");
  auto h = ValidateRequest(*ServiceModel::Kinesis().InputShape("ListStreams"), arr);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().type, "SerializationException");
}

TEST(Validator, ListLengthLimit) {
  std::string recs;
  for (int i = 0; i < 501; ++i) recs += std::string(i ? "," : "") + R"({"Data":"","PartitionKey":"k"})";
  auto f = Validate("PutRecords", (R"({"StreamName":"s","Records":[)" + recs + "]}").c_str());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("Member must have length less than or equal to 500"), std::string::npos);
}

TEST(Validator, Base64DecodedLength) {
  EXPECT_EQ(Base64DecodedLength(""), 0u);
  EXPECT_EQ(Base64DecodedLength("Zg=="), 1u);
  EXPECT_EQ(Base64DecodedLength("Zm8="), 2u);
  EXPECT_EQ(Base64DecodedLength("Zm9v"), 3u);
}

TEST(RequestId, IsAVersion4UuidAndUniqueEnough) {
  std::regex uuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = protocol::NewRequestId();
    EXPECT_TRUE(std::regex_match(id, uuid4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(CredentialScope, ParsesAuthorizationHeader) {
  auto s = ParseAuthorizationScope(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/kinesis/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(s->region, "eu-west-1");
  EXPECT_EQ(s->service, "kinesis");
  EXPECT_FALSE(ParseAuthorizationScope("Basic abc").has_value());
  EXPECT_FALSE(ParseCredential("AK/2015/us-east-1/kinesis").has_value());
}

}  // namespace
}  // namespace sluice::protocol
