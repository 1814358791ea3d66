// Opt-in AWS limits and fault injection (`sluice serve --throughput-limits`,
// `--fault-put-fraction F --fault-seed S`), so producers and consumers can
// test back-pressure and retries locally.
//
// Per shard, as on AWS: writes 1 MiB/s and 1000 records/s (partition keys
// count as data), reads 2 MiB/s and 5 GetRecords calls/s. Each limit is a
// token bucket refilled continuously and holding at most one second's worth.
// A request is admitted while its bucket is positive and then takes its full
// cost, possibly into debt: this is AWS's burst behaviour for large records
// (a 10 MiB record is accepted, and the shard then refuses writes until the
// debt is paid back at 1 MiB/s) and for reads ("after a 10 MiB response,
// calls in the next 5 s throw ProvisionedThroughputExceededException").
//
// GetShardIterator is limited to 5 calls/s per shard (the exception again).
// Control-plane operations have per-account transaction rates (CreateStream
// 5/s, DescribeStream 10/s, ...) answered with LimitExceededException;
// UpdateShardCount allows 10 scalings and UpdateStreamMode 2 capacity-mode
// switches per stream per rolling 24 h.
//
// Fault injection is independent of the limits: each PutRecord(s) entry, in
// arrival order, fails with InternalFailure with probability F, decided by a
// counter-based hash of (seed, entry number), so a run with the same seed and
// the same sequence of entries fails the same entries.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "base/mutex.h"

namespace sluice::kinesis {

struct ThroughputOptions {
  bool enforce_limits = false;
  double fault_put_fraction = 0.0;  // 0..1
  uint64_t fault_seed = 1;
};

// A continuous token bucket allowing debt (see above).
class TokenBucket {
 public:
  TokenBucket(double rate_per_s, double capacity) : rate_(rate_per_s), capacity_(capacity), balance_(capacity) {}
  // True (and takes `cost`) when the balance, refilled up to `now_ms`, is positive.
  bool TryTake(double cost, int64_t now_ms);
  // Takes `cost` unconditionally (charging what was already served).
  void Charge(double cost, int64_t now_ms);
  bool Positive(int64_t now_ms);

 private:
  void Refill(int64_t now_ms);
  double rate_, capacity_, balance_;
  int64_t last_ms_ = -1;
};

class ThroughputLimiter {
 public:
  static constexpr double kWriteBytesPerSecond = 1 << 20;
  static constexpr double kWriteRecordsPerSecond = 1000;
  static constexpr double kReadBytesPerSecond = 2 << 20;
  static constexpr double kReadCallsPerSecond = 5;
  static constexpr int kScalingsPerDay = 10;
  static constexpr int kModeSwitchesPerDay = 2;
  static constexpr double kIteratorCallsPerSecond = 5;

  explicit ThroughputLimiter(ThroughputOptions options) : options_(options) {}

  bool enforcing() const { return options_.enforce_limits; }
  bool injecting_faults() const { return options_.fault_put_fraction > 0; }

  // One record of `bytes` (data + partition key) to `shard` of the stream
  // identified by `stream_key`; false = ProvisionedThroughputExceeded.
  bool AdmitWrite(const std::string& stream_key, uint32_t shard, size_t bytes, int64_t now_ms);
  // One GetRecords call on `shard`; false = ProvisionedThroughputExceeded.
  bool AdmitRead(const std::string& stream_key, uint32_t shard, int64_t now_ms);
  // The bytes a GetRecords answer returned.
  void ChargeRead(const std::string& stream_key, uint32_t shard, size_t bytes, int64_t now_ms);
  // One call of a control-plane `operation` by the account of `region`;
  // false = LimitExceeded. Operations without a documented rate pass.
  bool AdmitControl(const std::string& region, std::string_view operation, int64_t now_ms);
  // One GetShardIterator on `shard`; false = ProvisionedThroughputExceeded.
  bool AdmitIterator(const std::string& stream_key, uint32_t shard, int64_t now_ms);
  // One UpdateShardCount of the stream; false when it had 10 in the last 24 h.
  bool AdmitScaling(const std::string& stream_key, int64_t now_ms);
  // One UpdateStreamMode of the stream; false when it had 2 in the last 24 h.
  bool AdmitModeSwitch(const std::string& stream_key, int64_t now_ms);
  // Whether the next PutRecord(s) entry fails with InternalFailure.
  bool NextPutFails();

 private:
  struct ShardBuckets {
    TokenBucket write_bytes{kWriteBytesPerSecond, kWriteBytesPerSecond};
    TokenBucket write_records{kWriteRecordsPerSecond, kWriteRecordsPerSecond};
    TokenBucket read_bytes{kReadBytesPerSecond, kReadBytesPerSecond};
    TokenBucket read_calls{kReadCallsPerSecond, kReadCallsPerSecond};
    TokenBucket iterator_calls{kIteratorCallsPerSecond, kIteratorCallsPerSecond};
  };
  // At most `limit` events per rolling 24 h in `times` (recording this one).
  static bool AdmitDaily(std::deque<int64_t>& times, int limit, int64_t now_ms);
  ShardBuckets& Shard(const std::string& stream_key, uint32_t shard) REQUIRES(mu_);

  ThroughputOptions options_;
  Mutex mu_;
  std::map<std::pair<std::string, uint32_t>, ShardBuckets> shards_ GUARDED_BY(mu_);
  std::map<std::string, TokenBucket> control_ GUARDED_BY(mu_);                // by region + operation
  std::map<std::string, std::deque<int64_t>> scalings_ GUARDED_BY(mu_);       // by stream: times of recent scalings
  std::map<std::string, std::deque<int64_t>> mode_switches_ GUARDED_BY(mu_);  // by stream
  uint64_t put_entries_ GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::kinesis
