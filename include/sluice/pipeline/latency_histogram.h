// LatencyHistogram: an HDR-style log-linear histogram of non-negative int64
// values (milliseconds here). Values below 128 are exact; above, every power
// of two is split into 64 buckets, so a reported percentile is within 1/128
// (0.8%) of a recorded value. Fixed memory (~30 KiB), O(1) Record.
//
// Thread-safety: none (ConsumerStats guards its instance).
#pragma once

#include <array>
#include <cstdint>

namespace sluice::pipeline {

class LatencyHistogram {
 public:
  // Negative values are recorded as 0.
  void Record(int64_t value);
  void Merge(const LatencyHistogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // The value at percentile p in [0, 100] (nearest rank: the smallest
  // recorded value v such that at least p% of values are <= v), to bucket
  // precision and clamped to [min, max]; Percentile(100) == max() exactly.
  // 0 when empty.
  int64_t Percentile(double p) const;

  static constexpr int kSubBits = 6;             // 64 buckets per power of two
  static constexpr int kLinear = 2 << kSubBits;  // values below this are exact
  static constexpr int kBuckets = kLinear + (63 - (kSubBits + 1)) * (1 << kSubBits);

 private:
  static int Index(uint64_t v);
  static int64_t Midpoint(int index);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  __int128 sum_ = 0;
};

}  // namespace sluice::pipeline
