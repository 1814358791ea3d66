#include "sluice/pipeline/stats.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>

#include "base/mutex.h"
#include "codec/json_field.h"

namespace sluice::pipeline {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

LatencySummary Summarize(const LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.p50 = h.Percentile(50);
  s.p95 = h.Percentile(95);
  s.p99 = h.Percentile(99);
  s.max = h.max();
  s.mean = h.mean();
  return s;
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteLatency(JsonWriter& w, const char* key, const LatencySummary& l) {
  w.Key(key);
  w.StartObject();
  w.Key("count");
  w.Uint64(l.count);
  w.Key("p50");
  w.Int64(l.p50);
  w.Key("p95");
  w.Int64(l.p95);
  w.Key("p99");
  w.Int64(l.p99);
  w.Key("max");
  w.Int64(l.max);
  w.Key("mean");
  w.Double(l.mean);
  w.EndObject();
}

}  // namespace

std::string FormatBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", bytes, kUnits[u]);
  }
  return buf;
}

// ---- RateMeter ----

RateMeter::RateMeter(int64_t window_ms) : window_s_(std::max<int64_t>(1, (window_ms + 999) / 1000)) {
  second_.assign(static_cast<size_t>(window_s_ + 1), INT64_MIN);
  count_.assign(static_cast<size_t>(window_s_ + 1), 0);
}

void RateMeter::Add(int64_t now_ms, uint64_t n) {
  const int64_t sec = FloorDiv(now_ms, 1000);
  const size_t slot =
      static_cast<size_t>(((sec % static_cast<int64_t>(second_.size())) + static_cast<int64_t>(second_.size())) %
                          static_cast<int64_t>(second_.size()));
  if (second_[slot] != sec) {
    second_[slot] = sec;
    count_[slot] = 0;
  }
  count_[slot] += n;
}

double RateMeter::PerSecond(int64_t now_ms, int64_t start_ms) const {
  const int64_t now_sec = FloorDiv(now_ms, 1000);
  const int64_t first_sec = now_sec - window_s_ + 1;
  uint64_t sum = 0;
  for (size_t i = 0; i < second_.size(); ++i)
    if (second_[i] >= first_sec && second_[i] <= now_sec) sum += count_[i];
  // At least 100 ms, so the first instants do not show absurd rates.
  const int64_t span = std::max<int64_t>(100, now_ms - std::max(start_ms, first_sec * 1000));
  return static_cast<double>(sum) * 1000.0 / static_cast<double>(span);
}

// ---- ConsumerStats ----

ConsumerStats::ConsumerStats(const Clock* clock, StatsOptions options)
    : clock_(clock),
      start_ms_(clock->NowMillis()),
      events_rate_(options.rate_window_ms),
      bytes_rate_(options.rate_window_ms) {}

void ConsumerStats::RecordProcessed(size_t bytes, std::optional<int64_t> produced_at_ms) {
  const int64_t now = clock_->NowMillis();
  MutexLock lock(mu_);
  ++counters_.processed;
  counters_.bytes += bytes;
  events_rate_.Add(now);
  bytes_rate_.Add(now, bytes);
  if (produced_at_ms) {
    const int64_t latency = now - *produced_at_ms;
    if (latency < 0) ++counters_.clock_skew_samples;
    latency_.Record(latency);
  }
}

void ConsumerStats::RecordDuplicate(uint64_t n) {
  MutexLock lock(mu_);
  counters_.duplicates_dropped += n;
}

void ConsumerStats::RecordMalformed(uint64_t n) {
  MutexLock lock(mu_);
  counters_.malformed += n;
}

void ConsumerStats::SetMillisBehindLatest(const std::string& shard_id, int64_t millis) {
  MutexLock lock(mu_);
  counters_.millis_behind_latest[shard_id] = millis;
}

void ConsumerStats::RemoveShard(const std::string& shard_id) {
  MutexLock lock(mu_);
  counters_.millis_behind_latest.erase(shard_id);
}

ConsumerStatsSnapshot ConsumerStats::Snapshot() const {
  const int64_t now = clock_->NowMillis();
  MutexLock lock(mu_);
  ConsumerStatsSnapshot s = counters_;
  s.elapsed_ms = now - start_ms_;
  s.events_per_s = events_rate_.PerSecond(now, start_ms_);
  s.bytes_per_s = bytes_rate_.PerSecond(now, start_ms_);
  s.average_events_per_s =
      s.elapsed_ms > 0 ? static_cast<double>(s.processed) * 1000.0 / static_cast<double>(s.elapsed_ms) : 0.0;
  s.latency_ms = Summarize(latency_);
  s.max_millis_behind_latest = 0;
  for (const auto& [shard, ms] : s.millis_behind_latest)
    s.max_millis_behind_latest = std::max(s.max_millis_behind_latest, ms);
  return s;
}

