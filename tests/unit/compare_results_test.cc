// ComparisonResults: the JSON form (--json FILE), latency summaries, sample
// thinning and the behaviour rows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "compare/analysis.h"
#include "compare/format.h"
#include "compare/results.h"
#include "compare/sample.h"

namespace sluice::compare {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A small hand-made result with distinctive numbers.
ComparisonResults Small() {
  ComparisonResults r;
  r.config.endpoint = "http://127.0.0.1:4566";
  r.config.embedded = true;
  r.config.region = "eu-west-1";
  r.config.stream_name = "events";
  r.config.delivery_stream = "events-to-s3";
  r.config.bucket = "my-bucket";
  r.config.duration_s = 30;
  r.config.rate = 250;
  r.config.record_size = 180;
  r.config.shards = 3;
  r.config.duplicates_fraction = 0.05;
  r.config.buffering_size_mb = 2;
  r.config.buffering_interval_s = 15;
  r.config.compression = "GZIP";
  r.config.started_at_ms = 1700000000123;
  r.producer = {7875, 7500, 375, 262.5, 2};
  r.streams.latency = {7500, 120, 300, 450, 910.25, 131.5};
  r.streams.latency_samples_ms = {0.125, 12.5, 120, 450, 910.25};
  r.streams.events_consumed = 7500;
  r.streams.duplicates_dropped = 375;
  r.streams.throughput_per_s = 249.75;
  r.streams.timeline = {{0, 240}, {1000, 251}};
  r.firehose.latency = {7500, 6200, 14000, 15500, 16000.5, 7000};
  r.firehose.latency_samples_ms = {900, 6200, 16000.5};
  r.firehose.objects = 2;
  r.firehose.total_bytes = 1357924;
  r.firehose.records_per_object = {3000, 3937.5, 4875};
  r.firehose.object_list = {{"2024/01/01/00/a", 600000, 3000, 15300}, {"2024/01/01/00/b", 757924, 4875, 25300}};
  r.firehose.events_delivered = 7499;
  r.firehose.duplicates_seen = 376;
  r.firehose.missing = 1;
  r.firehose.throughput_per_s = 299.96;
  r.firehose.timeline = {{15300, 3000}, {25300, 4875}};
  r.produced_timeline = {{0, 262}, {1000, 263}};
  FillBehaviour(r);
  return r;
}

void ExpectSameLatency(const LatencySummary& a, const LatencySummary& b) {
  EXPECT_EQ(a.count, b.count);
  EXPECT_DOUBLE_EQ(a.p50_ms, b.p50_ms);
  EXPECT_DOUBLE_EQ(a.p95_ms, b.p95_ms);
  EXPECT_DOUBLE_EQ(a.p99_ms, b.p99_ms);
  EXPECT_DOUBLE_EQ(a.max_ms, b.max_ms);
  EXPECT_DOUBLE_EQ(a.mean_ms, b.mean_ms);
}

void ExpectSameTimeline(const std::vector<TimelinePoint>& a, const std::vector<TimelinePoint>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].t_ms, b[i].t_ms);
    EXPECT_EQ(a[i].count, b[i].count);
  }
}

