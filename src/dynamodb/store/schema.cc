#include "dynamodb/store/schema.h"

#include <string>

namespace sluice::dynamodb::store {

namespace {

// Keys are BLOB columns compared by memcmp (then length), which is the order
// the service layer's key encoding is built for. Item rows and index entries
// are WITHOUT ROWID tables: the primary key is the B-tree key, so a point
// lookup is one descent and a Query is one range of one B-tree.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS tables(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  UNIQUE(region, name));
CREATE TABLE IF NOT EXISTS table_stats(
  table_id INTEGER PRIMARY KEY,
  item_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  table_id INTEGER NOT NULL,
  hash_key BLOB NOT NULL,
  range_key BLOB NOT NULL,
  hash32 INTEGER NOT NULL,
  expires_at INTEGER,
  item BLOB NOT NULL,
  PRIMARY KEY(table_id, hash_key, range_key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_hash32 ON items(table_id, hash32, hash_key, range_key);
CREATE INDEX IF NOT EXISTS items_by_expiry ON items(table_id, expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS index_entries(
  table_id INTEGER NOT NULL,
  index_id INTEGER NOT NULL,
  index_hash BLOB NOT NULL,
  index_range BLOB NOT NULL,
  hash_key BLOB NOT NULL,
  range_key BLOB NOT NULL,
  index_hash32 INTEGER NOT NULL,
  PRIMARY KEY(table_id, index_id, index_hash, index_range, hash_key, range_key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS index_entries_by_hash32
  ON index_entries(table_id, index_id, index_hash32, index_hash, index_range, hash_key, range_key);
CREATE INDEX IF NOT EXISTS index_entries_by_item
  ON index_entries(table_id, hash_key, range_key, index_id, index_hash32);
CREATE TABLE IF NOT EXISTS purges(
  table_id INTEGER NOT NULL,
  index_id INTEGER NOT NULL,
  PRIMARY KEY(table_id, index_id)) WITHOUT ROWID;
)sql";

Result<int> UserVersion(Connection& c) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(c.db(), "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
    return c.Error("read user_version");
  }
  Statement s(raw);
  if (s.Step() != SQLITE_ROW) return c.Error("read user_version");
  return static_cast<int>(s.ColumnInt(0));
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenWriterConnection(const std::string& path, SyncPolicy sync) {
  auto conn = Connection::Open(path, /*create=*/true);
  if (!conn.ok()) return conn.status();
  Connection& c = **conn;
  SLUICE_RETURN_IF_ERROR(c.Exec("PRAGMA journal_mode=WAL"));
  // FULL: the WAL is fsynced at every COMMIT (survives power loss). NORMAL:
  // only at checkpoints (survives a process crash).
  SLUICE_RETURN_IF_ERROR(c.Exec(sync == SyncPolicy::kAlways ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  SLUICE_RETURN_IF_ERROR(c.Exec("PRAGMA wal_autocheckpoint=0"));
  SLUICE_RETURN_IF_ERROR(c.Exec("PRAGMA journal_size_limit=67108864"));
  SLUICE_RETURN_IF_ERROR(c.Exec("PRAGMA cache_size=-32768"));
  SLUICE_RETURN_IF_ERROR(c.Exec("PRAGMA temp_store=MEMORY"));
  auto version = UserVersion(c);
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return Status::FailedPrecondition("dynamodb store: " + path + " has format version " + std::to_string(*version) +
                                      ", newer than this sluice (" + std::to_string(kSchemaVersion) + ")");
  }
  SLUICE_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  Status st = c.Exec(kSchema);
  if (st.ok()) st = c.Exec("PRAGMA user_version=1");
  if (st.ok()) st = c.Exec("COMMIT");
  if (!st.ok()) {
    c.Exec("ROLLBACK").IgnoreError();  // the failed step's error is the one to report
    return st;
  }
  return conn;
}

Result<std::unique_ptr<Connection>> OpenReaderConnection(const std::string& path) {
  auto conn = Connection::Open(path, /*create=*/false);
  if (!conn.ok()) return conn.status();
  SLUICE_RETURN_IF_ERROR((*conn)->Exec("PRAGMA query_only=1"));
  SLUICE_RETURN_IF_ERROR((*conn)->Exec("PRAGMA cache_size=-4096"));
  return conn;
}

}  // namespace sluice::dynamodb::store