std::string ConsumerStats::RenderLine(const ConsumerStatsSnapshot& s) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, "%llu events | %.1f/s | dup %llu | %s",
                        static_cast<unsigned long long>(s.processed), s.events_per_s,
                        static_cast<unsigned long long>(s.duplicates_dropped),
                        FormatBytes(static_cast<double>(s.bytes)).c_str());
  std::string out(buf, static_cast<size_t>(std::max(n, 0)));
  if (s.malformed) out += " | malformed " + std::to_string(s.malformed);
  if (s.latency_ms.count) {
    std::snprintf(buf, sizeof buf, " | latency p50 %lld p95 %lld p99 %lld max %lld ms",
                  static_cast<long long>(s.latency_ms.p50), static_cast<long long>(s.latency_ms.p95),
                  static_cast<long long>(s.latency_ms.p99), static_cast<long long>(s.latency_ms.max));
    out += buf;
  }
  if (!s.millis_behind_latest.empty()) {
    std::snprintf(buf, sizeof buf, " | behind %lld ms (%zu shard%s)",
                  static_cast<long long>(s.max_millis_behind_latest), s.millis_behind_latest.size(),
                  s.millis_behind_latest.size() == 1 ? "" : "s");
    out += buf;
  }
  return out;
}

std::string ConsumerStats::RenderJson(const ConsumerStatsSnapshot& s) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.SetMaxDecimalPlaces(3);
  w.StartObject();
  codec::WriteField(w, "elapsed_ms", s.elapsed_ms);
  codec::WriteField(w, "processed", s.processed);
  codec::WriteField(w, "duplicates_dropped", s.duplicates_dropped);
  codec::WriteField(w, "malformed", s.malformed);
  codec::WriteField(w, "bytes", s.bytes);
  codec::WriteField(w, "events_per_s", s.events_per_s);
  codec::WriteField(w, "bytes_per_s", s.bytes_per_s);
  codec::WriteField(w, "average_events_per_s", s.average_events_per_s);
  WriteLatency(w, "latency_ms", s.latency_ms);
  codec::WriteField(w, "clock_skew_samples", s.clock_skew_samples);
  w.Key("millis_behind_latest");
  w.StartObject();
  for (const auto& [shard, ms] : s.millis_behind_latest) codec::WriteField(w, shard.c_str(), ms);
  w.EndObject();
  codec::WriteField(w, "max_millis_behind_latest", s.max_millis_behind_latest);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

// ---- ProducerStats ----

ProducerStats::ProducerStats(const Clock* clock, StatsOptions options)
    : clock_(clock), start_ms_(clock->NowMillis()), records_rate_(options.rate_window_ms) {}

void ProducerStats::RecordRequest(uint64_t succeeded, uint64_t succeeded_bytes, uint64_t retried, uint64_t throttled,
                                  uint64_t failed, int64_t latency_ms) {
  const int64_t now = clock_->NowMillis();
  MutexLock lock(mu_);
  ++counters_.requests;
  counters_.records_sent += succeeded;
  counters_.bytes_sent += succeeded_bytes;
  counters_.entries_retried += retried;
  counters_.throttled += throttled;
  counters_.failed += failed;
  if (succeeded) records_rate_.Add(now, succeeded);
  latency_.Record(latency_ms);
}

void ProducerStats::RecordRejected(uint64_t n) {
  MutexLock lock(mu_);
  counters_.rejected += n;
}

ProducerStatsSnapshot ProducerStats::Snapshot() const {
  const int64_t now = clock_->NowMillis();
  MutexLock lock(mu_);
  ProducerStatsSnapshot s = counters_;
  s.elapsed_ms = now - start_ms_;
  s.records_per_s = records_rate_.PerSecond(now, start_ms_);
  if (s.elapsed_ms > 0) {
    s.average_records_per_s = static_cast<double>(s.records_sent) * 1000.0 / static_cast<double>(s.elapsed_ms);
    s.average_bytes_per_s = static_cast<double>(s.bytes_sent) * 1000.0 / static_cast<double>(s.elapsed_ms);
  }
  s.request_latency_ms = Summarize(latency_);
  return s;
}

std::string ProducerStats::RenderLine(const ProducerStatsSnapshot& s) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%llu records | %.1f/s | %s | %llu requests | retried %llu | failed %llu",
                static_cast<unsigned long long>(s.records_sent), s.records_per_s,
                FormatBytes(static_cast<double>(s.bytes_sent)).c_str(), static_cast<unsigned long long>(s.requests),
                static_cast<unsigned long long>(s.entries_retried), static_cast<unsigned long long>(s.failed));
  std::string out = buf;
  if (s.rejected) out += " | rejected " + std::to_string(s.rejected);
  return out;
}

std::string ProducerStats::RenderJson(const ProducerStatsSnapshot& s) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.SetMaxDecimalPlaces(3);
  w.StartObject();
  codec::WriteField(w, "elapsed_ms", s.elapsed_ms);
  codec::WriteField(w, "records_sent", s.records_sent);
  codec::WriteField(w, "bytes_sent", s.bytes_sent);
  codec::WriteField(w, "requests", s.requests);
  codec::WriteField(w, "entries_retried", s.entries_retried);
  codec::WriteField(w, "throttled", s.throttled);
  codec::WriteField(w, "failed", s.failed);
  codec::WriteField(w, "rejected", s.rejected);
  codec::WriteField(w, "records_per_s", s.records_per_s);
  codec::WriteField(w, "average_records_per_s", s.average_records_per_s);
  codec::WriteField(w, "average_bytes_per_s", s.average_bytes_per_s);
  WriteLatency(w, "request_latency_ms", s.request_latency_ms);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace sluice::pipeline
