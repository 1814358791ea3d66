#include "dynamodb/store/sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <string>
#include <utility>

namespace sluice::dynamodb::store {

namespace {
// A non-null pointer for empty blobs: sqlite3_bind_blob with nullptr binds
// NULL, and an empty sort key must compare as an empty blob.
constexpr char kEmpty[1] = {0};
}  // namespace

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.empty() ? kEmpty : bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void Statement::BindText(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.empty() ? kEmpty : text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }

void Statement::BindNull(int i) { sqlite3_bind_null(stmt_, i); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::ColumnBlob(int i) const {
  const void* p = sqlite3_column_blob(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(n)};
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create) {
  if (create) {
    // SQLite creates the file 0644 (less the umask) and gives its -wal and
    // -shm files the database's mode: the data directory's files are 0600.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Status::IoError("dynamodb store: create " + path + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    ::close(fd);
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError("dynamodb store: open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  // Readers and the checkpointer only wait on short locks (WAL recovery);
  // the single writer never contends with another writer.
  sqlite3_busy_timeout(db, 10000);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Status Connection::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::IoError("dynamodb store: " + std::string(sql) + ": " + message);
  }
  return Status::Ok();
}

Result<Statement*> Connection::Prepared(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return &it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return Error(std::string("prepare ") + sql);
  }
  return &cache_.emplace(sql, Statement(stmt)).first->second;
}

Status Connection::Error(std::string_view what) const {
  return Status::IoError("dynamodb store: " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace sluice::dynamodb::store