TEST(CompareResults, JsonRoundTripKeepsEveryField) {
  const ComparisonResults in = Small();
  const std::string json = SerializeResults(in);
  auto parsed = ParseResults(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const ComparisonResults& out = *parsed;

  EXPECT_EQ(out.version, kResultsVersion);
  EXPECT_EQ(out.config.endpoint, in.config.endpoint);
  EXPECT_EQ(out.config.embedded, in.config.embedded);
  EXPECT_EQ(out.config.region, in.config.region);
  EXPECT_EQ(out.config.stream_name, in.config.stream_name);
  EXPECT_EQ(out.config.delivery_stream, in.config.delivery_stream);
  EXPECT_EQ(out.config.bucket, in.config.bucket);
  EXPECT_DOUBLE_EQ(out.config.duration_s, in.config.duration_s);
  EXPECT_DOUBLE_EQ(out.config.rate, in.config.rate);
  EXPECT_EQ(out.config.record_size, in.config.record_size);
  EXPECT_EQ(out.config.shards, in.config.shards);
  EXPECT_DOUBLE_EQ(out.config.duplicates_fraction, in.config.duplicates_fraction);
  EXPECT_EQ(out.config.buffering_size_mb, in.config.buffering_size_mb);
  EXPECT_EQ(out.config.buffering_interval_s, in.config.buffering_interval_s);
  EXPECT_EQ(out.config.compression, in.config.compression);
  EXPECT_EQ(out.config.started_at_ms, in.config.started_at_ms);

  EXPECT_EQ(out.producer.records_sent, in.producer.records_sent);
  EXPECT_EQ(out.producer.unique_events, in.producer.unique_events);
  EXPECT_EQ(out.producer.duplicates_injected, in.producer.duplicates_injected);
  EXPECT_DOUBLE_EQ(out.producer.records_per_s, in.producer.records_per_s);
  EXPECT_EQ(out.producer.failed, in.producer.failed);

  ExpectSameLatency(out.streams.latency, in.streams.latency);
  EXPECT_EQ(out.streams.latency_samples_ms, in.streams.latency_samples_ms);
  EXPECT_EQ(out.streams.events_consumed, in.streams.events_consumed);
  EXPECT_EQ(out.streams.duplicates_dropped, in.streams.duplicates_dropped);
  EXPECT_DOUBLE_EQ(out.streams.throughput_per_s, in.streams.throughput_per_s);
  ExpectSameTimeline(out.streams.timeline, in.streams.timeline);

  ExpectSameLatency(out.firehose.latency, in.firehose.latency);
  EXPECT_EQ(out.firehose.latency_samples_ms, in.firehose.latency_samples_ms);
  EXPECT_EQ(out.firehose.objects, in.firehose.objects);
  EXPECT_EQ(out.firehose.total_bytes, in.firehose.total_bytes);
  EXPECT_DOUBLE_EQ(out.firehose.records_per_object.min, in.firehose.records_per_object.min);
  EXPECT_DOUBLE_EQ(out.firehose.records_per_object.mean, in.firehose.records_per_object.mean);
  EXPECT_DOUBLE_EQ(out.firehose.records_per_object.max, in.firehose.records_per_object.max);
  ASSERT_EQ(out.firehose.object_list.size(), 2u);
  EXPECT_EQ(out.firehose.object_list[1].key, "2024/01/01/00/b");
  EXPECT_EQ(out.firehose.object_list[1].size_bytes, 757924u);
  EXPECT_EQ(out.firehose.object_list[1].records, 4875u);
  EXPECT_EQ(out.firehose.object_list[1].visible_at_ms, 25300);
  EXPECT_EQ(out.firehose.events_delivered, in.firehose.events_delivered);
  EXPECT_EQ(out.firehose.duplicates_seen, in.firehose.duplicates_seen);
  EXPECT_EQ(out.firehose.missing, in.firehose.missing);
  EXPECT_DOUBLE_EQ(out.firehose.throughput_per_s, in.firehose.throughput_per_s);
  ExpectSameTimeline(out.firehose.timeline, in.firehose.timeline);
  ExpectSameTimeline(out.produced_timeline, in.produced_timeline);

  ASSERT_EQ(out.behaviour.size(), in.behaviour.size());
  for (size_t i = 0; i < in.behaviour.size(); ++i) {
    EXPECT_EQ(out.behaviour[i].characteristic, in.behaviour[i].characteristic);
    EXPECT_EQ(out.behaviour[i].streams, in.behaviour[i].streams);
    EXPECT_EQ(out.behaviour[i].firehose, in.behaviour[i].firehose);
  }
  // Serializing again gives the same bytes.
  EXPECT_EQ(SerializeResults(out), json);
}

TEST(CompareResults, JsonRoundTripOfTheSampleRun) {
  const ComparisonResults in = MakeSampleResults();
  auto parsed = ParseResults(SerializeResults(in));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->streams.latency_samples_ms.size(), in.streams.latency_samples_ms.size());
  EXPECT_EQ(parsed->firehose.object_list.size(), in.firehose.object_list.size());
  // Written to the microsecond.
  EXPECT_NEAR(parsed->firehose.latency.p50_ms, in.firehose.latency.p50_ms, 0.001);
  EXPECT_NEAR(parsed->firehose.latency.p99_ms, in.firehose.latency.p99_ms, 0.001);
}

