// InflightBudget and InflightHold: takes fit under the limit or take nothing,
// and a hold gives back everything it took on every way it ends.
#include "http/inflight_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <utility>
#include <vector>

namespace sluice::http {
namespace {

TEST(InflightBudgetTest, TakesOnlyWhatFits) {
  InflightBudget budget(100);
  EXPECT_TRUE(budget.TryTake(60));
  EXPECT_FALSE(budget.TryTake(41));
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.TryTake(40));
  EXPECT_FALSE(budget.TryTake(1));
  budget.Give(100);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_FALSE(budget.TryTake(101));
  EXPECT_FALSE(budget.TryTake(~uint64_t{0}));  // no overflow
}

TEST(InflightHoldTest, GivesBackOnResetDestructionAndMove) {
  InflightBudget budget(100);
  {
    InflightHold hold(&budget);
    EXPECT_TRUE(hold.Grow(30));
    EXPECT_TRUE(hold.Grow(30));
    EXPECT_FALSE(hold.Grow(50));  // holds no more than before
    EXPECT_EQ(hold.bytes(), 60u);
    EXPECT_EQ(budget.used(), 60u);
    InflightHold moved(std::move(hold));
    EXPECT_EQ(hold.bytes(), 0u);
    EXPECT_EQ(budget.used(), 60u);
    InflightHold other(&budget);
    EXPECT_TRUE(other.Grow(10));
    other = std::move(moved);  // other's 10 given back
    EXPECT_EQ(budget.used(), 60u);
    other.Reset();
    EXPECT_EQ(budget.used(), 0u);
    EXPECT_TRUE(other.Grow(5));
  }
  EXPECT_EQ(budget.used(), 0u);
  InflightHold unbound;
  EXPECT_FALSE(unbound.Grow(1));
}

TEST(InflightBudgetTest, ConcurrentTakesNeverExceedTheLimit) {
  InflightBudget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<int> taken{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        if (budget.TryTake(7)) {
          taken.fetch_add(1);
          EXPECT_LE(budget.used(), 1000u);
          budget.Give(7);
        }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_GT(taken.load(), 0);
}

}  // namespace
}  // namespace sluice::http
