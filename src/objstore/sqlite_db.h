// Small SQLite helpers for the object index: a prepared statement that
// finalizes itself, a BEGIN IMMEDIATE transaction that rolls back unless
// committed, and errors as Status. Not thread-safe: a connection is used by
// one thread at a time (LocalStore holds its mutex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::objstore {

// IoError "object index: <what>: <SQLite's last error message>".
Status DbError(sqlite3* db, std::string_view what);
// Runs `sql` (one or more statements, no results); IoError on failure.
Status Exec(sqlite3* db, const char* sql);

// A prepared statement; binders chain, parameters are 1-based, columns
// 0-based. A statement that failed to prepare reports ok() false and every
// Step() then fails.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const;
  Stmt& Text(int i, std::string_view v);
  Stmt& Blob(int i, std::string_view v);
  Stmt& Int(int i, int64_t v);
  // sqlite3_step's result code (SQLITE_ROW, SQLITE_DONE, an error).
  int Step();
  // Step() gave a row.
  bool Row();
  // Step() finished the statement (SQLITE_DONE).
  bool Done();
  // A column's bytes (text or blob); "" for NULL.
  std::string Col(int i);
  int64_t ColInt(int i);
  // The last result code (that of prepare until the first Step).
  int rc() const { return rc_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = 0;
};

// BEGIN IMMEDIATE on construction (ok() tells whether it began); rolls back
// on destruction unless Commit() ran.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  bool ok() const { return began_; }
  // COMMIT; on failure rolls back and returns the error.
  Status Commit();

 private:
  sqlite3* db_;
  bool began_ = false;
  bool finished_ = false;
};

}  // namespace sluice::objstore
