// MonotonicClock: elapsed time that never jumps backwards or with the wall
// clock (std::chrono::steady_clock, CLOCK_MONOTONIC), for timeouts,
// deadlines, backoff and rates. Injectable like base/clock.h's wall Clock,
// so that a test moves time by hand (ManualMonotonicClock) instead of
// sleeping. Wall-clock time (timestamps that are stored or shown to
// clients) stays with base/clock.h.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice {

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  // Nanoseconds since an arbitrary fixed point (the same for the whole
  // process); only differences mean something. Never decreases.
  virtual int64_t NowNanos() const = 0;
  int64_t NowMillis() const { return NowNanos() / 1'000'000; }
  // The process-wide real monotonic clock.
  static const MonotonicClock& Real();
};

// A monotonic clock that only moves when told to. Thread-safe.
class ManualMonotonicClock final : public MonotonicClock {
 public:
  explicit ManualMonotonicClock(int64_t start_nanos = 0) : now_(start_nanos) {}
  int64_t NowNanos() const override { return now_.load(std::memory_order_acquire); }
  // Moves forward by `nanos` (negative values are ignored: monotonic).
  void Advance(int64_t nanos) {
    if (nanos > 0) now_.fetch_add(nanos, std::memory_order_acq_rel);
  }
  void AdvanceMillis(int64_t ms) { Advance(ms * 1'000'000); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sluice
