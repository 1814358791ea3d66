// A thin RAII layer over the SQLite C API for the table store: a connection
// that caches its prepared statements, and a statement with typed binds and
// zero-copy column views. Errors are Status values (kIoError with SQLite's
// message). One thread at a time per connection (SQLITE_OPEN_NOMUTEX).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

namespace sluice::dynamodb::store {

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Blobs are bound without a copy: the bytes must outlive the step.
  // An empty view binds an empty blob, never NULL.
  void BindBlob(int i, std::string_view bytes);
  void BindText(int i, std::string_view text);
  void BindInt(int i, int64_t v);
  void BindNull(int i);

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  // Clears bindings and rewinds, ready for the next use.
  void Reset();

  std::string_view ColumnBlob(int i) const;
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a cached statement when the scope ends, whatever path it takes.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& s) : s_(s) {}
  ~ScopedReset() { s_.Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement& s_;
};

class Connection {
 public:
  // Opens (creating when `create`) the database at `path`.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL text without results (pragmas, schema, BEGIN/COMMIT).
  Status Exec(const char* sql);

  // The statement for `sql`, prepared once per connection and kept. The
  // text's address is the cache key (no allocation per use): `sql` must have
  // static storage duration. Returned statements are reset (use
  // ScopedReset after stepping) and live as long as the connection.
  Result<Statement*> Prepared(const char* sql);

  // kIoError carrying the connection's last SQLite error, prefixed.
  Status Error(std::string_view what) const;

  sqlite3* db() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, Statement> cache_;
};

}  // namespace sluice::dynamodb::store
