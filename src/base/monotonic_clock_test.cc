#include "base/monotonic_clock.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(MonotonicClock, RealNeverGoesBack) {
  const MonotonicClock& c = MonotonicClock::Real();
  int64_t last = c.NowNanos();
  for (int i = 0; i < 1000; ++i) {
    int64_t now = c.NowNanos();
    EXPECT_GE(now, last);
    last = now;
  }
}

TEST(MonotonicClock, ManualMovesOnlyForwardAndOnlyWhenTold) {
  ManualMonotonicClock c(5);
  EXPECT_EQ(c.NowNanos(), 5);
  c.Advance(-3);
  EXPECT_EQ(c.NowNanos(), 5);
  c.AdvanceMillis(2);
  EXPECT_EQ(c.NowNanos(), 2'000'005);
  EXPECT_EQ(c.NowMillis(), 2);
}

}  // namespace
}  // namespace sluice
