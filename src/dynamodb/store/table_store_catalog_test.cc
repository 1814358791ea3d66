// The table catalog rows and the chunked removal of tables and indexes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "dynamodb/store/store_test_util.h"
#include "dynamodb/store/table_store.h"

namespace sluice::dynamodb::store {
namespace {

using testing::Key;
using testing::TempDir;

std::unique_ptr<TableStore> OpenStore(const TempDir& dir, size_t purge_chunk_rows = 2000) {
  TableStoreOptions o;
  o.path = dir.db();
  o.purge_chunk_rows = purge_chunk_rows;
  auto store = TableStore::Open(o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(*store);
}

TableId Create(TableStore& store, const std::string& region, const std::string& name, const std::string& desc = "{}") {
  TableId id = 0;
  Status st = store.WriteAndWait([&](WriteTxn& txn) {
    auto r = txn.CreateTable(region, name, desc);
    if (!r.ok()) return r.status();
    id = *r;
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return id;
}

size_t CountRows(TableStore& store, TableId table, IndexId index) {
  size_t n = 0;
  EXPECT_TRUE(store.Scan(table, index, 0, uint64_t{1} << 32, std::nullopt, [&](const Row&) { return ++n, true; }).ok());
  return n;
}

// Rows left in the database file (read beside the store, as SQLite allows):
// index entries are not visible through reads once their items are gone.
int64_t RawCount(const TempDir& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(dir.db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
  int64_t n = -1;
  if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

int64_t PendingRemovals(const TempDir& dir) { return RawCount(dir, "SELECT count(*) FROM purges"); }

// Runs empty writes until no removal is pending (each batch is followed by
// one removal chunk), at most `rounds` times.
void DrainRemovals(TableStore& store, const TempDir& dir, int rounds = 2000) {
  for (int i = 0; i < rounds && PendingRemovals(dir) > 0; ++i) {
    ASSERT_TRUE(store.WriteAndWait([](WriteTxn&) { return Status::Ok(); }).ok());
  }
  ASSERT_EQ(PendingRemovals(dir), 0);
}

TEST(TableStoreCatalog, CreateListUpdateAndDeleteTables) {
  TempDir dir;
  auto store = OpenStore(dir);
  TableId a = Create(*store, "us-east-1", "leases", R"({"v":1})");
  TableId b = Create(*store, "eu-west-1", "leases");
  EXPECT_NE(a, b);
  Status dup = store->WriteAndWait([](WriteTxn& txn) { return txn.CreateTable("us-east-1", "leases", "{}").status(); });
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);

  ASSERT_TRUE(store->WriteAndWait([&](WriteTxn& txn) { return txn.UpdateTable(a, R"({"v":2})"); }).ok());
  EXPECT_EQ(store->WriteAndWait([](WriteTxn& txn) { return txn.UpdateTable(999, "{}"); }).code(),
            StatusCode::kNotFound);

  auto tables = store->ListTables();
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[0].id, a);
  EXPECT_EQ((*tables)[0].region, "us-east-1");
  EXPECT_EQ((*tables)[0].name, "leases");
  EXPECT_EQ((*tables)[0].description, R"({"v":2})");
  EXPECT_EQ((*tables)[1].region, "eu-west-1");

  ASSERT_TRUE(store->WriteAndWait([&](WriteTxn& txn) { return txn.DeleteTable(a); }).ok());
  EXPECT_EQ(store->WriteAndWait([&](WriteTxn& txn) { return txn.DeleteTable(a); }).code(), StatusCode::kNotFound);
  // The name is free again, under a new id (ids are never reused).
  TableId again = Create(*store, "us-east-1", "leases");
  EXPECT_GT(again, b);
  tables = store->ListTables();
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[1].id, again);
}

TEST(TableStoreCatalog, CatalogSurvivesReopen) {
  TempDir dir;
  TableId id;
  {
    auto store = OpenStore(dir);
    id = Create(*store, "us-east-1", "t", R"({"KeySchema":[]})");
  }
  auto store = OpenStore(dir);
  auto tables = store->ListTables();
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ((*tables)[0].id, id);
  EXPECT_EQ((*tables)[0].description, R"({"KeySchema":[]})");
}

TEST(TableStoreCatalog, DeletedTableIsRemovedInChunksAndRefusesWrites) {
  TempDir dir;
  auto store = OpenStore(dir, /*purge_chunk_rows=*/7);
  TableId t = Create(*store, "r", "big");
  TableId keep = Create(*store, "r", "keep");
  ASSERT_TRUE(
      store
          ->WriteAndWait([&](WriteTxn& txn) {
            for (int i = 0; i < 50; ++i) {
              std::string k = "k" + std::to_string(i);
              IndexKey e{1, "g" + std::to_string(i % 3), k, static_cast<uint32_t>(i)};
              SLUICE_RETURN_IF_ERROR(txn.Put(t, Key(k), "item", static_cast<uint32_t>(i), {&e, 1}, std::nullopt));
              SLUICE_RETURN_IF_ERROR(txn.Put(keep, Key(k), "item", static_cast<uint32_t>(i), {}, std::nullopt));
            }
            return Status::Ok();
          })
          .ok());
  ASSERT_TRUE(store->WriteAndWait([&](WriteTxn& txn) { return txn.DeleteTable(t); }).ok());
  Status refused =
      store->WriteAndWait([&](WriteTxn& txn) { return txn.Put(t, Key("x"), "item", 0, {}, std::nullopt); });
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);

  DrainRemovals(*store, dir);
  std::string id = std::to_string(t);
  EXPECT_EQ(RawCount(dir, "SELECT count(*) FROM items WHERE table_id=" + id), 0);
  EXPECT_EQ(RawCount(dir, "SELECT count(*) FROM index_entries WHERE table_id=" + id), 0);
  EXPECT_EQ(CountRows(*store, keep, kPrimary), 50u);
  // 50 items in chunks of 7, then 50 index entries: several chunks.
  EXPECT_GE(store->writer_stats().purge_chunks, 8u);
  EXPECT_EQ(store->Stats(t).status().code(), StatusCode::kNotFound);
}

TEST(TableStoreCatalog, InterruptedRemovalResumesAfterReopen) {
  TempDir dir;
  TableId t;
  {
    auto store = OpenStore(dir, /*purge_chunk_rows=*/5);
    t = Create(*store, "r", "big");
    ASSERT_TRUE(store
                    ->WriteAndWait([&](WriteTxn& txn) {
                      for (int i = 0; i < 1000; ++i) {
                        SLUICE_RETURN_IF_ERROR(txn.Put(t, Key("k" + std::to_string(i)), "v", 1, {}, std::nullopt));
                      }
                      return Status::Ok();
                    })
                    .ok());
    // The destructor stops the writer before the removal can finish.
    ASSERT_TRUE(store->WriteAndWait([&](WriteTxn& txn) { return txn.DeleteTable(t); }).ok());
  }
  auto store = OpenStore(dir, 5);
  DrainRemovals(*store, dir);
  EXPECT_EQ(RawCount(dir, "SELECT count(*) FROM items WHERE table_id=" + std::to_string(t)), 0);
}

TEST(TableStoreCatalog, DroppedIndexLosesItsEntriesOnly) {
  TempDir dir;
  auto store = OpenStore(dir, /*purge_chunk_rows=*/4);
  TableId t = Create(*store, "r", "t");
  ASSERT_TRUE(store
                  ->WriteAndWait([&](WriteTxn& txn) {
                    for (int i = 0; i < 30; ++i) {
                      std::string k = "k" + std::to_string(i);
                      IndexKey keys[] = {{1, "a", k, 1}, {2, "b", k, 2}};
                      SLUICE_RETURN_IF_ERROR(txn.Put(t, Key(k), "v", 3, keys, std::nullopt));
                    }
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(store->WriteAndWait([&](WriteTxn& txn) { return txn.DropIndex(t, 1); }).ok());
  IndexKey again{1, "a", "z", 1};
  EXPECT_EQ(store->WriteAndWait([&](WriteTxn& txn) {
                   return txn.Put(t, Key("z"), "v", 3, {&again, 1}, std::nullopt);
                 })
                .code(),
            StatusCode::kFailedPrecondition);
  DrainRemovals(*store, dir);
  EXPECT_EQ(RawCount(dir, "SELECT count(*) FROM index_entries WHERE index_id=1"), 0);
  EXPECT_EQ(CountRows(*store, t, 1), 0u);
  EXPECT_EQ(CountRows(*store, t, 2), 30u);
  EXPECT_EQ(CountRows(*store, t, kPrimary), 30u);
}

}  // namespace
}  // namespace sluice::dynamodb::store
