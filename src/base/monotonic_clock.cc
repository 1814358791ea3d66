#include "base/monotonic_clock.h"

#include <chrono>

namespace sluice {

namespace {
class RealMonotonicClock final : public MonotonicClock {
 public:
  int64_t NowNanos() const override {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
  }
};
}  // namespace

const MonotonicClock& MonotonicClock::Real() {
  static const RealMonotonicClock clock;
  return clock;
}

}  // namespace sluice
