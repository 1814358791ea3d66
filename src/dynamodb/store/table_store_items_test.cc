// Items: put, get, delete, index entries, TTL candidates, ItemCount and
// TableSizeBytes, durability across reopen.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dynamodb/store/store_test_util.h"
#include "dynamodb/store/table_store.h"

namespace sluice::dynamodb::store {
namespace {

using testing::Key;
using testing::TempDir;

class TableStoreItems : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(SyncPolicy sync = SyncPolicy::kAlways) {
    store_.reset();
    TableStoreOptions o;
    o.path = dir_.db();
    o.sync = sync;
    auto store = TableStore::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto tables = store_->ListTables();
    ASSERT_TRUE(tables.ok());
    if (tables->empty()) {
      ASSERT_TRUE(store_
                      ->WriteAndWait([&](WriteTxn& txn) {
                        auto id = txn.CreateTable("us-east-1", "t", "{}");
                        if (!id.ok()) return id.status();
                        table_ = *id;
                        return Status::Ok();
                      })
                      .ok());
    } else {
      table_ = tables->front().id;
    }
  }

  Status Put(const PrimaryKey& key, std::string item, std::vector<IndexKey> index = {},
             std::optional<int64_t> expires = std::nullopt, uint32_t hash32 = 0) {
    return store_->WriteAndWait([&](WriteTxn& txn) { return txn.Put(table_, key, item, hash32, index, expires); });
  }

