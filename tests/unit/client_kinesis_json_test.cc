// Kinesis request bodies and response parsing (src/client/kinesis_json.h).
#include <gtest/gtest.h>

#include "client/kinesis_json.h"

namespace sluice::client::kinesis {
namespace {

TEST(ClientKinesisJson, RequestBodies) {
  CreateStreamRequest create;
  create.stream_name = "s";
  create.shard_count = 2;
  EXPECT_EQ(json::Serialize(create), R"({"StreamName":"s","ShardCount":2})");
  create.shard_count.reset();
  create.stream_mode = "ON_DEMAND";
  create.tags = {{"team", "data"}};
  EXPECT_EQ(json::Serialize(create),
            R"({"StreamName":"s","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"Tags":{"team":"data"}})");

  PutRecordsRequest put;
  put.stream = StreamId::Arn("arn:aws:kinesis:eu-west-1:1:stream/s");
  put.records.push_back({std::string("\x00\x01\xff", 3), "k\"1", std::nullopt});
  put.records.push_back({"x", "k2", std::string("123")});
  EXPECT_EQ(json::Serialize(put),
            R"({"StreamARN":"arn:aws:kinesis:eu-west-1:1:stream/s","Records":[{"Data":"AAH/","PartitionKey":"k\"1"},)"
            R"({"Data":"eA==","PartitionKey":"k2","ExplicitHashKey":"123"}]})");

  GetShardIteratorRequest it;
  it.stream = StreamId::Name("s");
  it.shard_id = "shardId-000000000000";
  it.type = ShardIteratorType::kAtTimestamp;
  it.timestamp_ms = 1700000000123;
  EXPECT_EQ(
      json::Serialize(it),
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1700000000.123})");
  it.type = ShardIteratorType::kAfterSequenceNumber;
  it.timestamp_ms.reset();
  it.starting_sequence_number = "4959";
  EXPECT_EQ(
      json::Serialize(it),
      R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"4959"})");

  GetRecordsRequest gr;
  gr.shard_iterator = "AAA";
  gr.limit = 10;
  EXPECT_EQ(json::Serialize(gr), R"({"ShardIterator":"AAA","Limit":10})");
}

TEST(ClientKinesisJson, ListShardsSendsOnlyTokenWhenPaging) {
  ListShardsRequest r;
  r.stream = StreamId::Name("s");
  r.max_results = 5;
  r.shard_filter = ShardFilter{"AT_TIMESTAMP", std::nullopt, 1700000000000};
  EXPECT_EQ(json::Serialize(r),
            R"({"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1700000000},"MaxResults":5})");
  r.next_token = "tok";
  EXPECT_EQ(json::Serialize(r), R"({"NextToken":"tok","MaxResults":5})");
}

TEST(ClientKinesisJson, ParseGetRecords) {
  auto r = json::ParseGetRecords(R"({
    "Records": [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": 1.700000000123E9,
                 "Data": "AAH/", "PartitionKey": "k", "EncryptionType": "NONE"}],
    "NextShardIterator": "next", "MillisBehindLatest": 42,
    "ChildShards": [{"ShardId": "shardId-000000000002", "ParentShards": ["shardId-000000000000"],
                     "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "9"}}]})");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].data, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(r->records[0].approximate_arrival_timestamp_ms, 1700000000123);
  EXPECT_EQ(r->next_shard_iterator, "next");
  EXPECT_EQ(r->millis_behind_latest, 42);
  ASSERT_EQ(r->child_shards.size(), 1u);
  EXPECT_EQ(r->child_shards[0].parent_shards[0], "shardId-000000000000");
  EXPECT_EQ(r->child_shards[0].hash_key_range.ending_hash_key, "9");

  auto closed = json::ParseGetRecords(R"({"Records": [], "NextShardIterator": null})");
  ASSERT_TRUE(closed.ok());
  EXPECT_FALSE(closed->next_shard_iterator.has_value());
  EXPECT_FALSE(closed->millis_behind_latest.has_value());
}

TEST(ClientKinesisJson, ParsePutRecordsPerEntry) {
  auto r = json::ParsePutRecords(R"({"FailedRecordCount": 1, "Records": [
      {"SequenceNumber": "1", "ShardId": "shardId-000000000000"},
      {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}]})");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->failed_record_count, 1);
  EXPECT_TRUE(r->records[0].ok());
  EXPECT_FALSE(r->records[1].ok());
  EXPECT_EQ(r->records[1].error_code, "ProvisionedThroughputExceededException");
}

TEST(ClientKinesisJson, ParseListShardsAndSummary) {
  auto shards = json::ParseListShards(R"({"Shards": [{"ShardId": "shardId-000000000001",
      "ParentShardId": "shardId-000000000000",
      "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "340282366920938463463374607431768211455"},
      "SequenceNumberRange": {"StartingSequenceNumber": "49", "EndingSequenceNumber": "50"}}], "NextToken": "t"})");
  ASSERT_TRUE(shards.ok()) << shards.error().ToString();
  EXPECT_EQ(shards->shards[0].parent_shard_id, "shardId-000000000000");
  EXPECT_FALSE(shards->shards[0].adjacent_parent_shard_id.has_value());
  EXPECT_EQ(shards->shards[0].sequence_number_range.ending_sequence_number, "50");
  EXPECT_EQ(shards->next_token, "t");

  auto summary = json::ParseDescribeStreamSummary(R"({"StreamDescriptionSummary": {
      "StreamName": "s", "StreamARN": "arn", "StreamStatus": "ACTIVE",
      "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "RetentionPeriodHours": 24,
      "StreamCreationTimestamp": 1700000000.5, "EnhancedMonitoring": [], "EncryptionType": "NONE",
      "OpenShardCount": 2, "ConsumerCount": 0}})");
  ASSERT_TRUE(summary.ok()) << summary.error().ToString();
  EXPECT_EQ(summary->stream_status, "ACTIVE");
  EXPECT_EQ(summary->stream_mode, "PROVISIONED");
  EXPECT_EQ(summary->stream_creation_timestamp_ms, 1700000000500);
  EXPECT_EQ(summary->open_shard_count, 2);
}

TEST(ClientKinesisJson, MalformedResponsesAreErrorValues) {
  for (const char* body : {"", "{", "[]", "null", "{\"Records\": 5}", "{\"Records\": [{\"Data\": \"!!\"}]}",
                           "{\"Records\": [{\"SequenceNumber\": 1}]}", "{\"Records\": [7]}", "\xff\xfe"}) {
    auto r = json::ParseGetRecords(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::kMalformedResponse) << body;
  }
  EXPECT_FALSE(json::ParsePutRecord(R"({"ShardId": "s"})").ok());
  EXPECT_FALSE(json::ParseDescribeStreamSummary(R"({"StreamDescriptionSummary": "x"})").ok());
  EXPECT_FALSE(json::ParseGetShardIterator(R"({"ShardIterator": {}})").ok());
  EXPECT_TRUE(json::ParseEmpty("").ok());
  EXPECT_TRUE(json::ParseEmpty("{}").ok());
  EXPECT_FALSE(json::ParseEmpty("<html>").ok());
}

}  // namespace
}  // namespace sluice::client::kinesis
