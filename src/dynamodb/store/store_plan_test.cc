// Every statement of the store uses the index it was written for: a point
// statement never degrades into a scan of the table's rows (SQLite has no
// statistics here and may otherwise prefer a covering index on table_id),
// and Query/Scan never sort (no TEMP B-TREE) in either direction.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dynamodb/store/read_sql.h"
#include "dynamodb/store/schema.h"
#include "dynamodb/store/sql.h"
#include "dynamodb/store/store_test_util.h"

namespace sluice::dynamodb::store {
namespace {

std::string Plan(Connection& c, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  std::string explain = "EXPLAIN QUERY PLAN " + sql;
  EXPECT_EQ(sqlite3_prepare_v2(c.db(), explain.c_str(), -1, &raw, nullptr), SQLITE_OK) << sql;
  Statement s(raw);
  std::string plan;
  while (s.Step() == SQLITE_ROW) plan += std::string(s.ColumnBlob(3)) + "\n";
  return plan;
}

TEST(StorePlan, PointAndChunkStatementsSeekTheirIndex) {
  testing::TempDir dir;
  auto conn = OpenWriterConnection(dir.db(), SyncPolicy::kOs);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const std::string kItemKey = "items USING PRIMARY KEY (table_id=? AND hash_key=? AND range_key=?)";
  const std::string kByItem = "index_entries_by_item (table_id=? AND hash_key=? AND range_key=?";
  const std::string kRowid = "INTEGER PRIMARY KEY (rowid=?)";
  struct Case {
    const char* sql;
    std::string expect;
  };
  std::vector<Case> cases = {
      {sql::kGetItem, kItemKey},
      {sql::kItemSize, kItemKey},
      {sql::kUpdateItem, kItemKey},
      {sql::kDeleteItem, kItemKey},
      {sql::kItemIndexEntries, kByItem + ")"},
      {sql::kDeleteItemIndexEntries, kByItem + ")"},
      {sql::kDeleteItemIndexEntry, kByItem + " AND index_id=?"},
      {sql::kDeleteIndexEntry, "index_hash=? AND index_range=?"},
      {sql::kFindTable, "(region=? AND name=?)"},
      {sql::kUpdateTable, kRowid},
      {sql::kDeleteTable, kRowid},
      {sql::kTableExists, kRowid},
      {sql::kDeleteStats, kRowid},
      {sql::kAddToStats, kRowid},
      {sql::kGetStats, kRowid},
      {sql::kDeletePurge, "(table_id=? AND index_id=?)"},
      {sql::kItemsChunkEnd, "items USING PRIMARY KEY (table_id=?)"},
      {sql::kDeleteItemsUpTo, "(table_id=? AND (hash_key,range_key)<"},
      {sql::kDeleteAllItems, "(table_id=?)"},  // at most one chunk is left by then
      {sql::kAnyIndexOfTable, "(table_id=?)"},
      {sql::kEntriesChunkEnd, "index_entries USING PRIMARY KEY (table_id=? AND index_id=?)"},
      {sql::kDeleteEntriesUpTo, "(table_id=? AND index_id=? AND (index_hash,index_range,hash_key,range_key)<"},
      {sql::kDeleteAllEntries, "(table_id=? AND index_id=?)"},
      {sql::kExpiredKeys, "items_by_expiry (table_id=? AND expires_at"},
  };
  for (const Case& c : cases) {
    std::string plan = Plan(**conn, c.sql);
    EXPECT_NE(plan.find(c.expect), std::string::npos) << c.sql << "\nplan: " << plan;
    EXPECT_EQ(plan.find("SCAN"), std::string::npos) << c.sql << "\nplan: " << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << c.sql << "\nplan: " << plan;
  }
}

TEST(StorePlan, QueryAndScanShapesSeekAndNeverSort) {
  testing::TempDir dir;
  auto conn = OpenWriterConnection(dir.db(), SyncPolicy::kOs);
  ASSERT_TRUE(conn.ok());
  for (bool index : {false, true}) {
    for (int op = 0; op < 8; ++op) {
      for (Direction d : {Direction::kForward, Direction::kBackward}) {
        for (bool start : {false, true}) {
          std::string sql = QuerySql(index, static_cast<RangeCondition::Op>(op), d, start);
          std::string plan = Plan(**conn, sql);
          std::string expect = index ? "e USING PRIMARY KEY (table_id=? AND index_id=? AND index_hash=?"
                                     : "items USING PRIMARY KEY (table_id=? AND hash_key=?";
          EXPECT_NE(plan.find(expect), std::string::npos) << sql << "\nplan: " << plan;
          if (index) {
            EXPECT_NE(plan.find("i USING PRIMARY KEY (table_id=? AND hash_key=? AND range_key=?)"), std::string::npos)
                << plan;
          }
          EXPECT_EQ(plan.find("SCAN"), std::string::npos) << sql << "\nplan: " << plan;
          EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\nplan: " << plan;
        }
      }
    }
    for (bool start : {false, true}) {
      std::string sql = ScanSql(index, start);
      std::string plan = Plan(**conn, sql);
      std::string expect = index ? "index_entries_by_hash32 (table_id=? AND index_id=?" : "items_by_hash32 (table_id=?";
      EXPECT_NE(plan.find(expect), std::string::npos) << sql << "\nplan: " << plan;
      if (start) {
        EXPECT_NE(plan.find(index ? "(index_hash32,index_hash,index_range,hash_key,range_key)>"
                                  : "(hash32,hash_key,range_key)>"),
                  std::string::npos)
            << plan;
      }
      EXPECT_EQ(plan.find("SCAN"), std::string::npos) << sql << "\nplan: " << plan;
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\nplan: " << plan;
    }
  }
}

}  // namespace
}  // namespace sluice::dynamodb::store
