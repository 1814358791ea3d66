#include "sluice/pipeline/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sluice::pipeline {

int LatencyHistogram::Index(uint64_t v) {
  if (v < static_cast<uint64_t>(kLinear)) return static_cast<int>(v);
  const int e = 63 - std::countl_zero(v);  // >= kSubBits + 1
  const int sub = static_cast<int>((v >> (e - kSubBits)) & ((1u << kSubBits) - 1));
  return kLinear + (e - (kSubBits + 1)) * (1 << kSubBits) + sub;
}

int64_t LatencyHistogram::Midpoint(int index) {
  if (index < kLinear) return index;
  const int k = index - kLinear;
  const int e = k / (1 << kSubBits) + kSubBits + 1;
  const int sub = k % (1 << kSubBits);
  const int shift = e - kSubBits;
  const uint64_t lo = (static_cast<uint64_t>((1 << kSubBits) + sub)) << shift;
  return static_cast<int64_t>(lo + ((uint64_t{1} << shift) >> 1));
}

void LatencyHistogram::Record(int64_t value) {
  if (value < 0) value = 0;
  ++buckets_[static_cast<size_t>(Index(static_cast<uint64_t>(value)))];
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& o) {
  if (o.count_ == 0) return;
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  min_ = count_ ? std::min(min_, o.min_) : o.min_;
  max_ = count_ ? std::max(max_, o.max_) : o.max_;
  count_ += o.count_;
  sum_ += o.sum_;
}

void LatencyHistogram::Clear() { *this = LatencyHistogram(); }

int64_t LatencyHistogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  if (p >= 100) return max_;
  if (p <= 0) return min_;
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[static_cast<size_t>(i)];
    if (seen >= rank) return std::clamp(Midpoint(i), min_, max_);
  }
  return max_;
}

}  // namespace sluice::pipeline
