// ShardBudget: the server-wide shard bound (--max-total-shards).
#include "kinesis/shard_budget.h"

#include <gtest/gtest.h>

namespace sluice::kinesis {
namespace {

TEST(ShardBudget, ReservesUpToTheLimitAndNamesTheFlagWhenFull) {
  ShardBudget budget(10);
  auto a = budget.Reserve(6);
  ASSERT_TRUE(a.ok());
  a->Keep();
  auto b = budget.Reserve(5);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(b.status().message().find("--max-total-shards"), std::string::npos);
  EXPECT_NE(b.status().message().find("Current shard count for the server: 6. Limit: 10."), std::string::npos);
  EXPECT_EQ(budget.used(), 6);
  auto c = budget.Reserve(4);
  ASSERT_TRUE(c.ok());
  c->Keep();
  EXPECT_EQ(budget.used(), 10);
}

TEST(ShardBudget, AReservationNotKeptIsGivenBack) {
  ShardBudget budget(10);
  {
    auto r = budget.Reserve(8);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(budget.used(), 8);
  }  // the change failed
  EXPECT_EQ(budget.used(), 0);
  budget.Set(9);
  budget.Release(4);
  EXPECT_EQ(budget.used(), 5);
  budget.Release(100);
  EXPECT_EQ(budget.used(), 0);
}

TEST(ShardBudget, ZeroMeansUnlimited) {
  ShardBudget budget(0);
  auto r = budget.Reserve(1'000'000);
  ASSERT_TRUE(r.ok());
  r->Keep();
  EXPECT_EQ(budget.used(), 1'000'000);
}

}  // namespace
}  // namespace sluice::kinesis
