#include "objstore/sqlite_db.h"

#include <sqlite3.h>

namespace sluice::objstore {

Status DbError(sqlite3* db, std::string_view what) {
  return Status::IoError("object index: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    return Status::IoError("object index: " + m);
  }
  return Status::Ok();
}

Stmt::Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

bool Stmt::ok() const { return stmt_ != nullptr && rc_ == SQLITE_OK; }

Stmt& Stmt::Text(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::Blob(int i, std::string_view v) {
  sqlite3_bind_blob(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::Int(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

int Stmt::Step() { return rc_ = sqlite3_step(stmt_); }
bool Stmt::Row() { return Step() == SQLITE_ROW; }
bool Stmt::Done() { return Step() == SQLITE_DONE; }

std::string Stmt::Col(int i) {
  const void* p = sqlite3_column_blob(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

int64_t Stmt::ColInt(int i) { return sqlite3_column_int64(stmt_, i); }

Transaction::Transaction(sqlite3* db) : db_(db) {
  began_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
}

Transaction::~Transaction() {
  if (began_ && !finished_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Commit() {
  finished_ = true;
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status st = DbError(db_, "commit");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return Status::Ok();
}

}  // namespace sluice::objstore
