// The server-wide budget for request bytes in memory: headers and bodies of
// requests being read or handled, on every connection, HTTP/1.1 and HTTP/2
// alike (ServerOptions::max_inflight_bytes). A request that does not fit is
// refused (HTTP/1.1: 503; HTTP/2: RST_STREAM REFUSED_STREAM) instead of
// growing the process without bound.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice::http {

// A count against a limit; thread-safe. The first refusal is logged (stderr),
// and again only after the count fell to half the limit.
class InflightBudget {
 public:
  explicit InflightBudget(uint64_t limit) : limit_(limit) {}
  InflightBudget(const InflightBudget&) = delete;
  InflightBudget& operator=(const InflightBudget&) = delete;

  // Takes `bytes` when they fit under the limit; otherwise takes nothing and
  // returns false.
  bool TryTake(uint64_t bytes);
  void Give(uint64_t bytes);
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }

 private:
  std::atomic<uint64_t> used_{0};
  std::atomic<bool> refusing_{false};  // logged, not yet back to half the limit
  const uint64_t limit_;
};

// The bytes one request holds of a budget, given back by Reset() or the
// destructor, so every way a request ends (answered, refused, reset, timed
// out, connection closed) returns them. Not thread-safe itself: one owner.
class InflightHold {
 public:
  InflightHold() = default;
  explicit InflightHold(InflightBudget* budget) : budget_(budget) {}
  InflightHold(InflightHold&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.bytes_ = 0; }
  InflightHold& operator=(InflightHold&& other) noexcept;
  ~InflightHold() { Reset(); }

  // Holds `bytes` more; false (holding no more than before) when the budget
  // cannot give them.
  bool Grow(uint64_t bytes);
  // Gives everything back.
  void Reset();
  uint64_t bytes() const { return bytes_; }

 private:
  InflightBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace sluice::http