  std::optional<std::string> Get(const PrimaryKey& key) {
    auto r = store_->Get(table_, key);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  // The primary keys found in index `index` under partition key `hash`, in order.
  std::vector<std::string> IndexHashKeys(IndexId index, const std::string& hash) {
    std::vector<std::string> out;
    Status st = store_->Query(table_, index, hash, {}, Direction::kForward, std::nullopt, [&](const Row& r) {
      out.emplace_back(r.hash);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  TempDir dir_;
  std::unique_ptr<TableStore> store_;
  TableId table_ = 0;
};

TEST_F(TableStoreItems, PutGetDeleteWithBinaryKeys) {
  std::string hash("\x00h\xff", 3);
  std::string range("\x00", 1);
  ASSERT_TRUE(Put(Key(hash, range), "one").ok());
  ASSERT_TRUE(Put(Key(hash, ""), "no-sort-key").ok());
  EXPECT_EQ(Get(Key(hash, range)), "one");
  EXPECT_EQ(Get(Key(hash, "")), "no-sort-key");  // an empty sort key is a key of its own
  EXPECT_EQ(Get(Key(hash, std::string("\x00\x00", 2))), std::nullopt);

  ASSERT_TRUE(Put(Key(hash, range), "two").ok());
  EXPECT_EQ(Get(Key(hash, range)), "two");
  ASSERT_TRUE(store_->WriteAndWait([&](WriteTxn& txn) { return txn.Delete(table_, Key(hash, range)); }).ok());
  EXPECT_EQ(Get(Key(hash, range)), std::nullopt);
  // Deleting what is not there is not an error (DeleteItem).
  EXPECT_TRUE(store_->WriteAndWait([&](WriteTxn& txn) { return txn.Delete(table_, Key(hash, range)); }).ok());
}

TEST_F(TableStoreItems, LargeItemsRoundTrip) {
  std::string big(400 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  ASSERT_TRUE(Put(Key("big", "1"), big, {{1, "g", "", 1}}).ok());
  EXPECT_EQ(Get(Key("big", "1")), big);
  size_t seen = 0;
  ASSERT_TRUE(store_
                  ->Query(table_, 1, "g", {}, Direction::kForward, std::nullopt,
                          [&](const Row& r) {
                            seen = r.item.size();
                            return true;
                          })
                  .ok());
  EXPECT_EQ(seen, big.size());
  EXPECT_EQ(store_->Stats(table_)->size_bytes, static_cast<int64_t>(big.size()));
}

TEST_F(TableStoreItems, StatsCountItemsAndBlobBytes) {
  ASSERT_TRUE(Put(Key("a"), std::string(100, 'x')).ok());
  ASSERT_TRUE(Put(Key("b"), std::string(10, 'x')).ok());
  ASSERT_TRUE(Put(Key("a"), std::string(40, 'x')).ok());  // replaced: 100 -> 40
  auto stats = store_->Stats(table_);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->item_count, 2);
  EXPECT_EQ(stats->size_bytes, 50);
  ASSERT_TRUE(store_->WriteAndWait([&](WriteTxn& txn) { return txn.Delete(table_, Key("b")); }).ok());
  // A failed body changes nothing.
  Status failed = store_->WriteAndWait([&](WriteTxn& txn) {
    SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("c"), std::string(1000, 'y'), 0, {}, std::nullopt));
    return Status::FailedPrecondition("condition");
  });
  EXPECT_EQ(failed.code(), StatusCode::kFailedPrecondition);
  stats = store_->Stats(table_);
  EXPECT_EQ(stats->item_count, 1);
  EXPECT_EQ(stats->size_bytes, 40);
  Open();
  stats = store_->Stats(table_);
  EXPECT_EQ(stats->item_count, 1);
  EXPECT_EQ(stats->size_bytes, 40);
}

TEST_F(TableStoreItems, PutReplacesIndexEntriesAndDeleteRemovesThem) {
  ASSERT_TRUE(Put(Key("lease-1"), "v1", {{1, "owner-a", "", 7}}).ok());
  ASSERT_TRUE(Put(Key("lease-2"), "v1", {{1, "owner-a", "", 7}}).ok());
  EXPECT_EQ(IndexHashKeys(1, "owner-a"), (std::vector<std::string>{"lease-1", "lease-2"}));

  // The owner changes: the entry moves.
  ASSERT_TRUE(Put(Key("lease-1"), "v2", {{1, "owner-b", "", 8}}).ok());
  EXPECT_EQ(IndexHashKeys(1, "owner-a"), (std::vector<std::string>{"lease-2"}));
  EXPECT_EQ(IndexHashKeys(1, "owner-b"), (std::vector<std::string>{"lease-1"}));

  // Sparse: without the attribute the item leaves the index.
  ASSERT_TRUE(Put(Key("lease-2"), "v2").ok());
  EXPECT_TRUE(IndexHashKeys(1, "owner-a").empty());

  ASSERT_TRUE(store_->WriteAndWait([&](WriteTxn& txn) { return txn.Delete(table_, Key("lease-1")); }).ok());
  EXPECT_TRUE(IndexHashKeys(1, "owner-b").empty());

  // Index reads return the item itself.
  ASSERT_TRUE(Put(Key("lease-3"), "the item", {{2, "x", "r", 1}}).ok());
  std::string seen;
  ASSERT_TRUE(store_
                  ->Query(table_, 2, "x", {}, Direction::kForward, std::nullopt,
                          [&](const Row& r) {
                            seen = std::string(r.item) + "/" + std::string(r.index_hash) + "/" +
                                   std::string(r.index_range);
                            return true;
                          })
                  .ok());
  EXPECT_EQ(seen, "the item/x/r");
}

TEST_F(TableStoreItems, PutRefusesBadIndexKeys) {
  EXPECT_EQ(Put(Key("a"), "v", {{0, "x", "", 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Put(Key("a"), "v", {{1, "x", "", 1}, {1, "y", "", 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(Key("a")), std::nullopt);
}

TEST_F(TableStoreItems, SetIndexEntryBackfillsOneIndex) {
  ASSERT_TRUE(Put(Key("a"), "v", {{1, "one", "", 1}}).ok());
  ASSERT_TRUE(Put(Key("b"), "v").ok());
  // Backfill a new index 2 over both items, as the GSI creation does.
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    for (const char* k : {"a", "b"}) {
                      auto item = txn.Get(table_, Key(k));
                      if (!item.ok()) return item.status();
                      SLUICE_RETURN_IF_ERROR(txn.SetIndexEntry(table_, Key(k), 2, IndexKey{2, "g", k, 5}));
                    }
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(IndexHashKeys(2, "g"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(IndexHashKeys(1, "one"), (std::vector<std::string>{"a"}));
  // A later Put lists both indexes and replaces both entries.
  ASSERT_TRUE(Put(Key("a"), "v2", {{1, "two", "", 1}, {2, "h", "a", 6}}).ok());
  EXPECT_EQ(IndexHashKeys(2, "g"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(IndexHashKeys(2, "h"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(IndexHashKeys(1, "one").empty());
  // Removing one entry; an item that does not exist is NotFound.
  ASSERT_TRUE(
      store_->WriteAndWait([&](WriteTxn& txn) { return txn.SetIndexEntry(table_, Key("b"), 2, std::nullopt); }).ok());
  EXPECT_TRUE(IndexHashKeys(2, "g").empty());
  EXPECT_EQ(
      store_->WriteAndWait([&](WriteTxn& txn) { return txn.SetIndexEntry(table_, Key("zz"), 2, std::nullopt); }).code(),
      StatusCode::kNotFound);
}

TEST_F(TableStoreItems, ExpiredKeysAreTheItemsPastTheirTime) {
  ASSERT_TRUE(Put(Key("old"), "v", {}, 100).ok());
  ASSERT_TRUE(Put(Key("older"), "v", {}, 50).ok());
  ASSERT_TRUE(Put(Key("exact"), "v", {}, 200).ok());
  ASSERT_TRUE(Put(Key("future"), "v", {}, 1000).ok());
  ASSERT_TRUE(Put(Key("never"), "v").ok());
  auto keys = store_->ExpiredKeys(table_, 200, 10);
  ASSERT_TRUE(keys.ok());
  // Strictly before now, oldest first.
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].hash, "older");
  EXPECT_EQ((*keys)[1].hash, "old");
  EXPECT_EQ(store_->ExpiredKeys(table_, 200, 1)->size(), 1u);
  // A rewrite without TTL takes the item off the list.
  ASSERT_TRUE(Put(Key("old"), "v").ok());
  keys = store_->ExpiredKeys(table_, 10'000, 10);
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].hash, "older");
  EXPECT_EQ((*keys)[1].hash, "exact");
  EXPECT_EQ((*keys)[2].hash, "future");
}

TEST_F(TableStoreItems, WritesSurviveReopenUnderBothSyncPolicies) {
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kOs}) {
    Open(sync);
    std::string v = sync == SyncPolicy::kAlways ? "always" : "os";
    ASSERT_TRUE(Put(Key(v), v, {{1, "i", v, 1}}).ok());
    Open(sync);
    EXPECT_EQ(Get(Key(v)), v);
    EXPECT_EQ(IndexHashKeys(1, "i").back(), v);
  }
}

TEST_F(TableStoreItems, SnapshotReadsOneState) {
  ASSERT_TRUE(Put(Key("a"), "a1").ok());
  ASSERT_TRUE(Put(Key("b"), "b1").ok());
  auto snap = store_->Snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(*snap->Get(table_, Key("a")), "a1");
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("a"), "a2", 0, {}, std::nullopt));
                    return txn.Put(table_, Key("b"), "b2", 0, {}, std::nullopt);
                  })
                  .ok());
  EXPECT_EQ(*snap->Get(table_, Key("b")), "b1");  // not the half-seen write
  EXPECT_EQ(Get(Key("b")), "b2");                 // outside the snapshot: the latest
}

}  // namespace
}  // namespace sluice::dynamodb::store
