#include "objstore/object_index.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "io/file_util.h"

namespace sluice::objstore {

namespace {

// Every table is created if missing, so opening an older index (or a new
// one) needs no other migration step.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS buckets(name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, region TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS objects(bucket TEXT NOT NULL, key BLOB NOT NULL, size INTEGER NOT NULL,"
    " etag TEXT NOT NULL, last_modified_ms INTEGER NOT NULL, content_type BLOB NOT NULL,"
    " content_encoding BLOB NOT NULL, metadata BLOB NOT NULL, file TEXT NOT NULL,"
    " PRIMARY KEY(bucket, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS uploads(upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL,"
    " initiated_ms INTEGER NOT NULL, content_type BLOB NOT NULL, content_encoding BLOB NOT NULL,"
    " metadata BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS parts(upload_id TEXT NOT NULL, part_number INTEGER NOT NULL,"
    " size INTEGER NOT NULL, etag TEXT NOT NULL, last_modified_ms INTEGER NOT NULL, file TEXT NOT NULL,"
    " PRIMARY KEY(upload_id, part_number)) WITHOUT ROWID;";

}  // namespace

Result<sqlite3*> OpenObjectIndex(const std::filesystem::path& path, bool fsync) {
  // SQLite creates the file with 0644 (less the umask) and gives its -wal and
  // -shm files the database's mode: create it 0600 first.
  if (int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0) {
    ::close(fd);
  } else {
    return io::ErrnoStatus("create", path);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Status st = Status::IoError("cannot open object index " + path.string() + ": " +
                                (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return st;
  }
  sqlite3_busy_timeout(db, 10000);
  Status st = Exec(db, "PRAGMA journal_mode=WAL");
  if (st.ok()) st = Exec(db, fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  if (st.ok()) st = Exec(db, kSchema);
  if (!st.ok()) {
    sqlite3_close(db);
    return st;
  }
  return db;
}

StoreError IndexError(sqlite3* db, std::string_view what) { return StoreError::FromStatus(DbError(db, what)); }

std::string EncodeMetadata(const std::map<std::string, std::string>& metadata) {
  std::string out;
  for (const auto& [name, value] : metadata) {
    out += name;
    out.push_back('\0');
    out += value;
    out.push_back('\0');
  }
  return out;
}

std::map<std::string, std::string> DecodeMetadata(std::string_view s) {
  std::map<std::string, std::string> m;
  while (!s.empty()) {
    size_t a = s.find('\0');
    if (a == std::string_view::npos) break;
    size_t b = s.find('\0', a + 1);
    if (b == std::string_view::npos) break;
    m[std::string(s.substr(0, a))] = std::string(s.substr(a + 1, b - a - 1));
    s.remove_prefix(b + 1);
  }
  return m;
}

ObjectInfo RowToInfo(Stmt& row, const std::string& key, int first_col) {
  ObjectInfo info;
  info.key = key;
  info.size = static_cast<uint64_t>(row.ColInt(first_col));
  info.etag = row.Col(first_col + 1);
  info.last_modified_ms = row.ColInt(first_col + 2);
  info.content_type = row.Col(first_col + 3);
  info.content_encoding = row.Col(first_col + 4);
  info.metadata = DecodeMetadata(row.Col(first_col + 5));
  return info;
}

}  // namespace sluice::objstore
