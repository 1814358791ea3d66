// Query and Scan: order, sort-key conditions, directions, paging, parallel
// Scan segments, on the table and on an index.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "dynamodb/store/read_sql.h"
#include "dynamodb/store/store_test_util.h"
#include "dynamodb/store/table_store.h"

namespace sluice::dynamodb::store {
namespace {

using testing::Key;
using testing::TempDir;
using Op = RangeCondition::Op;

RangeCondition Cond(Op op, std::string a, std::string b = "") { return RangeCondition{op, std::move(a), std::move(b)}; }

class TableStoreRead : public ::testing::Test {
 protected:
  void SetUp() override {
    TableStoreOptions o;
    o.path = dir_.db();
    auto store = TableStore::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_
                    ->WriteAndWait([&](WriteTxn& txn) {
                      auto id = txn.CreateTable("r", "t", "{}");
                      if (!id.ok()) return id.status();
                      table_ = *id;
                      return Status::Ok();
                    })
                    .ok());
  }

  // Sort keys of partition `hash` matching `cond`, in `dir`, after `start`.
  std::vector<std::string> QueryRanges(const std::string& hash, RangeCondition cond,
                                       Direction dir = Direction::kForward,
                                       std::optional<StartAfter> start = std::nullopt) {
    std::vector<std::string> out;
    Status st = store_->Query(table_, kPrimary, hash, cond, dir, start, [&](const Row& r) {
      out.emplace_back(r.range);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  TempDir dir_;
  std::unique_ptr<TableStore> store_;
  TableId table_ = 0;
};

TEST_F(TableStoreRead, QueryAppliesEverySortKeyCondition) {
  std::vector<std::string> ranges = {"a", "ab", "abc", "b", std::string("b\xff", 2), std::string("b\xff\xff", 3), "c"};
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    for (const auto& r : ranges)
                      SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("h", r), "v", 1, {}, std::nullopt));
                    return txn.Put(table_, Key("other", "a"), "v", 2, {}, std::nullopt);
                  })
                  .ok());
  using V = std::vector<std::string>;
  EXPECT_EQ(QueryRanges("h", {}), ranges);
  EXPECT_EQ(QueryRanges("h", Cond(Op::kEq, "ab")), V{"ab"});
  EXPECT_EQ(QueryRanges("h", Cond(Op::kLt, "ab")), V{"a"});
  EXPECT_EQ(QueryRanges("h", Cond(Op::kLe, "ab")), (V{"a", "ab"}));
  EXPECT_EQ(QueryRanges("h", Cond(Op::kGt, "b\xff")), (V{std::string("b\xff\xff", 3), "c"}));
  EXPECT_EQ(QueryRanges("h", Cond(Op::kGe, "c")), V{"c"});
  EXPECT_EQ(QueryRanges("h", Cond(Op::kBetween, "ab", "b")), (V{"ab", "abc", "b"}));
  EXPECT_EQ(QueryRanges("h", Cond(Op::kBeginsWith, "ab")), (V{"ab", "abc"}));
  // A prefix ending in 0xFF has its successor further left; all-0xFF has none.
  EXPECT_EQ(QueryRanges("h", Cond(Op::kBeginsWith, "b\xff")),
            (V{std::string("b\xff", 2), std::string("b\xff\xff", 3)}));
  EXPECT_EQ(QueryRanges("h", Cond(Op::kBeginsWith, "")), ranges);
  EXPECT_TRUE(QueryRanges("h", Cond(Op::kBeginsWith, "\xff")).empty());
  EXPECT_TRUE(QueryRanges("nobody", {}).empty());

  V backward(ranges.rbegin(), ranges.rend());
  EXPECT_EQ(QueryRanges("h", {}, Direction::kBackward), backward);
  EXPECT_EQ(QueryRanges("h", Cond(Op::kBeginsWith, "a"), Direction::kBackward), (V{"abc", "ab", "a"}));
}

TEST_F(TableStoreRead, QueryPagesResumeAfterTheLastKeyBothWays) {
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    for (char c = 'a'; c <= 'j'; ++c)
                      SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("h", {c}), "v", 1, {}, std::nullopt));
                    return Status::Ok();
                  })
                  .ok());
  for (Direction dir : {Direction::kForward, Direction::kBackward}) {
    std::vector<std::string> all;
    std::optional<StartAfter> start;
    for (int page = 0; page < 20; ++page) {
      int n = 0;
      std::optional<StartAfter> last;
      ASSERT_TRUE(store_
                      ->Query(table_, kPrimary, "h", Cond(Op::kBetween, "b", "i"), dir, start,
                              [&](const Row& r) {
                                all.emplace_back(r.range);
                                last = StartAfter{r.hash32, "", "", Key(std::string(r.hash), std::string(r.range))};
                                return ++n < 3;  // Limit 3
                              })
                      .ok());
      if (n < 3) break;
      start = last;
    }
    std::vector<std::string> want = {"b", "c", "d", "e", "f", "g", "h", "i"};
    if (dir == Direction::kBackward) std::reverse(want.begin(), want.end());
    EXPECT_EQ(all, want);
  }
}

