// Resharding as metadata edits (kinesis/resharding.h): exact hash ranges,
// lineage, ending offsets, and UpdateShardCount's uniform scaling.
#include <gtest/gtest.h>

#include <map>

#include "kinesis/resharding.h"

namespace sluice::kinesis {
namespace {

StreamMeta EvenStream(int shards) {
  StreamMeta m;
  auto ranges = model::EvenHashKeyRanges(shards);
  for (int i = 0; i < shards; ++i) {
    ShardMeta s;
    s.index = static_cast<uint32_t>(i);
    s.range = ranges[i];
    m.shards.push_back(s);
  }
  return m;
}

uint64_t FixedEnd(uint32_t index) { return 100 + index; }

// Open shards cover [0, 2^128-1] without gaps or overlaps.
void ExpectOpenShardsCoverKeySpace(const StreamMeta& m) {
  auto open = OpenShardsByRange(m);
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open.front()->range.start, model::HashKey{0});
  EXPECT_EQ(open.back()->range.end, model::kMaxHashKey);
  for (size_t i = 1; i < open.size(); ++i) EXPECT_EQ(open[i - 1]->range.end + 1, open[i]->range.start);
}

TEST(KinesisResharding, SplitClosesParentAndAddsTwoChildrenWithExactRanges) {
  StreamMeta m = EvenStream(1);
  model::HashKey key = *model::ParseHashKey("170141183460469231731687303715884105728");
  ASSERT_EQ(SplitShard(m, 0, key, 5000, FixedEnd), ReshardRefusal::kNone);
  ASSERT_EQ(m.shards.size(), 3u);
  EXPECT_FALSE(m.shards[0].open());
  EXPECT_EQ(*m.shards[0].ending_offset, 100u);
  EXPECT_EQ(*m.shards[0].closed_ms, 5000);
  EXPECT_EQ(m.shards[1].range.start, model::HashKey{0});
  EXPECT_EQ(m.shards[1].range.end, key - 1);
  EXPECT_EQ(m.shards[2].range.start, key);
  EXPECT_EQ(m.shards[2].range.end, model::kMaxHashKey);
  for (int i : {1, 2}) {
    EXPECT_EQ(*m.shards[i].parent, 0u);
    EXPECT_FALSE(m.shards[i].adjacent_parent.has_value());
    EXPECT_EQ(m.shards[i].created_ms, 5000);
    EXPECT_TRUE(m.shards[i].open());
  }
}

TEST(KinesisResharding, SplitRefusesKeysOutsideTheShardAndClosedShards) {
  StreamMeta m = EvenStream(2);
  model::HashKey start1 = m.shards[1].range.start;
  EXPECT_EQ(SplitShard(m, 1, start1, 0, FixedEnd), ReshardRefusal::kHashKeyOutOfRange);
  EXPECT_EQ(SplitShard(m, 1, start1 + 1, 0, FixedEnd), ReshardRefusal::kHashKeyOutOfRange);
  EXPECT_EQ(SplitShard(m, 1, model::kMaxHashKey, 0, FixedEnd), ReshardRefusal::kHashKeyOutOfRange);
  EXPECT_EQ(SplitShard(m, 1, 5, 0, FixedEnd), ReshardRefusal::kHashKeyOutOfRange);  // in shard 0's range
  EXPECT_EQ(m.shards.size(), 2u);
  ASSERT_EQ(SplitShard(m, 1, start1 + 2, 0, FixedEnd), ReshardRefusal::kNone);
  EXPECT_EQ(SplitShard(m, 1, start1 + 3, 0, FixedEnd), ReshardRefusal::kShardClosed);
}

TEST(KinesisResharding, MergeNeedsAdjacentOpenShards) {
  StreamMeta m = EvenStream(3);
  EXPECT_EQ(MergeShards(m, 0, 2, 0, FixedEnd), ReshardRefusal::kNotAdjacent);
  EXPECT_EQ(MergeShards(m, 1, 1, 0, FixedEnd), ReshardRefusal::kNotAdjacent);
  ASSERT_EQ(MergeShards(m, 2, 1, 7, FixedEnd), ReshardRefusal::kNone);  // either order
  ASSERT_EQ(m.shards.size(), 4u);
  const ShardMeta& child = m.shards[3];
  EXPECT_EQ(*child.parent, 2u);
  EXPECT_EQ(*child.adjacent_parent, 1u);
  EXPECT_EQ(child.range.start, m.shards[1].range.start);
  EXPECT_EQ(child.range.end, model::kMaxHashKey);
  EXPECT_EQ(*m.shards[1].ending_offset, 101u);
  EXPECT_EQ(*m.shards[2].ending_offset, 102u);
  EXPECT_EQ(MergeShards(m, 0, 1, 0, FixedEnd), ReshardRefusal::kShardClosed);
  ExpectOpenShardsCoverKeySpace(m);
}

TEST(KinesisResharding, DoublingSplitsEveryShardOnce) {
  StreamMeta m = EvenStream(2);
  ScaleUniformly(m, 4, 0, FixedEnd);
  EXPECT_EQ(m.shards.size(), 6u);
  auto open = OpenShardsByRange(m);
  auto want = model::EvenHashKeyRanges(4);
  ASSERT_EQ(open.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(open[i]->range.start, want[i].start);
    EXPECT_EQ(open[i]->range.end, want[i].end);
    EXPECT_LT(*open[i]->parent, 2u);
  }
  EXPECT_EQ(*m.shards[0].ending_offset, 100u);
  EXPECT_EQ(*m.shards[1].ending_offset, 101u);
}

TEST(KinesisResharding, HalvingMergesPairs) {
  StreamMeta m = EvenStream(4);
  ScaleUniformly(m, 2, 0, FixedEnd);
  EXPECT_EQ(m.shards.size(), 6u);
  EXPECT_EQ(*m.shards[4].parent, 0u);
  EXPECT_EQ(*m.shards[4].adjacent_parent, 1u);
  EXPECT_EQ(*m.shards[5].parent, 2u);
  EXPECT_EQ(*m.shards[5].adjacent_parent, 3u);
  ExpectOpenShardsCoverKeySpace(m);
}

// Uneven targets need splits (at each target boundary inside a shard) and then
// merges (of each target range's pieces); 0 = total not checked.
TEST(KinesisResharding, UnevenTargetsGiveEvenRangesAndTwoParentLineage) {
  const std::map<std::pair<int, int>, size_t> expected_total = {{{2, 4}, 6}, {{4, 5}, 15}, {{4, 2}, 6},  {{5, 3}, 13},
                                                                {{3, 5}, 0}, {{7, 4}, 0},  {{10, 13}, 0}};
  for (const auto& [counts, total] : expected_total) {
    auto [from, to] = counts;
    StreamMeta m = EvenStream(from);
    ScaleUniformly(m, to, 0, FixedEnd);
    SCOPED_TRACE(std::to_string(from) + " -> " + std::to_string(to));
    if (total) {
      EXPECT_EQ(m.shards.size(), total);
    }
    auto open = OpenShardsByRange(m);
    auto want = model::EvenHashKeyRanges(to);
    ASSERT_EQ(open.size(), static_cast<size_t>(to));
    for (int i = 0; i < to; ++i) {
      EXPECT_EQ(open[i]->range.start, want[i].start);
      EXPECT_EQ(open[i]->range.end, want[i].end);
    }
    for (size_t i = static_cast<size_t>(from); i < m.shards.size(); ++i) {
      const ShardMeta& s = m.shards[i];
      ASSERT_TRUE(s.parent.has_value());
      EXPECT_LT(*s.parent, i);
      // Shards made and closed within the call are empty.
      if (!s.open()) {
        EXPECT_EQ(*s.ending_offset, 0u);
      }
    }
    for (int i = 0; i < from; ++i) {
      if (!m.shards[i].open()) {
        EXPECT_EQ(*m.shards[i].ending_offset, 100u + i);
      }
    }
  }
}

TEST(KinesisResharding, ExpiredMeansClosedBeforeTheRetentionCutoff) {
  ShardMeta s;
  EXPECT_FALSE(ShardExpired(s, 1000));
  s.closed_ms = 999;
  EXPECT_TRUE(ShardExpired(s, 1000));
  EXPECT_FALSE(ShardExpired(s, 999));
}

}  // namespace
}  // namespace sluice::kinesis
