#include "compare/sample.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <vector>

namespace sluice::compare {
namespace {

std::vector<TimelinePoint> Buckets(const std::map<int64_t, uint64_t>& per_second) {
  std::vector<TimelinePoint> out;
  for (const auto& [sec, n] : per_second) out.push_back({sec * 1000, n});
  return out;
}

}  // namespace

ComparisonResults MakeSampleResults(const SampleOptions& o) {
  ComparisonResults r;
  auto& c = r.config;
  c.endpoint = "simulated sample (no server)";
  c.embedded = false;
  c.region = "us-east-1";
  c.stream_name = "sluice-demo-events";
  c.delivery_stream = "sluice-demo-to-s3";
  c.bucket = "sluice-demo-bucket";
  c.duration_s = o.duration_s;
  c.rate = o.rate;
  c.record_size = 200;
  c.shards = 2;
  c.duplicates_fraction = 0.05;
  c.buffering_size_mb = 1;
  c.buffering_interval_s = o.buffering_interval_s;
  c.compression = "UNCOMPRESSED";
  c.started_at_ms = 1767225600000;  // 2026-01-01 00:00:00 UTC

  std::mt19937_64 rng(o.seed);
  std::lognormal_distribution<double> consumer_ms(std::log(38.0), 0.55);
  std::uniform_real_distribution<double> jitter(0, 1);

  const auto unique = static_cast<uint64_t>(std::max(0.0, o.duration_s * o.rate));
  const double interval_ms = std::max<uint32_t>(1, o.buffering_interval_s) * 1000.0;

  std::vector<double> streams_lat, firehose_lat;
  std::map<int64_t, uint64_t> produced, consumed;
  // Firehose: records reach the delivery stream's buffer ~0.2-1.2 s after
  // the put; a buffer is flushed every interval and its object becomes
  // visible ~0.4-0.9 s later.
  std::map<int64_t, uint64_t> records_by_flush;
  uint64_t sent = 0, dups = 0;
  const auto put = [&](double t_ms, bool duplicate) {
    ++sent;
    ++produced[static_cast<int64_t>(t_ms / 1000)];
    const int64_t flush = static_cast<int64_t>(std::floor((t_ms + 200 + 1000 * jitter(rng)) / interval_ms)) + 1;
    ++records_by_flush[flush];
    if (duplicate) return;  // the consumer drops it; Firehose delivers it again
    const double lat = consumer_ms(rng);
    streams_lat.push_back(lat);
    ++consumed[static_cast<int64_t>((t_ms + lat) / 1000)];
  };
  std::vector<double> put_times;
  for (uint64_t i = 0; i < unique; ++i) {
    const double t = (static_cast<double>(i) + jitter(rng) * 0.9) * 1000.0 / o.rate;
    put(t, false);
    put_times.push_back(t);
    if (jitter(rng) < c.duplicates_fraction) {
      put(t + 5 + 40 * jitter(rng), true);
      ++dups;
    }
  }

  // Objects, and each unique event's delivery latency (its first copy's).
  std::map<int64_t, double> visible_at;
  for (const auto& [flush, n] : records_by_flush) visible_at[flush] = flush * interval_ms + 400 + 500 * jitter(rng);
  std::mt19937_64 rng2(o.seed + 1);
  std::uniform_real_distribution<double> jitter2(0, 1);
  for (double t : put_times) {
    const int64_t flush = static_cast<int64_t>(std::floor((t + 200 + 1000 * jitter2(rng2)) / interval_ms)) + 1;
    firehose_lat.push_back(std::max(0.0, visible_at[flush] - t));
  }

  r.producer = {sent, unique, dups, o.duration_s > 0 ? static_cast<double>(sent) / o.duration_s : 0, 0};

  auto& s = r.streams;
  s.latency = SummarizeLatencies(streams_lat);
  s.latency_samples_ms = streams_lat;
  ThinSamples(s.latency_samples_ms);
  s.events_consumed = unique;
  s.duplicates_dropped = dups;
  s.throughput_per_s = o.duration_s > 0 ? static_cast<double>(unique) / o.duration_s : 0;
  s.timeline = Buckets(consumed);
  r.produced_timeline = Buckets(produced);

  auto& f = r.firehose;
  f.latency = SummarizeLatencies(firehose_lat);
  f.latency_samples_ms = firehose_lat;
  ThinSamples(f.latency_samples_ms);
  uint64_t min_records = UINT64_MAX, max_records = 0, total_records = 0;
  for (const auto& [flush, n] : records_by_flush) {
    FirehoseObject obj;
    const double at = visible_at[flush];
    const int64_t wall_s = c.started_at_ms / 1000 + static_cast<int64_t>(at / 1000);
    char key[160];
    std::snprintf(key, sizeof key, "2026/01/01/00/%s-1-2026-01-01-00-%02lld-%02lld-%08x-%04x-4%03x-a%03x-%012llx",
                  c.delivery_stream.c_str(), static_cast<long long>(wall_s / 60 % 60),
                  static_cast<long long>(wall_s % 60), static_cast<unsigned>(rng() & 0xffffffffu),
                  static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned>(rng() & 0xfff), static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    obj.key = key;
    obj.records = n;
    obj.size_bytes = n * (c.record_size + 1);
    obj.visible_at_ms = static_cast<int64_t>(at);
    f.object_list.push_back(obj);
    f.timeline.push_back({obj.visible_at_ms, n});
    f.total_bytes += obj.size_bytes;
    min_records = std::min(min_records, n);
    max_records = std::max(max_records, n);
    total_records += n;
  }
  f.objects = f.object_list.size();
  if (f.objects > 0) {
    f.records_per_object = {static_cast<double>(min_records),
                            static_cast<double>(total_records) / static_cast<double>(f.objects),
                            static_cast<double>(max_records)};
  }
  f.events_delivered = unique;
  f.duplicates_seen = dups;
  f.missing = 0;
  const double last_ms = f.timeline.empty() ? 0 : static_cast<double>(f.timeline.back().t_ms);
  f.throughput_per_s = last_ms > 0 ? static_cast<double>(unique) / (last_ms / 1000) : 0;

  FillBehaviour(r);
  return r;
}

}  // namespace sluice::compare
