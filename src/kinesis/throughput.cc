#include "kinesis/throughput.h"

#include <algorithm>

namespace sluice::kinesis {

namespace {
// Transactions per second per account, from each operation's AWS API
// reference ("has a limit of N transactions per second per account").
double ControlRate(std::string_view op) {
  static const std::map<std::string_view, double> kRates = {
      {"AddTagsToStream", 5},       {"CreateStream", 5},
      {"DeleteStream", 5},          {"DescribeLimits", 1},
      {"DescribeStream", 10},       {"DescribeStreamSummary", 20},
      {"ListShards", 1000},         {"ListStreams", 5},
      {"ListTagsForStream", 5},     {"MergeShards", 5},
      {"RemoveTagsFromStream", 5},  {"SplitShard", 5},
      {"UpdateShardCount", 10},     {"DescribeAccountSettings", 5},
      {"UpdateAccountSettings", 5}, {"UpdateStreamWarmThroughput", 5},
  };
  auto it = kRates.find(op);
  return it == kRates.end() ? 0 : it->second;
}

// splitmix64: a well-mixed 64-bit hash of the entry number.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

constexpr int64_t kDayMs = 24 * 3600 * 1000LL;
}  // namespace

void TokenBucket::Refill(int64_t now_ms) {
  if (last_ms_ >= 0 && now_ms > last_ms_)
    balance_ = std::min(capacity_, balance_ + rate_ * static_cast<double>(now_ms - last_ms_) / 1000.0);
  if (now_ms > last_ms_) last_ms_ = now_ms;
}

bool TokenBucket::Positive(int64_t now_ms) {
  Refill(now_ms);
  return balance_ > 0;
}

bool TokenBucket::TryTake(double cost, int64_t now_ms) {
  if (!Positive(now_ms)) return false;
  balance_ -= cost;
  return true;
}

void TokenBucket::Charge(double cost, int64_t now_ms) {
  Refill(now_ms);
  balance_ -= cost;
}

ThroughputLimiter::ShardBuckets& ThroughputLimiter::Shard(const std::string& stream_key, uint32_t shard) {
  return shards_[{stream_key, shard}];
}

bool ThroughputLimiter::AdmitWrite(const std::string& stream_key, uint32_t shard, size_t bytes, int64_t now_ms) {
  if (!options_.enforce_limits) return true;
  MutexLock lk(mu_);
  ShardBuckets& b = Shard(stream_key, shard);
  // Both limits must have room before either is charged.
  if (!b.write_records.Positive(now_ms) || !b.write_bytes.Positive(now_ms)) return false;
  b.write_records.Charge(1, now_ms);
  b.write_bytes.Charge(static_cast<double>(bytes), now_ms);
  return true;
}

bool ThroughputLimiter::AdmitRead(const std::string& stream_key, uint32_t shard, int64_t now_ms) {
  if (!options_.enforce_limits) return true;
  MutexLock lk(mu_);
  ShardBuckets& b = Shard(stream_key, shard);
  if (!b.read_bytes.Positive(now_ms)) return false;
  return b.read_calls.TryTake(1, now_ms);
}

void ThroughputLimiter::ChargeRead(const std::string& stream_key, uint32_t shard, size_t bytes, int64_t now_ms) {
  if (!options_.enforce_limits) return;
  MutexLock lk(mu_);
  Shard(stream_key, shard).read_bytes.Charge(static_cast<double>(bytes), now_ms);
}

bool ThroughputLimiter::AdmitControl(const std::string& region, std::string_view operation, int64_t now_ms) {
  if (!options_.enforce_limits) return true;
  double rate = ControlRate(operation);
  if (rate <= 0) return true;
  MutexLock lk(mu_);
  std::string key = region + "/" + std::string(operation);
  auto it = control_.try_emplace(key, rate, rate).first;
  return it->second.TryTake(1, now_ms);
}

bool ThroughputLimiter::AdmitIterator(const std::string& stream_key, uint32_t shard, int64_t now_ms) {
  if (!options_.enforce_limits) return true;
  MutexLock lk(mu_);
  return Shard(stream_key, shard).iterator_calls.TryTake(1, now_ms);
}

bool ThroughputLimiter::AdmitDaily(std::deque<int64_t>& times, int limit, int64_t now_ms) {
  while (!times.empty() && times.front() <= now_ms - kDayMs) times.pop_front();
  if (static_cast<int>(times.size()) >= limit) return false;
  times.push_back(now_ms);
  return true;
}

bool ThroughputLimiter::AdmitScaling(const std::string& stream_key, int64_t now_ms) {
  if (!options_.enforce_limits) return true;
  MutexLock lk(mu_);
  return AdmitDaily(scalings_[stream_key], kScalingsPerDay, now_ms);
}

bool ThroughputLimiter::AdmitModeSwitch(const std::string& stream_key, int64_t now_ms) {
  if (!options_.enforce_limits) return true;
  MutexLock lk(mu_);
  return AdmitDaily(mode_switches_[stream_key], kModeSwitchesPerDay, now_ms);
}

bool ThroughputLimiter::NextPutFails() {
  if (options_.fault_put_fraction <= 0) return false;
  MutexLock lk(mu_);
  uint64_t n = put_entries_++;
  double u = static_cast<double>(Mix(options_.fault_seed * 0x100000001B3ull ^ Mix(n)) >> 11) / 9007199254740992.0;
  return u < options_.fault_put_fraction;
}

}  // namespace sluice::kinesis