TEST_F(TableStoreRead, IndexQueryOrdersBySortKeyThenPrimaryKeyAndPages) {
  // Six items share index partition "p"; index sort keys collide on purpose.
  std::vector<std::pair<std::string, std::string>> items = {
      // primary hash, index range
      {"i5", "2"}, {"i1", "1"}, {"i3", "2"}, {"i2", "1"}, {"i4", "3"}, {"i0", "2"}};
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    for (const auto& [h, r] : items) {
                      IndexKey e{1, "p", r, 9};
                      SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key(h), "v", 1, {&e, 1}, std::nullopt));
                    }
                    return Status::Ok();
                  })
                  .ok());
  std::vector<std::string> want = {"i1", "i2", "i0", "i3", "i5", "i4"};
  for (Direction dir : {Direction::kForward, Direction::kBackward}) {
    std::vector<std::string> all;
    std::optional<StartAfter> start;
    for (int page = 0; page < 20; ++page) {
      int n = 0;
      std::optional<StartAfter> last;
      ASSERT_TRUE(store_
                      ->Query(table_, 1, "p", {}, dir, start,
                              [&](const Row& r) {
                                all.emplace_back(r.hash);
                                last = StartAfter{r.hash32, std::string(r.index_hash), std::string(r.index_range),
                                                  Key(std::string(r.hash), std::string(r.range))};
                                return ++n < 2;
                              })
                      .ok());
      if (n < 2) break;
      start = last;
    }
    std::vector<std::string> expect = want;
    if (dir == Direction::kBackward) std::reverse(expect.begin(), expect.end());
    EXPECT_EQ(all, expect);
  }
  std::vector<std::string> twos;
  ASSERT_TRUE(store_
                  ->Query(table_, 1, "p", Cond(Op::kEq, "2"), Direction::kForward, std::nullopt,
                          [&](const Row& r) {
                            twos.emplace_back(r.hash);
                            return true;
                          })
                  .ok());
  EXPECT_EQ(twos, (std::vector<std::string>{"i0", "i3", "i5"}));

  // Paging one row at a time through an equal index sort key, both ways.
  for (Direction dir : {Direction::kForward, Direction::kBackward}) {
    std::vector<std::string> paged;
    std::optional<StartAfter> start;
    for (int page = 0; page < 10; ++page) {
      std::optional<StartAfter> last;
      ASSERT_TRUE(store_
                      ->Query(table_, 1, "p", Cond(Op::kEq, "2"), dir, start,
                              [&](const Row& r) {
                                paged.emplace_back(r.hash);
                                last = StartAfter{r.hash32, std::string(r.index_hash), std::string(r.index_range),
                                                  Key(std::string(r.hash), std::string(r.range))};
                                return false;
                              })
                      .ok());
      if (!last) break;
      start = last;
    }
    std::vector<std::string> expect = {"i0", "i3", "i5"};
    if (dir == Direction::kBackward) std::reverse(expect.begin(), expect.end());
    EXPECT_EQ(paged, expect);
  }
  // A start before the equal sort key is no bound; one after it leaves nothing.
  auto count_after = [&](const std::string& start_range, Direction dir) {
    int n = 0;
    StartAfter start{9, "p", start_range, Key("i9")};
    EXPECT_TRUE(
        store_->Query(table_, 1, "p", Cond(Op::kEq, "2"), dir, start, [&](const Row&) { return ++n, true; }).ok());
    return n;
  };
  EXPECT_EQ(count_after("1", Direction::kForward), 3);
  EXPECT_EQ(count_after("3", Direction::kForward), 0);
  EXPECT_EQ(count_after("3", Direction::kBackward), 3);
  EXPECT_EQ(count_after("1", Direction::kBackward), 0);
}

