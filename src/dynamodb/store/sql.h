// The SQL text of the table store's fixed statements, in one place. Each is
// an inline constexpr array, so its address (the prepared-statement cache
// key of Connection::Prepared) is the same in every file. Without ANALYZE
// statistics SQLite may prefer a covering index that matches only table_id:
// statements that must use one index name it (INDEXED BY), and
// store_plan_test.cc checks every statement's query plan.
#pragma once

#include "dynamodb/store/store_types.h"

namespace sluice::dynamodb::store::sql {

// --- Items (?1 table, ?2 hash_key, ?3 range_key) ---
inline constexpr char kGetItem[] = "SELECT item FROM items WHERE table_id=?1 AND hash_key=?2 AND range_key=?3";
inline constexpr char kItemSize[] = "SELECT length(item) FROM items WHERE table_id=?1 AND hash_key=?2 AND range_key=?3";
inline constexpr char kInsertItem[] =
    "INSERT INTO items(table_id, hash_key, range_key, hash32, expires_at, item) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
inline constexpr char kUpdateItem[] =
    "UPDATE items SET hash32=?4, expires_at=?5, item=?6 WHERE table_id=?1 AND hash_key=?2 AND range_key=?3";
inline constexpr char kDeleteItem[] = "DELETE FROM items WHERE table_id=?1 AND hash_key=?2 AND range_key=?3";

// --- Index entries of one item ---
inline constexpr char kItemIndexEntries[] =
    "SELECT index_id, index_hash, index_range, index_hash32 FROM index_entries INDEXED BY index_entries_by_item"
    " WHERE table_id=?1 AND hash_key=?2 AND range_key=?3";
inline constexpr char kInsertIndexEntry[] =
    "INSERT OR REPLACE INTO index_entries(table_id, index_id, index_hash, index_range, hash_key, range_key, "
    "index_hash32)"
    " VALUES(?1, ?4, ?5, ?6, ?2, ?3, ?7)";
inline constexpr char kDeleteIndexEntry[] =
    "DELETE FROM index_entries WHERE table_id=?1 AND index_id=?4 AND index_hash=?5 AND index_range=?6"
    " AND hash_key=?2 AND range_key=?3";
inline constexpr char kDeleteItemIndexEntries[] =
    "DELETE FROM index_entries WHERE table_id=?1 AND hash_key=?2 AND range_key=?3";
inline constexpr char kDeleteItemIndexEntry[] =
    "DELETE FROM index_entries WHERE table_id=?1 AND hash_key=?2 AND range_key=?3 AND index_id=?4";

// --- Catalog ---
inline constexpr char kFindTable[] = "SELECT id FROM tables WHERE region=?1 AND name=?2";
inline constexpr char kInsertTable[] = "INSERT INTO tables(region, name, description) VALUES(?1, ?2, ?3)";
inline constexpr char kInsertStats[] =
    "INSERT OR REPLACE INTO table_stats(table_id, item_count, size_bytes) VALUES(?1, 0, 0)";
inline constexpr char kUpdateTable[] = "UPDATE tables SET description=?2 WHERE id=?1";
inline constexpr char kDeleteTable[] = "DELETE FROM tables WHERE id=?1";
inline constexpr char kDeleteStats[] = "DELETE FROM table_stats WHERE table_id=?1";
inline constexpr char kAddToStats[] =
    "UPDATE table_stats SET item_count=item_count+?2, size_bytes=size_bytes+?3 WHERE table_id=?1";
inline constexpr char kListTables[] = "SELECT id, region, name, description FROM tables ORDER BY id";
inline constexpr char kTableExists[] = "SELECT 1 FROM tables WHERE id=?1";
inline constexpr char kGetStats[] = "SELECT item_count, size_bytes FROM table_stats WHERE table_id=?1";

// --- Chunked removal (?1 table, ?2 index) ---
inline constexpr char kInsertPurge[] = "INSERT OR IGNORE INTO purges(table_id, index_id) VALUES(?1, ?2)";
inline constexpr char kListPurges[] = "SELECT table_id, index_id FROM purges ORDER BY table_id, index_id";
inline constexpr char kDeletePurge[] = "DELETE FROM purges WHERE table_id=?1 AND index_id=?2";
// The last key of the next chunk (?2: chunk size - 1), or no row for the last chunk.
inline constexpr char kItemsChunkEnd[] =
    "SELECT hash_key, range_key FROM items WHERE table_id=?1 ORDER BY hash_key, range_key LIMIT 1 OFFSET ?2";
inline constexpr char kDeleteItemsUpTo[] = "DELETE FROM items WHERE table_id=?1 AND (hash_key, range_key) <= (?2, ?3)";
inline constexpr char kDeleteAllItems[] = "DELETE FROM items WHERE table_id=?1";
inline constexpr char kAnyIndexOfTable[] = "SELECT index_id FROM index_entries WHERE table_id=?1 LIMIT 1";
inline constexpr char kEntriesChunkEnd[] =
    "SELECT index_hash, index_range, hash_key, range_key FROM index_entries WHERE table_id=?1 AND index_id=?2"
    " ORDER BY index_hash, index_range, hash_key, range_key LIMIT 1 OFFSET ?3";
inline constexpr char kDeleteEntriesUpTo[] =
    "DELETE FROM index_entries WHERE table_id=?1 AND index_id=?2"
    " AND (index_hash, index_range, hash_key, range_key) <= (?3, ?4, ?5, ?6)";
inline constexpr char kDeleteAllEntries[] = "DELETE FROM index_entries WHERE table_id=?1 AND index_id=?2";

// --- Reads ---
inline constexpr char kExpiredKeys[] =
    "SELECT hash_key, range_key FROM items WHERE table_id=?1 AND expires_at IS NOT NULL AND expires_at < ?2"
    " ORDER BY expires_at LIMIT ?3";

// --- Transaction control (prepared once on the writer) ---
inline constexpr char kBegin[] = "BEGIN IMMEDIATE";
inline constexpr char kCommit[] = "COMMIT";
inline constexpr char kRollback[] = "ROLLBACK";
inline constexpr char kSavepoint[] = "SAVEPOINT body";
inline constexpr char kRelease[] = "RELEASE body";
inline constexpr char kRollbackTo[] = "ROLLBACK TO body";

}  // namespace sluice::dynamodb::store::sql
