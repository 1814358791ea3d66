// Live statistics for `sluice consume` and `sluice produce`: counters, a
// windowed rate, end-to-end latency percentiles and per-shard lag, rendered as
// one human line (for a live status line) or as JSON (for scripts and
// benchmarks).
//
// Time comes from the injected Clock. Latency of an event = the clock's time
// when it was processed - its produced_at_ms (the producer's wall clock), so
// it is meaningful when both clocks agree (same host, or NTP); a negative
// difference is recorded as 0 and counted in clock_skew_samples.
//
// Thread-safety: every method is safe to call concurrently (one mutex per
// object; shard reader threads may share one instance).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/clock.h"
#include "sluice/mutex.h"
#include "sluice/pipeline/latency_histogram.h"

namespace sluice::pipeline {

// Events per second over the last `window_ms` (per-second buckets; the
// current, partial second counts for its elapsed part). Not thread-safe.
class RateMeter {
 public:
  explicit RateMeter(int64_t window_ms = 5000);
  void Add(int64_t now_ms, uint64_t n = 1);
  // Rate over [max(start, now - window), now]; `start_ms` is when counting
  // began (so the first seconds are not diluted by the empty window).
  double PerSecond(int64_t now_ms, int64_t start_ms) const;

 private:
  int64_t window_s_;
  std::vector<int64_t> second_;  // which second each slot holds
  std::vector<uint64_t> count_;
};

struct LatencySummary {
  uint64_t count = 0;
  int64_t p50 = 0, p95 = 0, p99 = 0, max = 0;
  double mean = 0;
};

struct ConsumerStatsSnapshot {
  int64_t elapsed_ms = 0;
  uint64_t processed = 0;  // unique events handed to processing
  uint64_t duplicates_dropped = 0;
  uint64_t malformed = 0;           // records without parseable JSON / dedup id
  uint64_t bytes = 0;               // data bytes of processed events
  double events_per_s = 0;          // windowed
  double bytes_per_s = 0;           // windowed
  double average_events_per_s = 0;  // since start
  LatencySummary latency_ms;
  uint64_t clock_skew_samples = 0;
  std::map<std::string, int64_t> millis_behind_latest;  // per shard being read
  int64_t max_millis_behind_latest = 0;
};

struct StatsOptions {
  int64_t rate_window_ms = 5000;
};

class ConsumerStats {
 public:
  // `clock` must outlive the stats; counting starts now.
  explicit ConsumerStats(const Clock* clock, StatsOptions options = {});

  // One unique event processed: `bytes` of data; produced_at_ms from the
  // event when it has one (then a latency sample is taken).
  void RecordProcessed(size_t bytes, std::optional<int64_t> produced_at_ms);
  void RecordDuplicate(uint64_t n = 1);
  void RecordMalformed(uint64_t n = 1);
  // From each GetRecords response.
  void SetMillisBehindLatest(const std::string& shard_id, int64_t millis);
  // The shard was read to its end: drop it from the lag table.
  void RemoveShard(const std::string& shard_id);

  ConsumerStatsSnapshot Snapshot() const;
  // e.g. "1234 events | 812.3/s | dup 41 | 1.2 MiB | latency p50 4 p95 9 p99 15 max 40 ms | behind 0 ms (2 shards)"
  static std::string RenderLine(const ConsumerStatsSnapshot& s);
  // One JSON object, keys as in ConsumerStatsSnapshot (latency_ms nested).
  static std::string RenderJson(const ConsumerStatsSnapshot& s);
  std::string RenderLine() const { return RenderLine(Snapshot()); }
  std::string RenderJson() const { return RenderJson(Snapshot()); }

 private:
  const Clock* clock_;
  const int64_t start_ms_;
  mutable Mutex mu_;
  RateMeter events_rate_ SLUICE_GUARDED_BY(mu_);
  RateMeter bytes_rate_ SLUICE_GUARDED_BY(mu_);
  LatencyHistogram latency_ SLUICE_GUARDED_BY(mu_);
  ConsumerStatsSnapshot counters_ SLUICE_GUARDED_BY(mu_);  // counters only; rates and latency filled by Snapshot()
};

struct ProducerStatsSnapshot {
  int64_t elapsed_ms = 0;
  uint64_t records_sent = 0;     // acknowledged by Kinesis
  uint64_t bytes_sent = 0;       // data + partition keys of acknowledged records
  uint64_t requests = 0;         // PutRecords calls
  uint64_t entries_retried = 0;  // entries sent again after a per-entry failure
  uint64_t throttled = 0;        // entries failed with a throughput/KMS throttle
  uint64_t failed = 0;           // given up on (in the failure report)
  uint64_t rejected = 0;         // refused before sending (bad key, too large, bad input line)
  double records_per_s = 0;      // windowed
  double average_records_per_s = 0;
  double average_bytes_per_s = 0;
  LatencySummary request_latency_ms;  // PutRecords round trips
};

class ProducerStats {
 public:
  explicit ProducerStats(const Clock* clock, StatsOptions options = {});

  // One PutRecords response: how many entries were acknowledged (and their
  // bytes), retried, throttled and given up on, and the call's duration.
  void RecordRequest(uint64_t succeeded, uint64_t succeeded_bytes, uint64_t retried, uint64_t throttled,
                     uint64_t failed, int64_t latency_ms);
  void RecordRejected(uint64_t n = 1);

  ProducerStatsSnapshot Snapshot() const;
  // e.g. "10000 records | 4810.2/s | 1.1 MiB | 21 requests | retried 3 | failed 0"
  static std::string RenderLine(const ProducerStatsSnapshot& s);
  static std::string RenderJson(const ProducerStatsSnapshot& s);

 private:
  const Clock* clock_;
  const int64_t start_ms_;
  mutable Mutex mu_;
  RateMeter records_rate_ SLUICE_GUARDED_BY(mu_);
  LatencyHistogram latency_ SLUICE_GUARDED_BY(mu_);
  ProducerStatsSnapshot counters_ SLUICE_GUARDED_BY(mu_);
};

// "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB".
std::string FormatBytes(double bytes);

}  // namespace sluice::pipeline
