#include <gtest/gtest.h>

#include "sluice/pipeline/shard_lineage.h"

namespace sluice::pipeline {
namespace {

using Ids = std::vector<std::string>;

TEST(ShardLineage, ShardsWithoutParentsAreReadable) {
  auto plan = PlanReadableShards({{"s0", "", "", false}, {"s1", "", "", false}}, {});
  EXPECT_EQ(plan.readable, (Ids{"s0", "s1"}));
  EXPECT_TRUE(plan.blocked.empty());
}

TEST(ShardLineage, SplitChildrenWaitUntilTheParentIsFinished) {
  const std::vector<ShardInfo> shards = {{"s0", "", "", true}, {"s1", "s0", "", false}, {"s2", "s0", "", false}};
  auto before = PlanReadableShards(shards, {});
  EXPECT_EQ(before.readable, (Ids{"s0"}));  // a closed shard is still read to its end
  EXPECT_EQ(before.blocked, (Ids{"s1", "s2"}));
  auto after = PlanReadableShards(shards, {"s0"});
  EXPECT_EQ(after.readable, (Ids{"s1", "s2"}));
  EXPECT_EQ(after.finished, (Ids{"s0"}));
  EXPECT_TRUE(after.blocked.empty());
}

TEST(ShardLineage, MergeChildWaitsForBothParents) {
  const std::vector<ShardInfo> shards = {{"a", "", "", true}, {"b", "", "", true}, {"m", "a", "b", false}};
  EXPECT_EQ(PlanReadableShards(shards, {"a"}).blocked, (Ids{"m"}));
  EXPECT_EQ(PlanReadableShards(shards, {"b"}).blocked, (Ids{"m"}));
  auto both = PlanReadableShards(shards, {"a", "b"});
  EXPECT_EQ(both.readable, (Ids{"m"}));
}

TEST(ShardLineage, ParentsExpiredPastRetentionDoNotBlock) {
  // "s0" and "b" are no longer listed: their records are gone, nothing to wait for.
  auto plan = PlanReadableShards({{"s1", "s0", "", false}, {"a", "", "", true}, {"m", "a", "b", false}}, {});
  EXPECT_EQ(plan.readable, (Ids{"s1", "a"}));
  EXPECT_EQ(plan.blocked, (Ids{"m"}));  // "a" is still listed and unfinished
}

TEST(ShardLineage, GrandchildrenWaitForTheWholeChain) {
  const std::vector<ShardInfo> shards = {{"g0", "", "", true}, {"g1", "g0", "", true}, {"g2", "g1", "", false}};
  EXPECT_EQ(PlanReadableShards(shards, {}).readable, (Ids{"g0"}));
  EXPECT_EQ(PlanReadableShards(shards, {"g0"}).readable, (Ids{"g1"}));
  EXPECT_EQ(PlanReadableShards(shards, {"g0", "g1"}).readable, (Ids{"g2"}));
}

TEST(ShardLineage, FinishedShardsAreNeverReadableAgain) {
  auto plan = PlanReadableShards({{"s0", "", "", true}, {"s1", "", "", false}}, {"s0", "gone"});
  EXPECT_EQ(plan.readable, (Ids{"s1"}));
  EXPECT_EQ(plan.finished, (Ids{"s0"}));
}

}  // namespace
}  // namespace sluice::pipeline