// Scans [lo, hi) in pages of `page_size`, returning (hash32, hash, range)
// (the index's keys for an index).
using ScanRow = std::tuple<uint32_t, std::string, std::string>;
std::vector<ScanRow> ScanAll(TableStore& store, TableId table, IndexId index, uint64_t lo, uint64_t hi, int page_size) {
  std::vector<ScanRow> out;
  std::optional<StartAfter> start;
  for (int page = 0; page < 10'000; ++page) {
    int n = 0;
    std::optional<StartAfter> last;
    Status st = store.Scan(table, index, lo, hi, start, [&](const Row& r) {
      out.emplace_back(r.hash32, std::string(index == kPrimary ? r.hash : r.index_hash),
                       std::string(index == kPrimary ? r.range : r.index_range));
      last = StartAfter{r.hash32, std::string(r.index_hash), std::string(r.index_range),
                        Key(std::string(r.hash), std::string(r.range))};
      return ++n < page_size;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (n < page_size) break;
    start = last;
  }
  return out;
}

TEST_F(TableStoreRead, ParallelScanSegmentsPartitionTheTableInOrder) {
  // 40 partitions of 5 items; hash32 spread over the whole range, with one
  // collision, and one partition at the very top.
  std::vector<ScanRow> want;
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    for (uint32_t p = 0; p < 40; ++p) {
                      uint32_t h32 = p == 39 ? 0xFFFFFFFFu : (p == 7 ? 3u * 107374182u : p * 107374182u);
                      std::string hash = "p" + std::to_string(p);
                      for (int i = 0; i < 5; ++i) {
                        std::string range = "r" + std::to_string(i);
                        IndexKey e{1, "g" + std::to_string(p % 4), hash + range, h32 ^ 0x5555};
                        SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key(hash, range), "v", h32, {&e, 1}, std::nullopt));
                        want.emplace_back(h32, hash, range);
                      }
                    }
                    return Status::Ok();
                  })
                  .ok());
  std::sort(want.begin(), want.end());

  const uint64_t kEnd = uint64_t{1} << 32;
  EXPECT_EQ(ScanAll(*store_, table_, kPrimary, 0, kEnd, 1000), want);
  EXPECT_EQ(ScanAll(*store_, table_, kPrimary, 0, kEnd, 3), want);  // pages split partitions
  for (uint64_t segments : {2u, 3u, 7u}) {
    std::vector<ScanRow> joined;
    for (uint64_t s = 0; s < segments; ++s) {
      auto part = ScanAll(*store_, table_, kPrimary, s * kEnd / segments, (s + 1) * kEnd / segments, 4);
      for (const auto& row : part) {
        EXPECT_GE(std::get<0>(row), s * kEnd / segments);
        EXPECT_LT(std::get<0>(row), (s + 1) * kEnd / segments);
      }
      joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, want) << segments << " segments";
  }
  // The index scans the same way, by its own hash32.
  auto index_rows = ScanAll(*store_, table_, 1, 0, kEnd, 7);
  ASSERT_EQ(index_rows.size(), want.size());
  EXPECT_TRUE(std::is_sorted(index_rows.begin(), index_rows.end()));
}

TEST_F(TableStoreRead, ScanBoundsClampAndStartsBelowTheSegmentAreIgnored) {
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("low"), "v", 10, {}, std::nullopt));
                    SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("mid"), "v", 1000, {}, std::nullopt));
                    return txn.Put(table_, Key("top"), "v", 0xFFFFFFFFu, {}, std::nullopt);
                  })
                  .ok());
  auto keys = [&](uint64_t lo, uint64_t hi, std::optional<StartAfter> start) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_
                    ->Scan(table_, kPrimary, lo, hi, start,
                           [&](const Row& r) {
                             out.emplace_back(r.hash);
                             return true;
                           })
                    .ok());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys(0, uint64_t{1} << 40, std::nullopt), (V{"low", "mid", "top"}));  // hi clamped to 2^32
  EXPECT_EQ(keys(500, uint64_t{1} << 32, StartAfter{10, "", "", Key("low")}), (V{"mid", "top"}));
  EXPECT_EQ(keys(0, uint64_t{1} << 32, StartAfter{10, "", "", Key("low")}), (V{"mid", "top"}));
  EXPECT_TRUE(keys(1000, 1000, std::nullopt).empty());
  EXPECT_EQ(keys(1000, 1001, std::nullopt), V{"mid"});
}

TEST(ReadSql, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xfe\xff\xff", 3)), "\xff");
  EXPECT_EQ(PrefixSuccessor("\xff"), std::nullopt);
  EXPECT_EQ(PrefixSuccessor(""), std::nullopt);
}

}  // namespace
}  // namespace sluice::dynamodb::store