TEST(CompareResults, JsonEscapesStringsAndHasNoNaN) {
  ComparisonResults r = Small();
  r.config.bucket = "quote\" backslash\\ newline\n <script>";
  r.streams.throughput_per_s = std::numeric_limits<double>::quiet_NaN();
  r.firehose.latency_samples_ms = {1, std::numeric_limits<double>::infinity()};
  const std::string json = SerializeResults(r);
  EXPECT_FALSE(Contains(json, "NaN"));
  EXPECT_FALSE(Contains(json, "Infinity"));
  auto parsed = ParseResults(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->config.bucket, r.config.bucket);
  EXPECT_EQ(parsed->streams.throughput_per_s, 0);
}

TEST(CompareResults, ParseAcceptsAPartialDocument) {
  auto parsed = ParseResults(R"({"config": {"rate": 100, "bucket": "b"}, "streams": {"events_consumed": 5}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_DOUBLE_EQ(parsed->config.rate, 100);
  EXPECT_EQ(parsed->config.bucket, "b");
  EXPECT_EQ(parsed->streams.events_consumed, 5u);
  EXPECT_TRUE(parsed->firehose.object_list.empty());
}

TEST(CompareResults, ParseRejectsBadInput) {
  EXPECT_FALSE(ParseResults("").ok());
  EXPECT_FALSE(ParseResults("[1,2]").ok());
  EXPECT_FALSE(ParseResults("{\"config\": ").ok());
  auto wrong_type = ParseResults(R"({"config": {"rate": "fast"}})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_TRUE(Contains(wrong_type.status().message(), "$.config.rate")) << wrong_type.status().message();
  EXPECT_FALSE(ParseResults(R"({"streams": {"events_consumed": -1}})").ok());
  EXPECT_FALSE(ParseResults(R"({"streams": {"timeline": [[0]]}})").ok());
  EXPECT_FALSE(ParseResults(R"({"firehose": {"object_list": [1]}})").ok());
  EXPECT_FALSE(ParseResults(R"({"firehose": {"latency_samples_ms": ["x"]}})").ok());
  EXPECT_FALSE(ParseResults(R"({"version": 99})").ok());
}

TEST(CompareResults, SummarizeLatenciesUsesNearestRank) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  v.push_back(std::numeric_limits<double>::quiet_NaN());  // ignored
  const LatencySummary s = SummarizeLatencies(v);
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 50);
  EXPECT_DOUBLE_EQ(s.p95_ms, 95);
  EXPECT_DOUBLE_EQ(s.p99_ms, 99);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  EXPECT_DOUBLE_EQ(s.mean_ms, 50.5);
  const LatencySummary empty = SummarizeLatencies({});
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.p99_ms, 0);
  const LatencySummary one = SummarizeLatencies({7.5});
  EXPECT_DOUBLE_EQ(one.p50_ms, 7.5);
  EXPECT_DOUBLE_EQ(one.p99_ms, 7.5);
}

TEST(CompareResults, ThinSamplesKeepsTheExtremesAndTheShape) {
  std::vector<double> v;
  for (int i = 0; i < 100000; ++i) v.push_back((i * 7919) % 100000);  // a permutation of 0..99999
  ThinSamples(v, 1001);
  ASSERT_EQ(v.size(), 1001u);
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  EXPECT_EQ(v.front(), 0);
  EXPECT_EQ(v.back(), 99999);
  EXPECT_NEAR(v[500], 50000, 100);
  std::vector<double> small = {3, 1, 2};
  ThinSamples(small, 10);
  EXPECT_EQ(small, (std::vector<double>{1, 2, 3}));
  ThinSamples(small, 0);
  EXPECT_TRUE(small.empty());
}

