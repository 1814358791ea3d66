#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sluice/pipeline/dedup_window.h"

namespace sluice::pipeline {
namespace {

std::vector<std::string> InsertedIds(const DedupDelta& d) {
  std::vector<std::string> ids;
  for (const auto& e : d.inserted) ids.push_back(e.event_id);
  return ids;
}

TEST(DedupWindow, SecondSightingIsADuplicate) {
  DedupWindow w;
  EXPECT_FALSE(w.SeenOrInsert("a", 0));
  EXPECT_TRUE(w.SeenOrInsert("a", 1));
  EXPECT_FALSE(w.SeenOrInsert("b", 2));
  EXPECT_TRUE(w.Contains("b"));
  EXPECT_EQ(w.size(), 2u);
}

TEST(DedupWindow, EvictsOldestFirstBeyondTheCountBound) {
  DedupWindow w({3, 1'000'000});
  for (const char* id : {"a", "b", "c", "d"}) EXPECT_FALSE(w.SeenOrInsert(id, 0));
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(w.Contains("a"));
  EXPECT_TRUE(w.Contains("b"));
  EXPECT_TRUE(w.Contains("d"));
  EXPECT_EQ(w.evictions(), 1u);
  // A duplicate does not refresh its position: "b" is still the oldest.
  EXPECT_TRUE(w.SeenOrInsert("b", 1));
  EXPECT_FALSE(w.SeenOrInsert("e", 1));
  EXPECT_FALSE(w.Contains("b"));
  // An evicted id is new again.
  EXPECT_FALSE(w.SeenOrInsert("a", 2));
}

TEST(DedupWindow, EvictsByAge) {
  DedupWindow w({100, 1000});
  EXPECT_FALSE(w.SeenOrInsert("a", 0));
  EXPECT_FALSE(w.SeenOrInsert("b", 500));
  EXPECT_TRUE(w.SeenOrInsert("a", 999));  // 999 ms old: still in the window
  w.EvictExpired(1000);
  EXPECT_FALSE(w.Contains("a"));
  EXPECT_TRUE(w.Contains("b"));
  EXPECT_FALSE(w.SeenOrInsert("c", 1499));
  EXPECT_TRUE(w.Contains("b"));
  EXPECT_FALSE(w.SeenOrInsert("b", 1500));  // expired on this call, so new again
  EXPECT_EQ(w.size(), 2u);                  // c, b
}

TEST(DedupWindow, DeltaHoldsNewIdsAndEvictionsOfDurableIds) {
  DedupWindow w({2, 1'000'000});
  w.SeenOrInsert("a", 1);
  w.SeenOrInsert("b", 2);
  DedupDelta d1 = w.PendingDelta();
  EXPECT_EQ(InsertedIds(d1), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(d1.evicted.empty());
  w.AcknowledgeDelta(d1);
  EXPECT_FALSE(w.has_pending_changes());
  EXPECT_TRUE(w.PendingDelta().inserted.empty());

  w.SeenOrInsert("c", 3);  // evicts durable "a"
  DedupDelta d2 = w.PendingDelta();
  EXPECT_EQ(InsertedIds(d2), (std::vector<std::string>{"c"}));
  EXPECT_EQ(d2.evicted, (std::vector<std::string>{"a"}));
  EXPECT_EQ(d2.inserted[0].first_seen_ms, 3);
  w.AcknowledgeDelta(d2);
  EXPECT_FALSE(w.has_pending_changes());
}

TEST(DedupWindow, IdsInsertedAndEvictedBetweenCommitsNeverReachTheDelta) {
  DedupWindow w({2, 1'000'000});
  w.SeenOrInsert("a", 1);
  w.AcknowledgeDelta(w.PendingDelta());
  w.SeenOrInsert("x", 2);
  w.SeenOrInsert("y", 3);  // evicts durable "a"
  w.SeenOrInsert("z", 4);  // evicts "x", never durable
  DedupDelta d = w.PendingDelta();
  EXPECT_EQ(InsertedIds(d), (std::vector<std::string>{"y", "z"}));
  EXPECT_EQ(d.evicted, (std::vector<std::string>{"a"}));
}

TEST(DedupWindow, EvictedThenReinsertedIdIsDeletedThenInserted) {
  DedupWindow w({1, 1'000'000});
  w.SeenOrInsert("a", 1);
  w.AcknowledgeDelta(w.PendingDelta());
  w.SeenOrInsert("b", 2);  // evicts a
  w.SeenOrInsert("a", 3);  // evicts b, a is new again
  DedupDelta d = w.PendingDelta();
  EXPECT_EQ(d.evicted, (std::vector<std::string>{"a"}));
  EXPECT_EQ(InsertedIds(d), (std::vector<std::string>{"a"}));
}

TEST(DedupWindow, ChangesAfterPendingDeltaStayPendingAfterAcknowledge) {
  DedupWindow w({10, 1'000'000});
  w.SeenOrInsert("a", 1);
  DedupDelta d = w.PendingDelta();
  w.SeenOrInsert("b", 2);
  w.AcknowledgeDelta(d);
  EXPECT_EQ(InsertedIds(w.PendingDelta()), (std::vector<std::string>{"b"}));
}

TEST(DedupWindow, RestoredEntriesAreDurableAndBounded) {
  DedupWindow w({2, 1'000'000});
  w.Restore("a", 1);
  w.Restore("b", 2);
  w.Restore("b", 2);  // ignored
  EXPECT_FALSE(w.has_pending_changes());
  w.Restore("c", 3);  // over the bound: durable "a" is evicted, and that is pending
  EXPECT_FALSE(w.Contains("a"));
  DedupDelta d = w.PendingDelta();
  EXPECT_TRUE(d.inserted.empty());
  EXPECT_EQ(d.evicted, (std::vector<std::string>{"a"}));
  EXPECT_TRUE(w.SeenOrInsert("b", 4));
}

TEST(DedupWindow, MovedWindowKeepsWorking) {
  DedupWindow w({1000, 1'000'000});
  for (int i = 0; i < 500; ++i)
    w.SeenOrInsert(std::string("id-with-a-long-enough-name-to-leave-sso-") + std::to_string(i), i);
  for (int i = 0; i < 5; ++i) w.SeenOrInsert(std::to_string(i), 600);  // short ids live inside std::string
  DedupWindow moved = std::move(w);
  for (int i = 0; i < 500; ++i)
    EXPECT_TRUE(moved.SeenOrInsert(std::string("id-with-a-long-enough-name-to-leave-sso-") + std::to_string(i), 700));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(moved.Contains(std::to_string(i)));
  DedupWindow assigned;
  assigned = std::move(moved);
  EXPECT_TRUE(assigned.Contains("3"));
}

TEST(DedupWindow, HundredThousandIdsStayBounded) {
  DedupWindow w;  // defaults: 100k entries, 1 h
  char id[16];
  for (int i = 0; i < 150'000; ++i) {
    std::snprintf(id, sizeof id, "e%d", i);
    ASSERT_FALSE(w.SeenOrInsert(id, 1000 + i / 100));
  }
  EXPECT_EQ(w.size(), 100'000u);
  EXPECT_FALSE(w.Contains("e49999"));
  EXPECT_TRUE(w.Contains("e50000"));
}

}  // namespace
}  // namespace sluice::pipeline
