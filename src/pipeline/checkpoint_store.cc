#include "sluice/pipeline/checkpoint_store.h"

#include "io/dir_lock.h"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>

namespace sluice::pipeline {
namespace {

constexpr const char* kSchemaVersion = "1";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints(
  stream TEXT NOT NULL,
  shard_id TEXT NOT NULL CHECK(length(shard_id) > 0),
  sequence_number TEXT NOT NULL,
  sub_sequence_number INTEGER NOT NULL DEFAULT 0,
  shard_finished INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY(stream, shard_id));
-- The implicit rowid orders ids by insertion (oldest first), which is the
-- window's eviction order.
CREATE TABLE IF NOT EXISTS dedup_ids(
  stream TEXT NOT NULL,
  event_id TEXT NOT NULL CHECK(length(event_id) > 0),
  first_seen_ms INTEGER NOT NULL,
  PRIMARY KEY(stream, event_id));
CREATE TABLE IF NOT EXISTS consumer_state(
  stream TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(stream, key));
INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');
)sql";

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool prepared() const { return rc_ == SQLITE_OK; }
  void Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  // Step() expecting no row; resets for the next binding.
  int Run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return rc;
  }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status FromSqlite(sqlite3* db, int rc, const std::string& what) {
  const std::string m = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(m);
    case SQLITE_CONSTRAINT: return Status::InvalidArgument(m);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(m);
    case SQLITE_FULL: return Status::ResourceExhausted(m);
    default: return Status::IoError(m);
  }
}

}  // namespace

Status CheckpointStore::Error(const char* what) const {
  return FromSqlite(db_, sqlite3_extended_errcode(db_), std::string(what) + " (" + path_ + ")");
}

Status CheckpointStore::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
  return Status::Ok();
}

