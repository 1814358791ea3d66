#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "sluice/pipeline/latency_histogram.h"
#include "sluice/pipeline/stats.h"

namespace sluice::pipeline {
namespace {

// The exact nearest-rank percentile of `v`.
int64_t Exact(std::vector<int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))));
  return v[rank - 1];
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int i = 1; i <= 100; ++i) h.Record(i);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.Percentile(50), 50);
  EXPECT_EQ(h.Percentile(95), 95);
  EXPECT_EQ(h.Percentile(99), 99);
  EXPECT_EQ(h.Percentile(100), 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, LargeValuesAreWithinOnePercent) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(6.0, 1.5);  // heavy tail, ms
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
    const double exact = static_cast<double>(Exact(values, p));
    EXPECT_NEAR(static_cast<double>(h.Percentile(p)), exact, std::max(1.0, exact / 100)) << "p" << p;
  }
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.Percentile(100), h.max());
}

TEST(LatencyHistogram, EmptyNegativeAndHugeValues) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(50), 0);
  h.Record(-5);
  EXPECT_EQ(h.min(), 0);
  h.Record(INT64_MAX);
  EXPECT_EQ(h.max(), INT64_MAX);
  EXPECT_EQ(h.Percentile(100), INT64_MAX);
  LatencyHistogram other;
  other.Record(7);
  h.Merge(other);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.Percentile(50), 7);
}

TEST(RateMeter, SteadyRateIsMeasuredOverTheWindow) {
  RateMeter m(5000);
  for (int64_t t = 0; t < 10'000; t += 10) m.Add(t);  // 100/s
  EXPECT_NEAR(m.PerSecond(10'000, 0), 100.0, 2.0);
  EXPECT_NEAR(m.PerSecond(9'999, 0), 100.0, 2.0);
  // Early on the rate is over the elapsed time, not the whole window.
  RateMeter early(5000);
  for (int64_t t = 0; t < 1000; t += 10) early.Add(t);
  EXPECT_NEAR(early.PerSecond(1000, 0), 100.0, 2.0);
}

TEST(RateMeter, RateFallsToZeroAfterTrafficStops) {
  RateMeter m(3000);
  for (int64_t t = 0; t < 5000; t += 1) m.Add(t);
  EXPECT_GT(m.PerSecond(5000, 0), 900);
  EXPECT_EQ(m.PerSecond(9000, 0), 0.0);
}

TEST(ConsumerStats, CountsRatesLatencyAndLag) {
  ManualClock clock(1'000'000);
  ConsumerStats stats(&clock);
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(2);                                           // 500 events/s
    stats.RecordProcessed(100, clock.NowMillis() - (i % 100));  // latency 0..99 ms
  }
  stats.RecordProcessed(50, std::nullopt);           // no timestamp: no latency sample
  stats.RecordProcessed(10, clock.NowMillis() + 5);  // producer clock ahead
  stats.RecordDuplicate(7);
  stats.RecordMalformed();
  stats.SetMillisBehindLatest("shardId-000000000000", 0);
  stats.SetMillisBehindLatest("shardId-000000000001", 1500);
  auto s = stats.Snapshot();
  EXPECT_EQ(s.processed, 1002u);
  EXPECT_EQ(s.bytes, 100'060u);
  EXPECT_EQ(s.duplicates_dropped, 7u);
  EXPECT_EQ(s.malformed, 1u);
  EXPECT_EQ(s.elapsed_ms, 2000);
  EXPECT_NEAR(s.events_per_s, 500, 10);
  EXPECT_NEAR(s.average_events_per_s, 501, 1);
  EXPECT_EQ(s.latency_ms.count, 1001u);
  EXPECT_EQ(s.clock_skew_samples, 1u);
  EXPECT_NEAR(s.latency_ms.p50, 49, 1);
  EXPECT_NEAR(s.latency_ms.p95, 94, 1);
  EXPECT_NEAR(s.latency_ms.p99, 98, 1);
  EXPECT_EQ(s.latency_ms.max, 99);
  EXPECT_EQ(s.max_millis_behind_latest, 1500);
  stats.RemoveShard("shardId-000000000001");
  EXPECT_EQ(stats.Snapshot().max_millis_behind_latest, 0);

  const std::string line = ConsumerStats::RenderLine(s);
  EXPECT_NE(line.find("1002 events"), std::string::npos) << line;
  EXPECT_NE(line.find("dup 7"), std::string::npos) << line;
  EXPECT_NE(line.find("p99 98"), std::string::npos) << line;
  EXPECT_NE(line.find("behind 1500 ms (2 shards)"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);

  rapidjson::Document doc;
  doc.Parse(ConsumerStats::RenderJson(s).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["processed"].GetUint64(), 1002u);
  EXPECT_EQ(doc["duplicates_dropped"].GetUint64(), 7u);
  EXPECT_EQ(doc["latency_ms"]["max"].GetInt64(), 99);
  EXPECT_EQ(doc["millis_behind_latest"]["shardId-000000000001"].GetInt64(), 1500);
}

TEST(ConsumerStats, ConcurrentRecordingIsCounted) {
  ManualClock clock(0);
  ConsumerStats stats(&clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) stats.RecordProcessed(1, 0);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(stats.Snapshot().processed, 40'000u);
  EXPECT_EQ(stats.Snapshot().latency_ms.count, 40'000u);
}

TEST(ProducerStats, SummarisesRequests) {
  ManualClock clock(0);
  ProducerStats stats(&clock);
  clock.Advance(1000);
  stats.RecordRequest(500, 50'000, 0, 0, 0, 12);
  stats.RecordRequest(490, 49'000, 10, 10, 0, 30);
  stats.RecordRequest(9, 900, 0, 0, 1, 8);
  stats.RecordRejected(2);
  auto s = stats.Snapshot();
  EXPECT_EQ(s.records_sent, 999u);
  EXPECT_EQ(s.bytes_sent, 99'900u);
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.entries_retried, 10u);
  EXPECT_EQ(s.throttled, 10u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_NEAR(s.average_records_per_s, 999, 0.1);
  EXPECT_EQ(s.request_latency_ms.max, 30);
  const std::string line = ProducerStats::RenderLine(s);
  EXPECT_NE(line.find("999 records"), std::string::npos) << line;
  EXPECT_NE(line.find("failed 1"), std::string::npos) << line;
  rapidjson::Document doc;
  doc.Parse(ProducerStats::RenderJson(s).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["records_sent"].GetUint64(), 999u);
}

TEST(Stats, FormatBytes) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(5.0 * (1 << 20)), "5.0 MiB");
}

}  // namespace
}  // namespace sluice::pipeline
