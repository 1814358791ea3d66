#include <gtest/gtest.h>

#include <set>

#include "sluice/pipeline/batcher.h"

namespace sluice::pipeline {
namespace {

Record Rec(uint64_t id, size_t data_bytes, std::string key = "") {
  Record r;
  r.id = id;
  r.partition_key = key.empty() ? std::string("k") + std::to_string(id % 7) : std::move(key);
  r.data.assign(data_bytes, 'd');
  return r;
}

Batcher Make(BatcherOptions o, const Clock* clock) {
  auto b = Batcher::Create(o, clock);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return std::move(b).value();
}

std::vector<uint64_t> Ids(const Batch& b) {
  std::vector<uint64_t> ids;
  for (const auto& e : b.entries) ids.push_back(e.record.id);
  return ids;
}

TEST(Batcher, EmitsAtFiveHundredEntriesWithMixedKeys) {
  ManualClock clock(1000);
  Batcher b = Make({}, &clock);
  std::vector<Batch> ready;
  for (uint64_t i = 0; i < 499; ++i) ASSERT_TRUE(b.Add(Rec(i, 10), &ready).ok());
  EXPECT_TRUE(ready.empty());
  ASSERT_TRUE(b.Add(Rec(499, 10), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].entries.size(), 500u);
  EXPECT_EQ(ready[0].reason, Batch::Reason::kEntries);
  EXPECT_EQ(b.buffered_records(), 0u);
  std::set<std::string> keys;
  for (const auto& e : ready[0].entries) keys.insert(e.record.partition_key);
  EXPECT_EQ(keys.size(), 7u);
  for (size_t i = 0; i < 500; ++i) EXPECT_EQ(ready[0].entries[i].record.id, i);  // Add order
  EXPECT_EQ(ready[0].request_bytes, 500u * 12);                                  // 10 data + "kN"
}

TEST(Batcher, ConfiguredEntryBound) {
  ManualClock clock(0);
  BatcherOptions o;
  o.max_entries = 3;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  for (uint64_t i = 0; i < 7; ++i) ASSERT_TRUE(b.Add(Rec(i, 1), &ready).ok());
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(Ids(ready[0]), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(Ids(ready[1]), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(b.buffered_records(), 1u);
}

TEST(Batcher, ByteBoundCountsDataAndPartitionKeysAndIsNeverExceeded) {
  ManualClock clock(0);
  BatcherOptions o;
  o.max_request_bytes = 1000;
  o.max_record_bytes = 400;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  // Each record: 297 data + 3-byte key = 300 bytes. Three fit (900), the fourth would make 1200.
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(b.Add(Rec(i, 297, "abc"), &ready).ok());
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(b.buffered_bytes(), 900u);
  ASSERT_TRUE(b.Add(Rec(3, 297, "abc"), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].reason, Batch::Reason::kBytes);
  EXPECT_EQ(Ids(ready[0]), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(ready[0].request_bytes, 900u);
  EXPECT_EQ(b.buffered_bytes(), 300u);
}

TEST(Batcher, ExactlyFullByteBudgetIsEmittedAtOnce) {
  ManualClock clock(0);
  BatcherOptions o;
  o.max_request_bytes = 600;
  o.max_record_bytes = 300;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  ASSERT_TRUE(b.Add(Rec(0, 297, "abc"), &ready).ok());
  ASSERT_TRUE(b.Add(Rec(1, 297, "abc"), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].request_bytes, 600u);
  EXPECT_EQ(ready[0].reason, Batch::Reason::kBytes);
}

TEST(Batcher, DefaultByteBoundIsFiveMebibytes) {
  ManualClock clock(0);
  Batcher b = Make({}, &clock);
  std::vector<Batch> ready;
  const size_t data = (1u << 20) - 1;  // 1 MiB record with its 1-byte key
  for (uint64_t i = 0; i < 6; ++i) ASSERT_TRUE(b.Add(Rec(i, data, "k"), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].entries.size(), 5u);
  EXPECT_EQ(ready[0].request_bytes, 5u << 20);
}

TEST(Batcher, TenMebibyteRequestsWhenConfigured) {
  ManualClock clock(0);
  BatcherOptions o;
  o.max_request_bytes = 10u << 20;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  const size_t data = (1u << 20) - 1;
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(b.Add(Rec(i, data, "k"), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].entries.size(), 10u);
  EXPECT_EQ(ready[0].request_bytes, 10u << 20);
}

TEST(Batcher, RejectsOversizedRecordsAndBadKeysWithoutBufferingThem) {
  ManualClock clock(0);
  Batcher b = Make({}, &clock);
  std::vector<Batch> ready;
  EXPECT_EQ(b.Add(Rec(0, 1u << 20, "k"), &ready).code(), StatusCode::kInvalidArgument);  // 1 MiB + 1
  EXPECT_TRUE(b.Add(Rec(1, (1u << 20) - 1, "k"), &ready).ok());                          // exactly 1 MiB
  Record no_key = Rec(2, 1);
  no_key.partition_key.clear();
  EXPECT_EQ(b.Add(no_key, &ready).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.Add(Rec(3, 1, std::string(257, 'k')), &ready).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(b.Add(Rec(4, 1, std::string(256, 'k')), &ready).ok());
  EXPECT_EQ(b.buffered_records(), 2u);
  EXPECT_TRUE(ready.empty());
}

TEST(Batcher, LingerEmitsTheOldestRecordsBatchAfterTheDeadline) {
  ManualClock clock(10'000);
  BatcherOptions o;
  o.linger_ms = 100;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  EXPECT_FALSE(b.NextDeadlineMs().has_value());
  EXPECT_FALSE(b.Poll().has_value());
  ASSERT_TRUE(b.Add(Rec(0, 5), &ready).ok());
  EXPECT_EQ(b.NextDeadlineMs(), 10'100);
  clock.Advance(60);
  ASSERT_TRUE(b.Add(Rec(1, 5), &ready).ok());
  EXPECT_EQ(b.NextDeadlineMs(), 10'100);  // from the oldest record, not the newest
  clock.Advance(39);
  EXPECT_FALSE(b.Poll().has_value());
  clock.Advance(1);
  auto batch = b.Poll();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->reason, Batch::Reason::kLinger);
  EXPECT_EQ(batch->oldest_ms, 10'000);
  EXPECT_EQ(Ids(*batch), (std::vector<uint64_t>{0, 1}));
  EXPECT_FALSE(b.NextDeadlineMs().has_value());
  EXPECT_TRUE(ready.empty());
}

TEST(Batcher, AddAfterLingerExpiredEmitsTheOldBatchFirst) {
  ManualClock clock(0);
  BatcherOptions o;
  o.linger_ms = 50;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  ASSERT_TRUE(b.Add(Rec(0, 5), &ready).ok());
  clock.Advance(80);
  ASSERT_TRUE(b.Add(Rec(1, 5), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].reason, Batch::Reason::kLinger);
  EXPECT_EQ(Ids(ready[0]), (std::vector<uint64_t>{0}));
  EXPECT_EQ(b.NextDeadlineMs(), 130);  // the new batch's clock starts with record 1
}

TEST(Batcher, ZeroLingerSendsEachRecordAtOnce) {
  ManualClock clock(0);
  BatcherOptions o;
  o.linger_ms = 0;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(b.Add(Rec(i, 5), &ready).ok());
  ASSERT_EQ(ready.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(Ids(ready[i]), (std::vector<uint64_t>{i}));
}

TEST(Batcher, FlushReturnsWhateverIsBuffered) {
  ManualClock clock(0);
  Batcher b = Make({}, &clock);
  std::vector<Batch> ready;
  EXPECT_FALSE(b.Flush().has_value());
  ASSERT_TRUE(b.Add(Rec(0, 5), &ready).ok());
  ASSERT_TRUE(b.Add(Rec(1, 5), &ready).ok());
  auto f = b.Flush();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, Batch::Reason::kFlush);
  EXPECT_EQ(Ids(*f), (std::vector<uint64_t>{0, 1}));
  EXPECT_FALSE(b.Flush().has_value());
}

TEST(Batcher, OrderIsPreservedAcrossManyBatches) {
  ManualClock clock(0);
  BatcherOptions o;
  o.max_entries = 7;
  o.max_request_bytes = 100;
  o.max_record_bytes = 50;
  Batcher b = Make(o, &clock);
  std::vector<Batch> ready;
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(b.Add(Rec(i, i % 40), &ready).ok());
    if (i % 13 == 0) clock.Advance(150);
  }
  if (auto f = b.Flush()) ready.push_back(std::move(*f));
  uint64_t next = 0;
  for (const auto& batch : ready) {
    EXPECT_LE(batch.entries.size(), 7u);
    EXPECT_LE(batch.request_bytes, 100u);
    for (const auto& e : batch.entries) EXPECT_EQ(e.record.id, next++);
  }
  EXPECT_EQ(next, 1000u);
}

TEST(Batcher, ValidatesOptions) {
  ManualClock clock(0);
  BatcherOptions o;
  o.max_entries = 501;
  EXPECT_FALSE(Batcher::Create(o, &clock).ok());
  o = {};
  o.max_entries = 0;
  EXPECT_FALSE(Batcher::Create(o, &clock).ok());
  o = {};
  o.max_request_bytes = (10u << 20) + 1;
  EXPECT_FALSE(Batcher::Create(o, &clock).ok());
  o = {};
  o.max_request_bytes = 1000;  // below the record limit: a valid record could never be sent
  EXPECT_FALSE(Batcher::Create(o, &clock).ok());
  o = {};
  o.linger_ms = -1;
  EXPECT_FALSE(Batcher::Create(o, &clock).ok());
  o = {};
  o.max_record_bytes = 10u << 20;
  o.max_request_bytes = 10u << 20;
  EXPECT_TRUE(Batcher::Create(o, &clock).ok());
}

}  // namespace
}  // namespace sluice::pipeline