Result<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(const std::string& path,
                                                               CheckpointStoreOptions options) {
  std::shared_ptr<io::DirLock> owner_lock;
  if (options.exclusive) {
    auto lock = io::DirLock::Acquire(path + ".lock", "the checkpoint database " + path);
    if (!lock.ok()) {
      if (lock.status().code() == StatusCode::kFailedPrecondition)
        return Status::Unavailable(lock.status().message() + " (another consumer?)");
      return lock.status();
    }
    owner_lock = std::make_shared<io::DirLock>(std::move(lock).value());
  }
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = FromSqlite(db, rc, "cannot open checkpoint database " + path);
    sqlite3_close(db);
    return st;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<CheckpointStore> store(new CheckpointStore(db, path));
  store->owner_lock_ = std::move(owner_lock);
  if (options.exclusive) SLUICE_RETURN_IF_ERROR(store->Exec("PRAGMA locking_mode=EXCLUSIVE"));
  {
    Stmt wal(db, "PRAGMA journal_mode=WAL");
    if (!wal.prepared()) return store->Error("PRAGMA journal_mode=WAL");
    const int step = wal.Step();
    if (step != SQLITE_ROW) {
      Status st = store->Error("PRAGMA journal_mode=WAL");
      if (st.code() == StatusCode::kUnavailable)
        return Status::Unavailable("checkpoint database " + path + " is in use by another consumer");
      return st;
    }
    if (wal.Text(0) != "wal") return Status::IoError("checkpoint database " + path + " cannot use WAL mode");
  }
  SLUICE_RETURN_IF_ERROR(
      store->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  // A write transaction: creates the schema and, in exclusive mode, takes the
  // lock that is then held until close.
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status st = store->Error("BEGIN IMMEDIATE");
    if (st.code() == StatusCode::kUnavailable)
      return Status::Unavailable("checkpoint database " + path + " is in use by another consumer");
    return st;
  }
  Status st = store->Exec(kSchema);
  if (st.ok()) st = store->Exec("INSERT OR REPLACE INTO meta(key, value) VALUES('last_open', datetime('now'))");
  if (st.ok()) {
    Stmt v(db, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (!v.prepared() || v.Step() != SQLITE_ROW) {
      st = store->Error("reading schema version");
    } else if (v.Text(0) != kSchemaVersion) {
      st = Status::FailedPrecondition("checkpoint database " + path + " has schema version " + v.Text(0) +
                                      ", this build reads version " + kSchemaVersion);
    }
  }
  if (st.ok()) st = store->Exec("COMMIT");
  if (!st.ok()) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return store;
}

CheckpointStore::~CheckpointStore() { sqlite3_close(db_); }

Status CheckpointStore::Commit(const CommitRequest& req) {
  for (const auto& c : req.checkpoints)
    if (c.shard_id.empty()) return Status::InvalidArgument("checkpoint with an empty shard id");
  SLUICE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Status {
    if (!req.delete_ids.empty()) {
      Stmt del(db_, "DELETE FROM dedup_ids WHERE stream = ?1 AND event_id = ?2");
      if (!del.prepared()) return Error("prepare delete");
      for (const auto& id : req.delete_ids) {
        del.Bind(1, req.stream);
        del.Bind(2, id);
        if (del.Run() != SQLITE_DONE) return Error("delete dedup id");
      }
    }
    if (!req.insert_ids.empty()) {
      Stmt ins(db_, "INSERT OR REPLACE INTO dedup_ids(stream, event_id, first_seen_ms) VALUES(?1, ?2, ?3)");
      if (!ins.prepared()) return Error("prepare insert");
      for (const auto& e : req.insert_ids) {
        ins.Bind(1, req.stream);
        ins.Bind(2, e.event_id);
        ins.Bind(3, e.first_seen_ms);
        if (ins.Run() != SQLITE_DONE) return Error("insert dedup id");
      }
    }
    if (!req.checkpoints.empty()) {
      Stmt up(db_,
              "INSERT OR REPLACE INTO checkpoints(stream, shard_id, sequence_number, sub_sequence_number, "
              "shard_finished, updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
      if (!up.prepared()) return Error("prepare checkpoint");
      for (const auto& c : req.checkpoints) {
        up.Bind(1, req.stream);
        up.Bind(2, c.shard_id);
        up.Bind(3, c.sequence_number);
        up.Bind(4, static_cast<int64_t>(c.sub_sequence_number));
        up.Bind(5, int64_t{c.shard_finished});
        up.Bind(6, req.now_ms);
        if (up.Run() != SQLITE_DONE) return Error("write checkpoint");
      }
    }
    if (!req.state.empty()) {
      Stmt up(db_, "INSERT OR REPLACE INTO consumer_state(stream, key, value) VALUES(?1, ?2, ?3)");
      if (!up.prepared()) return Error("prepare state");
      for (const auto& [k, v] : req.state) {
        up.Bind(1, req.stream);
        up.Bind(2, k);
        up.Bind(3, v);
        if (up.Run() != SQLITE_DONE) return Error("write state");
      }
    }
    return Exec("COMMIT");
  };
  Status st = body();
  // After a failed COMMIT SQLite may already have rolled back; ROLLBACK is
  // then a harmless error.
  if (!st.ok()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return st;
}

Status CheckpointStore::Commit(CommitRequest req, DedupWindow* window) {
  DedupDelta delta = window->PendingDelta();
  req.delete_ids.insert(req.delete_ids.end(), delta.evicted.begin(), delta.evicted.end());
  req.insert_ids.insert(req.insert_ids.end(), delta.inserted.begin(), delta.inserted.end());
  SLUICE_RETURN_IF_ERROR(Commit(req));
  window->AcknowledgeDelta(delta);
  return Status::Ok();
}

Result<std::vector<ShardCheckpoint>> CheckpointStore::LoadCheckpoints(const std::string& stream) {
  Stmt q(db_,
         "SELECT shard_id, sequence_number, sub_sequence_number, shard_finished, updated_ms FROM checkpoints "
         "WHERE stream = ?1 ORDER BY shard_id");
  if (!q.prepared()) return Error("prepare load checkpoints");
  q.Bind(1, stream);
  std::vector<ShardCheckpoint> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW)
    out.push_back({q.Text(0), q.Text(1), static_cast<uint64_t>(q.Int(2)), q.Int(3) != 0, q.Int(4)});
  if (rc != SQLITE_DONE) return Error("load checkpoints");
  return out;
}

Result<std::optional<ShardCheckpoint>> CheckpointStore::LoadCheckpoint(const std::string& stream,
                                                                       const std::string& shard_id) {
  Stmt q(db_,
         "SELECT shard_id, sequence_number, sub_sequence_number, shard_finished, updated_ms FROM checkpoints "
         "WHERE stream = ?1 AND shard_id = ?2");
  if (!q.prepared()) return Error("prepare load checkpoint");
  q.Bind(1, stream);
  q.Bind(2, shard_id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<ShardCheckpoint>();
  if (rc != SQLITE_ROW) return Error("load checkpoint");
  return std::optional<ShardCheckpoint>(
      ShardCheckpoint{q.Text(0), q.Text(1), static_cast<uint64_t>(q.Int(2)), q.Int(3) != 0, q.Int(4)});
}

Result<std::optional<std::string>> CheckpointStore::LoadState(const std::string& stream, const std::string& key) {
  Stmt q(db_, "SELECT value FROM consumer_state WHERE stream = ?1 AND key = ?2");
  if (!q.prepared()) return Error("prepare load state");
  q.Bind(1, stream);
  q.Bind(2, key);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Error("load state");
  return std::optional<std::string>(q.Text(0));
}

Result<DedupWindow> CheckpointStore::LoadDedupWindow(const std::string& stream, DedupWindowOptions options,
                                                     int64_t now_ms) {
  DedupWindow probe(options);  // normalised options
  options = probe.options();
  struct Row {
    int64_t rowid;
    std::string id;
    int64_t first_seen_ms;
  };
  std::vector<Row> rows;
  {
    Stmt q(db_, "SELECT rowid, event_id, first_seen_ms FROM dedup_ids WHERE stream = ?1 ORDER BY rowid DESC LIMIT ?2");
    if (!q.prepared()) return Error("prepare load dedup ids");
    q.Bind(1, stream);
    q.Bind(2, static_cast<int64_t>(std::min<size_t>(options.max_entries, INT64_MAX)));
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) rows.push_back({q.Int(0), q.Text(1), q.Int(2)});
    if (rc != SQLITE_DONE) return Error("load dedup ids");
  }
  // Oldest first; keep a contiguous newest run whose ids are all young, as
  // the window would have after evicting from the front.
  std::reverse(rows.begin(), rows.end());
  size_t first = 0;
  for (size_t i = 0; i < rows.size(); ++i)
    if (now_ms - rows[i].first_seen_ms >= options.max_age_ms) first = i + 1;
  DedupWindow window(options);
  for (size_t i = first; i < rows.size(); ++i) window.Restore(std::move(rows[i].id), rows[i].first_seen_ms);
  // Delete what was not loaded, so the file stays bounded.
  const int64_t keep_from = first < rows.size() ? rows[first].rowid : INT64_MAX;
  SLUICE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Stmt del(db_, "DELETE FROM dedup_ids WHERE stream = ?1 AND rowid < ?2");
  Status st = del.prepared() ? Status::Ok() : Error("prepare prune");
  if (st.ok()) {
    del.Bind(1, stream);
    del.Bind(2, keep_from);
    if (del.Run() != SQLITE_DONE) st = Error("prune dedup ids");
  }
  if (st.ok()) st = Exec("COMMIT");
  if (!st.ok()) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return window;
}

Result<size_t> CheckpointStore::CountDedupIds(const std::string& stream) {
  Stmt q(db_, "SELECT count(*) FROM dedup_ids WHERE stream = ?1");
  if (!q.prepared()) return Error("prepare count");
  q.Bind(1, stream);
  if (q.Step() != SQLITE_ROW) return Error("count dedup ids");
  return static_cast<size_t>(q.Int(0));
}

Status CheckpointStore::Reset(const std::string& stream) {
  SLUICE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status st;
  for (const char* sql : {"DELETE FROM checkpoints WHERE stream = ?1", "DELETE FROM dedup_ids WHERE stream = ?1",
                          "DELETE FROM consumer_state WHERE stream = ?1"}) {
    Stmt s(db_, sql);
    if (!s.prepared()) {
      st = Error("prepare reset");
      break;
    }
    s.Bind(1, stream);
    if (s.Run() != SQLITE_DONE) {
      st = Error("reset");
      break;
    }
  }
  if (st.ok()) st = Exec("COMMIT");
  if (!st.ok()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return st;
}

}  // namespace sluice::pipeline