TEST(CompareBehaviour, RowsFollowTheSeedAndUseTheNumbers) {
  const ComparisonResults r = Small();
  ASSERT_EQ(r.behaviour.size(), 4u);
  EXPECT_EQ(r.behaviour[0].characteristic, "Delivery");
  EXPECT_EQ(r.behaviour[1].characteristic, "Destination");
  EXPECT_EQ(r.behaviour[2].characteristic, "Control");
  EXPECT_EQ(r.behaviour[3].characteristic, "Complexity");

  EXPECT_EQ(r.behaviour[0].streams, "near real time: p50 120 ms, p99 450 ms");
  EXPECT_EQ(r.behaviour[0].firehose, "buffered: 2 objects, every ~10 s (p50 6.2 s)");
  EXPECT_TRUE(Contains(r.behaviour[1].streams, "custom consumer (your code)"));
  EXPECT_TRUE(Contains(r.behaviour[1].streams, "7,500"));
  EXPECT_TRUE(Contains(r.behaviour[1].firehose, "S3 bucket my-bucket (2 objects"));
  EXPECT_TRUE(Contains(r.behaviour[2].streams, "per-record, flexible: checkpoints, dedup, replay"));
  EXPECT_TRUE(Contains(r.behaviour[2].streams, "375 duplicates dropped"));
  EXPECT_EQ(r.behaviour[2].firehose, "automatic: buffering hints 2 MB / 15 s, compression GZIP");
  EXPECT_EQ(r.behaviour[3].streams, "you run and scale consumers (3 shards, checkpoints in SQLite)");
  EXPECT_EQ(r.behaviour[3].firehose, "no consumer code: delivered to S3");
}

TEST(CompareBehaviour, DegenerateRunsStillGiveFourRows) {
  ComparisonResults r;
  FillBehaviour(r);
  ASSERT_EQ(r.behaviour.size(), 4u);
  EXPECT_TRUE(Contains(r.behaviour[0].streams, "no events consumed"));
  EXPECT_TRUE(Contains(r.behaviour[0].firehose, "no object delivered"));
  EXPECT_TRUE(Contains(r.behaviour[1].firehose, "(0 objects)"));
  for (const auto& row : r.behaviour) {
    EXPECT_FALSE(Contains(row.streams, "nan"));
    EXPECT_FALSE(Contains(row.firehose, "nan"));
  }
  // One object: no interval, singular wording.
  r.firehose.objects = 1;
  r.firehose.latency = SummarizeLatencies({5000});
  r.firehose.object_list = {{"k", 10, 1, 5000}};
  r.config.shards = 1;
  FillBehaviour(r);
  EXPECT_EQ(r.behaviour[0].firehose, "buffered: 1 object (p50 5.0 s)");
  EXPECT_TRUE(Contains(r.behaviour[3].streams, "(1 shard,"));
}

TEST(CompareFormat, HumanNumbers) {
  EXPECT_EQ(FormatMs(0), "0 ms");
  EXPECT_EQ(FormatMs(0.42), "0.42 ms");
  EXPECT_EQ(FormatMs(4.25), "4.2 ms");
  EXPECT_EQ(FormatMs(120), "120 ms");
  EXPECT_EQ(FormatMs(6200), "6.2 s");
  EXPECT_EQ(FormatMs(42000), "42 s");
  EXPECT_EQ(FormatMs(10940), "10.9 s");
  EXPECT_EQ(FormatMs(9990), "10 s");
  EXPECT_EQ(FormatMs(100000), "100 s");
  EXPECT_EQ(FormatMs(210000), "3.5 min");
  EXPECT_EQ(FormatMs(-5), "0 ms");
  EXPECT_EQ(FormatMs(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(FormatMs(1e300), "2.8e+293 h");
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(UINT64_MAX), "18,446,744,073,709,551,615");
  EXPECT_EQ(FormatNumber(1234.56, 1), "1,234.6");
  EXPECT_EQ(FormatNumber(-0.01, 0), "0");
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatPercent(0.05), "5%");
  EXPECT_EQ(FormatPercent(0.125), "12.5%");
}

TEST(CompareFormat, HtmlEscapeHandlesMarkupAndBadUtf8) {
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(HtmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");  // valid UTF-8 kept
  EXPECT_EQ(HtmlEscape("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");                                                   // invalid byte replaced
  EXPECT_EQ(HtmlEscape(std::string("a\0b\x1b[31m", 8)), "ab[31m");  // control characters dropped
  EXPECT_EQ(DisplayWidth("\x1b[1mab\xC3\xA9\x1b[0m"), 3u);
}

}  // namespace
}  // namespace sluice::compare
