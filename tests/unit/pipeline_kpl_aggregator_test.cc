// KplAggregator (include/sluice/pipeline/kpl_aggregator.h).
#include "sluice/pipeline/kpl_aggregator.h"

#include <gtest/gtest.h>

#include "codec/kpl_aggregation.h"
#include "model/hash_key.h"

namespace sluice::pipeline {
namespace {

std::vector<ShardRange> EvenShards(int n) {
  std::vector<ShardRange> out;
  auto ranges = model::EvenHashKeyRanges(n);
  for (int i = 0; i < n; ++i)
    out.push_back({"shardId-" + std::to_string(i), model::HashKeyToDecimal(ranges[i].start),
                   model::HashKeyToDecimal(ranges[i].end)});
  return out;
}

size_t ShardOf(const std::string& partition_key, int n) {
  auto ranges = model::EvenHashKeyRanges(n);
  auto h = model::HashKeyFromPartitionKey(partition_key);
  for (size_t i = 0; i < ranges.size(); ++i)
    if (ranges[i].Contains(h)) return i;
  return ranges.size();
}

Record Rec(std::string key, std::string data) {
  Record r;
  r.partition_key = std::move(key);
  r.data = std::move(data);
  return r;
}

std::vector<codec::UserRecord> Users(const Record& aggregated) {
  auto users = codec::Deaggregate(aggregated.data);
  EXPECT_TRUE(users.ok());
  EXPECT_TRUE(users.ok() && users->has_value());
  return users.ok() && *users ? **users : std::vector<codec::UserRecord>{};
}

TEST(KplAggregator, GroupsRecordsByShardAndRoutesEachGroupToItsShard) {
  ManualClock clock(1000);
  KplAggregator agg({}, EvenShards(4), &clock);
  std::vector<Record> out;
  std::vector<std::vector<std::string>> want(4);
  for (int i = 0; i < 200; ++i) {
    std::string key = "user-" + std::to_string(i % 37);
    std::string data = "{\"n\":" + std::to_string(i) + "}";
    want[ShardOf(key, 4)].push_back(data);
    agg.Add(Rec(key, data), &out);
  }
  EXPECT_TRUE(out.empty());  // all small, none lingered
  agg.Flush(&out);
  ASSERT_EQ(out.size(), 4u);
  for (const Record& a : out) {
    auto ehk = model::ParseHashKey(a.explicit_hash_key);
    ASSERT_TRUE(ehk);
    size_t shard = 4;
    auto ranges = model::EvenHashKeyRanges(4);
    for (size_t i = 0; i < 4; ++i)
      if (ranges[i].Contains(*ehk)) shard = i;
    ASSERT_LT(shard, 4u);
    auto users = Users(a);
    EXPECT_EQ(a.user_records, users.size());
    std::vector<std::string> got;
    for (const auto& u : users) {
      EXPECT_EQ(ShardOf(u.partition_key, 4), shard) << u.partition_key;
      got.push_back(u.data);
    }
    EXPECT_EQ(got, want[shard]);  // every record of the shard, in order
    EXPECT_EQ(a.partition_key, users.front().partition_key);
  }
}

TEST(KplAggregator, NeverExceedsMaxBytesAndFillsCloseToIt) {
  ManualClock clock(0);
  KplAggregatorOptions options;
  options.max_bytes = 10'000;
  KplAggregator agg(options, {}, &clock);
  std::vector<Record> out;
  for (int i = 0; i < 500; ++i) agg.Add(Rec("k" + std::to_string(i % 50), std::string(300, 'a' + i % 26)), &out);
  agg.Flush(&out);
  size_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_LE(out[i].data.size(), options.max_bytes);
    if (i + 1 < out.size()) EXPECT_GT(out[i].data.size(), options.max_bytes - 400);  // the next one did not fit
    total += Users(out[i]).size();
  }
  EXPECT_EQ(total, 500u);
}

TEST(KplAggregator, LingerEmitsAGroupAndLargeRecordsPassThroughInOrder) {
  ManualClock clock(0);
  KplAggregatorOptions options;
  options.max_bytes = 1000;
  options.linger_ms = 50;
  KplAggregator agg(options, {}, &clock);
  std::vector<Record> out;
  agg.Add(Rec("k", "small-1"), &out);
  EXPECT_EQ(agg.NextDeadlineMs(), 50);
  clock.Advance(49);
  agg.Poll(&out);
  EXPECT_TRUE(out.empty());
  clock.Advance(1);
  agg.Poll(&out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Users(out[0]).size(), 1u);

  out.clear();
  agg.Add(Rec("k", "small-2"), &out);
  agg.Add(Rec("k", std::string(2000, 'L')), &out);  // too large to aggregate
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(Users(out[0])[0].data, "small-2");  // what was buffered goes first
  EXPECT_EQ(out[1].data, std::string(2000, 'L'));
  EXPECT_FALSE(codec::LooksAggregated(out[1].data));
  EXPECT_EQ(out[1].user_records, 1u);
  EXPECT_FALSE(agg.NextDeadlineMs());
}

}  // namespace
}  // namespace sluice::pipeline
