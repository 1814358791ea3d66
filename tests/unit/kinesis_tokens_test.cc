#include <gtest/gtest.h>

#include "kinesis/stream.h"
#include "kinesis/tokens.h"

namespace sluice::kinesis {
namespace {

const std::string kKey(32, 'k');

TEST(ShardIteratorToken, RoundTrips) {
  IteratorPosition p{"eu-west-1", std::string(128, 'n'), 1700000000123, 42, 987654321, 1700000005000};
  std::string t = EncodeShardIterator(p, kKey);
  EXPECT_LE(t.size(), 512u);  // the model's ShardIterator max length
  auto back = DecodeShardIterator(t, kKey);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->region, p.region);
  EXPECT_EQ(back->stream_name, p.stream_name);
  EXPECT_EQ(back->stream_created_ms, p.stream_created_ms);
  EXPECT_EQ(back->shard_index, 42u);
  EXPECT_EQ(back->offset, 987654321u);
  EXPECT_EQ(back->issued_ms, p.issued_ms);
}

TEST(ShardIteratorToken, TamperingIsDetected) {
  std::string t = EncodeShardIterator({"us-east-1", "s", 1, 0, 5, 2}, kKey);
  for (size_t i = 0; i < t.size(); i += 3) {
    std::string bad = t;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodeShardIterator(bad, kKey).ok()) << i;
  }
  EXPECT_FALSE(DecodeShardIterator(t, std::string(32, 'x')).ok());
  EXPECT_FALSE(DecodeShardIterator("", kKey).ok());
  EXPECT_FALSE(DecodeShardIterator("not base64 !!", kKey).ok());
}

TEST(PageToken, RoundTripsAndIsNotAnIterator) {
  PageToken p{kListShardsPage, "stream", 5, "shardId-000000000003", 77};
  std::string t = EncodePageToken(p, kKey);
  auto back = DecodePageToken(t, kKey);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->after, "shardId-000000000003");
  EXPECT_EQ(back->stream_name, "stream");
  EXPECT_FALSE(DecodeShardIterator(t, kKey).ok());
}

TEST(StreamMeta, SerializationRoundTrips) {
  StreamMeta m;
  m.region = "us-east-1";
  m.account = "000000000000";
  m.name = "orders";
  m.created_ms = 1700000000000;
  m.status = StreamStatus::kUpdating;
  m.retention_hours = 48;
  m.max_record_size_kib = 2048;
  m.tags = {{"team", "data"}, {"env", "dev"}};
  ShardMeta a;
  a.index = 0;
  a.range = {0, model::kMaxHashKey};
  a.closed_ms = 1700000001000;
  a.ending_offset = 10;
  ShardMeta b;
  b.index = 1;
  b.range = {5, 6};
  b.parent = 0;
  m.shards = {a, b};
  auto back = ParseStreamMeta(SerializeStreamMeta(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, "orders");
  EXPECT_EQ(back->status, StreamStatus::kUpdating);
  EXPECT_EQ(back->retention_hours, 48);
  EXPECT_EQ(back->max_record_size_kib, 2048);
  EXPECT_EQ(back->tags, m.tags);
  ASSERT_EQ(back->shards.size(), 2u);
  EXPECT_EQ(back->shards[0].range.end, model::kMaxHashKey);
  EXPECT_EQ(back->shards[0].ending_offset, 10u);
  EXPECT_EQ(back->shards[1].parent, 0u);
  EXPECT_TRUE(back->shards[1].open());
  EXPECT_FALSE(back->shards[0].open());
  EXPECT_FALSE(ParseStreamMeta("{}").ok());
  EXPECT_FALSE(ParseStreamMeta("not json").ok());
}

TEST(ShardId, FormatAndParse) {
  EXPECT_EQ(ShardIdFromIndex(7), "shardId-000000000007");
  EXPECT_EQ(ShardIdFromIndex(0), "shardId-000000000000");
  EXPECT_EQ(ShardIdFromIndex(4294967295u), "shardId-004294967295");
  EXPECT_EQ(ShardIndexFromId("shardId-000000000007"), 7u);
  EXPECT_FALSE(ShardIndexFromId("shardId-7").has_value());
  EXPECT_FALSE(ShardIndexFromId("shard-000000000007").has_value());
}

}  // namespace
}  // namespace sluice::kinesis
