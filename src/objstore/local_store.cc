#include "objstore/local_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <unordered_set>

#include "codec/utf8.h"
#include "io/dir_tree.h"
#include "io/file_util.h"
#include "storage/data_quota.h"

namespace sluice::objstore {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// helpers

std::string ErrorCode(const Status& status) {
  const std::string& m = status.message();
  size_t colon = m.find(": ");
  if (colon == std::string::npos || colon == 0 || colon > 40) return "";
  for (size_t i = 0; i < colon; ++i)
    if (!std::isalnum(static_cast<unsigned char>(m[i]))) return "";
  if (!std::isupper(static_cast<unsigned char>(m[0]))) return "";
  return m.substr(0, colon);
}

Status StoreError(StatusCode status, std::string_view code, std::string_view message) {
  return Status(status, std::string(code) + ": " + std::string(message));
}

namespace {

Status NoSuchBucket() {
  return StoreError(StatusCode::kNotFound, "NoSuchBucket", "The specified bucket does not exist");
}
Status NoSuchKey() { return StoreError(StatusCode::kNotFound, "NoSuchKey", "The specified key does not exist."); }
Status NoSuchUpload() {
  return StoreError(StatusCode::kNotFound, "NoSuchUpload",
                    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                    "aborted or completed.");
}
Status BadKey() {
  return StoreError(StatusCode::kInvalidArgument, "KeyTooLongError",
                    "Your key is too long, empty, or not valid UTF-8 without NUL.");
}

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256Hex(std::string_view data) {
  std::string d = Digest(EVP_sha256(), data);
  return Hex(reinterpret_cast<const unsigned char*>(d.data()), d.size());
}

std::string Quote(std::string s) { return "\"" + s + "\""; }
std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

// Metadata as "name\0value\0..." (header values never hold NUL).
std::string EncodeMetadata(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) {
    out += k;
    out.push_back('\0');
    out += v;
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

// The smallest string greater than every string starting with `p`, or
// nullopt when there is none (p empty or all 0xFF).
std::optional<std::string> PrefixEnd(std::string p) {
  while (!p.empty()) {
    unsigned char c = static_cast<unsigned char>(p.back());
    if (c != 0xFF) {
      p.back() = static_cast<char>(c + 1);
      return p;
    }
    p.pop_back();
  }
  return std::nullopt;
}

// RAII statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Int(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  int Step() { return rc_ = sqlite3_step(s_); }
  bool Row() { return Step() == SQLITE_ROW; }
  std::string Col(int i) {
    const void* p = sqlite3_column_blob(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  int64_t ColInt(int i) { return sqlite3_column_int64(s_, i); }
  int rc() const { return rc_; }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
};

Status DbError(sqlite3* db, std::string_view what) {
  return Status::IoError("object index: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

// Transaction scope: BEGIN IMMEDIATE; rolls back unless committed.
class Txn {
 public:
  explicit Txn(sqlite3* db) : db_(db) { ok_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK; }
  ~Txn() {
    if (ok_ && !done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool ok() const { return ok_; }
  Status Commit() {
    done_ = true;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status st = DbError(db_, "commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool ok_ = false;
  bool done_ = false;
};

ObjectInfo RowToInfo(Stmt& s, const std::string& key, int first_col) {
  ObjectInfo info;
  info.key = key;
  info.size = static_cast<uint64_t>(s.ColInt(first_col));
  info.etag = s.Col(first_col + 1);
  info.last_modified_ms = s.ColInt(first_col + 2);
  info.content_type = s.Col(first_col + 3);
  info.content_encoding = s.Col(first_col + 4);
  info.metadata = DecodeMetadata(s.Col(first_col + 5));
  return info;
}

Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io::ErrnoStatus("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status PreadAll(int fd, char* out, uint64_t n, uint64_t offset, const fs::path& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return io::ErrnoStatus("read", path);
    }
    if (r == 0) return Status::Corruption("object file " + path.string() + " is shorter than its index entry");
    out += r;
    n -= static_cast<uint64_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

bool IsHexId(std::string_view s) {
  if (s.size() != 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool IsValidBucketName(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : n)
    if (!alnum(c) && c != '.' && c != '-') return false;
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  if (n.find("..") != std::string_view::npos || n.find(".-") != std::string_view::npos ||
      n.find("-.") != std::string_view::npos)
    return false;
  // IPv4-formatted names.
  int dots = 0;
  bool digits_dots = true;
  for (char c : n) {
    if (c == '.') ++dots;
    else if (!(c >= '0' && c <= '9')) digits_dots = false;
  }
  if (digits_dots && dots == 3) return false;
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (n.substr(0, p.size()) == p) return false;
  for (std::string_view s : {"-s3alias", "--ol-s3", "--x-s3", ".mrap"})
    if (n.size() >= s.size() && n.substr(n.size() - s.size()) == s) return false;
  return true;
}

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > 1024) return false;
  if (key.find('\0') != std::string_view::npos) return false;
  return codec::IsValidUtf8(key);
}

std::string Md5Raw(std::string_view data) { return Digest(EVP_md5(), data); }
std::string Md5Hex(std::string_view data) {
  std::string d = Md5Raw(data);
  return Hex(reinterpret_cast<const unsigned char*>(d.data()), d.size());
}

Result<std::string> MultipartEtag(const std::vector<std::string>& part_etags) {
  std::string raw;
  for (const auto& e : part_etags) {
    std::string h = Unquote(e);
    if (h.size() != 32) return Status::InvalidArgument("not an MD5 ETag: " + e);
    for (size_t i = 0; i < 32; i += 2) {
      int v = 0;
      for (size_t j = i; j < i + 2; ++j) {
        char c = h[j];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return Status::InvalidArgument("not an MD5 ETag: " + e);
        v = v * 16 + d;
      }
      raw.push_back(static_cast<char>(v));
    }
  }
  return Quote(Md5Hex(raw) + "-" + std::to_string(part_etags.size()));
}

// ---------------------------------------------------------------------------
// LocalStore

LocalStore::LocalStore(LocalStoreOptions options) : options_(std::move(options)) {}

LocalStore::~LocalStore() {
  if (db_) sqlite3_close(db_);
}

Result<std::shared_ptr<LocalStore>> LocalStore::Open(LocalStoreOptions options) {
  std::error_code ec;
  options.root = fs::absolute(options.root, ec);
  std::shared_ptr<LocalStore> store(new LocalStore(std::move(options)));
  SLUICE_RETURN_IF_ERROR(store->Init());
  return store;
}

Status LocalStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    return Status::IoError("object index: " + m);
  }
  return Status::Ok();
}

Status LocalStore::Init() {
  const fs::path& root = options_.root;
  SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(root));
  for (const char* d : {"objects", "parts", "tmp"}) SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(root / d));
  // The 256 fan-out directories objects/<hh> are made on first use
  // (WriteDurably), so that a fresh server starts in milliseconds.

  fs::path db_path = root / "index.db";
  // SQLite creates the file with 0644 (less the umask) and gives its -wal and
  // -shm files the database's mode: create it 0600 first.
  if (int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0) {
    ::close(fd);
  } else {
    return io::ErrnoStatus("create", db_path);
  }
  if (sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Status st = Status::IoError("cannot open object index " + db_path.string() + ": " +
                                (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    return st;
  }
  sqlite3_busy_timeout(db_, 10000);
  SLUICE_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
  SLUICE_RETURN_IF_ERROR(Exec(options_.fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"));
  SLUICE_RETURN_IF_ERROR(Exec(
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
      " PRIMARY KEY(upload_id, part_number)) WITHOUT ROWID;"));
  std::random_device rd;
  generation_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return CleanOrphans();
}

Status LocalStore::CleanOrphans() {
  std::unordered_set<std::string> referenced;
  {
    Stmt s(db_, "SELECT file FROM objects UNION ALL SELECT file FROM parts");
    if (!s.ok()) return DbError(db_, "scan");
    while (s.Row()) referenced.insert(s.Col(0));
  }
  // Symlinks are never followed (io/dir_tree.h): a directory that is a
  // symlink is not swept, and an entry that is one is removed itself (its
  // target stays). A directory that cannot be swept is left for next time.
  auto sweep = [&](const fs::path& rel) {
    (void)io::RemoveFilesBeneath(options_.root, rel, [&](std::string_view name) {
      return referenced.count((rel / std::string(name)).string()) > 0;
    });
  };
  if (auto fanout = io::ListBeneath(options_.root, "objects"); fanout.ok()) {
    for (const auto& hh : *fanout)
      if (hh.kind == io::DirEntry::Kind::kDirectory) sweep(fs::path("objects") / hh.name);
  }
  for (const char* d : {"parts", "tmp"}) sweep(d);
  // Parts whose upload is gone cannot exist (one transaction), but be safe.
  return Exec("DELETE FROM parts WHERE upload_id NOT IN (SELECT upload_id FROM uploads)");
}

uint64_t LocalStore::NextGeneration() {
  std::lock_guard<std::mutex> l(gen_mu_);
  return ++generation_;
}

int64_t LocalStore::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void LocalStore::RemoveFile(const std::string& rel) {
  if (rel.empty()) return;
  fs::path p = options_.root / rel;
  struct stat sb;
  bool known = ::lstat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode);
  if (::unlink(p.c_str()) == 0 && known) storage::DataQuota::Default().Release(static_cast<uint64_t>(sb.st_size));
}

static Result<std::string> WriteDurablyCharged(const fs::path& root, const std::string& subdir,
                                               const std::string& stem, uint64_t gen, bool fsync,
                                               const std::function<Status(int, const fs::path&)>& fill);

// Writes a new file of `size` bytes under `subdir` ("objects/<hh>" or
// "parts") named `<stem>-<generation>`: temp file (0600), fill, fdatasync,
// rename, fsync dir. The bytes are charged to the data quota first
// (--max-data-bytes: refused with 503 ServiceUnavailable, nothing written).
// Returns the name relative to root.
static Result<std::string> WriteDurably(const fs::path& root, const std::string& subdir, const std::string& stem,
                                        uint64_t gen, bool fsync, uint64_t size,
                                        const std::function<Status(int, const fs::path&)>& fill) {
  storage::DataQuota& quota = storage::DataQuota::Default();
  if (Status q = quota.Charge(size); !q.ok()) return StoreError(StatusCode::kUnavailable, "ServiceUnavailable", q.message());
  Result<std::string> rel = WriteDurablyCharged(root, subdir, stem, gen, fsync, fill);
  if (!rel.ok()) quota.Release(size);
  return rel;
}

static Result<std::string> WriteDurablyCharged(const fs::path& root, const std::string& subdir,
                                               const std::string& stem, uint64_t gen, bool fsync,
                                               const std::function<Status(int, const fs::path&)>& fill) {
  char genhex[17];
  std::snprintf(genhex, sizeof genhex, "%016llx", static_cast<unsigned long long>(gen));
  std::string name = stem + "-" + genhex;
  fs::path tmp = root / "tmp" / (name + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io::ErrnoStatus("create", tmp);
  Status st = fill(fd, tmp);
  if (st.ok() && fsync && ::fdatasync(fd) != 0) st = io::ErrnoStatus("fdatasync", tmp);
  ::close(fd);
  std::string rel = subdir + "/" + name;
  fs::path final_path = root / rel;
  if (st.ok()) {
    fs::path dir = root / subdir;
    if (::mkdir(dir.c_str(), 0700) == 0) {
      // A new fan-out directory: its entry must be durable before files in it are.
      if (fsync) st = io::SyncDirectory(dir.parent_path());
    } else if (errno != EEXIST) {
      st = io::ErrnoStatus("mkdir", dir);
    }
  }
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = io::ErrnoStatus("rename", tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (fsync) {
    Status ds = io::SyncDirectory(root / subdir);
    if (!ds.ok()) {
      ::unlink(final_path.c_str());
      return ds;
    }
  }
  return rel;
}

Result<std::string> LocalStore::WriteObjectFile(const std::string& bucket, const std::string& key,
                                                const std::vector<std::string_view>& pieces,
                                                const std::string& subdir) {
  std::string h = Sha256Hex(bucket + std::string(1, '\0') + key);
  std::string dir = subdir.empty() ? "objects/" + h.substr(0, 2) : subdir;
  uint64_t size = 0;
  for (auto piece : pieces) size += piece.size();
  return WriteDurably(options_.root, dir, h.substr(0, 40), NextGeneration(), options_.fsync, size,
                      [&](int fd, const fs::path& p) {
                        for (auto piece : pieces) SLUICE_RETURN_IF_ERROR(WriteAll(fd, piece, p));
                        return Status::Ok();
                      });
}

Result<bool> LocalStore::BucketExistsLocked(const std::string& bucket) {
  Stmt s(db_, "SELECT 1 FROM buckets WHERE name=?1");
  s.Text(1, bucket);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return DbError(db_, "bucket lookup");
}

Result<bool> LocalStore::BucketExists(const std::string& bucket) {
  std::lock_guard<std::mutex> l(mu_);
  return BucketExistsLocked(bucket);
}

std::string LocalStore::Describe() const { return "embedded (" + options_.root.string() + ")"; }

Status LocalStore::CreateBucket(const std::string& bucket, const std::string& region) {
  if (!IsValidBucketName(bucket))
    return StoreError(StatusCode::kInvalidArgument, "InvalidBucketName", "The specified bucket is not valid.");
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "INSERT INTO buckets(name, created_ms, region) VALUES(?1, ?2, ?3)");
  s.Text(1, bucket).Int(2, NowMs()).Text(3, region.empty() ? options_.default_region : region);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_CONSTRAINT)
    return StoreError(StatusCode::kAlreadyExists, "BucketAlreadyOwnedByYou",
                      "Your previous request to create the named bucket succeeded and you already own it.");
  return DbError(db_, "create bucket");
}

Status LocalStore::DeleteBucket(const std::string& bucket) {
  std::vector<std::string> files;
  {
    std::lock_guard<std::mutex> l(mu_);
    Txn txn(db_);
    if (!txn.ok()) return DbError(db_, "begin");
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.status();
    if (!*exists) return NoSuchBucket();
    {
      Stmt s(db_, "SELECT 1 FROM objects WHERE bucket=?1 LIMIT 1");
      s.Text(1, bucket);
      if (s.Row())
        return StoreError(StatusCode::kFailedPrecondition, "BucketNotEmpty",
                          "The bucket you tried to delete is not empty");
    }
    {
      Stmt s(db_, "SELECT file FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket=?1)");
      s.Text(1, bucket);
      while (s.Row()) files.push_back(s.Col(0));
    }
    Stmt d1(db_, "DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket=?1)");
    Stmt d2(db_, "DELETE FROM uploads WHERE bucket=?1");
    Stmt d3(db_, "DELETE FROM buckets WHERE name=?1");
    d1.Text(1, bucket);
    d2.Text(1, bucket);
    d3.Text(1, bucket);
    if (d1.Step() != SQLITE_DONE || d2.Step() != SQLITE_DONE || d3.Step() != SQLITE_DONE)
      return DbError(db_, "delete bucket");
    SLUICE_RETURN_IF_ERROR(txn.Commit());
  }
  for (const auto& f : files) RemoveFile(f);
  return Status::Ok();
}

Result<BucketInfo> LocalStore::GetBucket(const std::string& bucket) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "SELECT name, created_ms, region FROM buckets WHERE name=?1");
  s.Text(1, bucket);
  if (!s.Row()) return s.rc() == SQLITE_DONE ? NoSuchBucket() : DbError(db_, "bucket lookup");
  return BucketInfo{s.Col(0), s.ColInt(1), s.Col(2)};
}

Result<std::vector<BucketInfo>> LocalStore::ListBuckets() {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "SELECT name, created_ms, region FROM buckets ORDER BY name");
  std::vector<BucketInfo> out;
  while (s.Row()) out.push_back({s.Col(0), s.ColInt(1), s.Col(2)});
  if (s.rc() != SQLITE_DONE) return DbError(db_, "list buckets");
  return out;
}

Status LocalStore::PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                             const PutOptions& options) {
  return Put(bucket, key, data, options).status();
}

Result<ObjectInfo> LocalStore::CommitObject(const std::string& bucket, const std::string& key, const std::string& file,
                                            uint64_t size, const std::string& etag, const PutOptions& options,
                                            const std::string& finished_upload) {
  std::string old_file;
  std::vector<std::string> part_files;
  ObjectInfo info;
  info.key = key;
  info.size = size;
  info.etag = etag;
  info.content_type = options.content_type;
  info.content_encoding = options.content_encoding;
  info.metadata = options.metadata;
  Status failure;
  {
    std::lock_guard<std::mutex> l(mu_);
    info.last_modified_ms = NowMs();
    Txn txn(db_);
    if (!txn.ok()) {
      failure = DbError(db_, "begin");
    } else if (auto exists = BucketExistsLocked(bucket); !exists.ok() || !*exists) {
      failure = exists.ok() ? NoSuchBucket() : exists.status();
    } else {
      if (!finished_upload.empty()) {
        Stmt u(db_, "SELECT 1 FROM uploads WHERE upload_id=?1");
        u.Text(1, finished_upload);
        if (!u.Row()) failure = NoSuchUpload();
        Stmt p(db_, "SELECT file FROM parts WHERE upload_id=?1");
        p.Text(1, finished_upload);
        while (failure.ok() && p.Row()) part_files.push_back(p.Col(0));
        Stmt d1(db_, "DELETE FROM parts WHERE upload_id=?1");
        Stmt d2(db_, "DELETE FROM uploads WHERE upload_id=?1");
        d1.Text(1, finished_upload);
        d2.Text(1, finished_upload);
        if (failure.ok() && (d1.Step() != SQLITE_DONE || d2.Step() != SQLITE_DONE))
          failure = DbError(db_, "finish upload");
      }
      if (failure.ok()) {
        Stmt old(db_, "SELECT file FROM objects WHERE bucket=?1 AND key=?2");
        old.Text(1, bucket).Blob(2, key);
        if (old.Row()) old_file = old.Col(0);
        Stmt s(db_,
               "INSERT OR REPLACE INTO objects(bucket, key, size, etag, last_modified_ms, content_type,"
               " content_encoding, metadata, file) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
        s.Text(1, bucket)
            .Blob(2, key)
            .Int(3, static_cast<int64_t>(size))
            .Text(4, etag)
            .Int(5, info.last_modified_ms)
            .Blob(6, options.content_type)
            .Blob(7, options.content_encoding)
            .Blob(8, EncodeMetadata(options.metadata))
            .Text(9, file);
        if (s.Step() != SQLITE_DONE) failure = DbError(db_, "insert object");
      }
      if (failure.ok()) failure = txn.Commit();
    }
  }
  if (!failure.ok()) {
    RemoveFile(file);
    return failure;
  }
  if (old_file != file) RemoveFile(old_file);
  for (const auto& f : part_files) RemoveFile(f);
  return info;
}

Result<ObjectInfo> LocalStore::Put(const std::string& bucket, const std::string& key, std::string_view data,
                                   const PutOptions& options) {
  if (!IsValidKey(key)) return BadKey();
  {
    auto exists = BucketExists(bucket);
    if (!exists.ok()) return exists.status();
    if (!*exists) return NoSuchBucket();
  }
  std::string etag = Quote(Md5Hex(data));
  auto file = WriteObjectFile(bucket, key, {data}, "");
  if (!file.ok()) return file.status();
  return CommitObject(bucket, key, *file, data.size(), etag, options, "");
}

Result<std::pair<ObjectInfo, std::string>> LocalStore::Lookup(const std::string& bucket, const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_,
         "SELECT size, etag, last_modified_ms, content_type, content_encoding, metadata, file FROM objects"
         " WHERE bucket=?1 AND key=?2");
  s.Text(1, bucket).Blob(2, key);
  if (s.Row()) return std::make_pair(RowToInfo(s, key, 0), s.Col(6));
  if (s.rc() != SQLITE_DONE) return DbError(db_, "lookup");
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.status();
  return *exists ? NoSuchKey() : NoSuchBucket();
}

Result<ObjectInfo> LocalStore::Head(const std::string& bucket, const std::string& key) {
  if (!IsValidKey(key)) {
    auto exists = BucketExists(bucket);
    if (exists.ok() && !*exists) return NoSuchBucket();
    return NoSuchKey();
  }
  auto r = Lookup(bucket, key);
  if (!r.ok()) return r.status();
  return std::move(r->first);
}

Result<ObjectInfo> LocalStore::Get(const std::string& bucket, const std::string& key, std::string* body,
                                   std::optional<ByteRange> range) {
  if (!IsValidKey(key)) return Head(bucket, key).status();
  // A concurrent put may replace (and unlink) the file between the lookup and
  // the open; look again then. Once open, the file stays readable.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto r = Lookup(bucket, key);
    if (!r.ok()) return r.status();
    auto& [info, file] = *r;
    fs::path p = options_.root / file;
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return io::ErrnoStatus("open", p);
    }
    uint64_t first = 0, n = info.size;
    if (range) {
      first = range->first;
      n = range->last >= range->first && range->last < info.size ? range->last - range->first + 1 : 0;
    }
    body->resize(n);
    Status st = PreadAll(fd, body->data(), n, first, p);
    ::close(fd);
    if (!st.ok()) return st;
    return std::move(info);
  }
  return Status::Unavailable("object " + key + " keeps changing; try again");
}

Status LocalStore::Delete(const std::string& bucket, const std::string& key) {
  std::string file;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.status();
    if (!*exists) return NoSuchBucket();
    Txn txn(db_);
    if (!txn.ok()) return DbError(db_, "begin");
    Stmt s(db_, "SELECT file FROM objects WHERE bucket=?1 AND key=?2");
    s.Text(1, bucket).Blob(2, key);
    if (!s.Row()) return Status::Ok();
    file = s.Col(0);
    Stmt d(db_, "DELETE FROM objects WHERE bucket=?1 AND key=?2");
    d.Text(1, bucket).Blob(2, key);
    if (d.Step() != SQLITE_DONE) return DbError(db_, "delete object");
    SLUICE_RETURN_IF_ERROR(txn.Commit());
  }
  RemoveFile(file);
  return Status::Ok();
}

Result<std::vector<Status>> LocalStore::DeleteMany(const std::string& bucket, const std::vector<std::string>& keys) {
  auto exists = BucketExists(bucket);
  if (!exists.ok()) return exists.status();
  if (!*exists) return NoSuchBucket();
  std::vector<Status> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(Delete(bucket, k));
  return out;
}

Result<ListResult> LocalStore::List(const std::string& bucket, const ListOptions& options) {
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.status();
  if (!*exists) return NoSuchBucket();
  ListResult out;
  const std::string& prefix = options.prefix;
  const std::string& delim = options.delimiter;
  std::string cursor = prefix;  // inclusive lower bound
  if (!options.start_after.empty()) {
    std::string after = options.start_after + std::string(1, '\0');
    if (after > cursor) cursor = after;
    const std::string& m = options.start_after;
    if (!delim.empty() && m.size() > prefix.size() && m.compare(0, prefix.size(), prefix) == 0) {
      size_t pos = m.find(delim, prefix.size());
      if (pos != std::string::npos) {
        auto end = PrefixEnd(m.substr(0, pos + delim.size()));
        if (!end) return out;
        if (*end > cursor) cursor = *end;
      }
    }
  }
  std::optional<std::string> end = PrefixEnd(prefix);
  int count = 0;
  const int kBatch = 512;
  while (true) {
    Stmt s(db_, end ? "SELECT key, size, etag, last_modified_ms, content_type, content_encoding, metadata FROM objects"
                      " WHERE bucket=?1 AND key>=?2 AND key<?3 ORDER BY key LIMIT ?4"
                    : "SELECT key, size, etag, last_modified_ms, content_type, content_encoding, metadata FROM objects"
                      " WHERE bucket=?1 AND key>=?2 ORDER BY key LIMIT ?4");
    s.Text(1, bucket).Blob(2, cursor).Int(4, kBatch);
    if (end) s.Blob(3, *end);
    int rows = 0;
    bool reseek = false;
    while (s.Row()) {
      ++rows;
      std::string key = s.Col(0);
      if (count >= options.max_keys) {
        out.truncated = true;
        return out;
      }
      size_t pos = delim.empty() ? std::string::npos : key.find(delim, prefix.size());
      if (pos != std::string::npos) {
        std::string cp = key.substr(0, pos + delim.size());
        out.common_prefixes.push_back(cp);
        out.last = cp;
        ++count;
        auto next = PrefixEnd(cp);
        if (!next) return out;
        cursor = *next;
        reseek = true;
        break;
      }
      out.objects.push_back(RowToInfo(s, key, 1));
      out.last = key;
      ++count;
      cursor = key + std::string(1, '\0');
    }
    if (!reseek && s.rc() != SQLITE_DONE) return DbError(db_, "list");
    if (!reseek && rows < kBatch) break;
  }
  return out;
}

Result<ObjectInfo> LocalStore::Copy(const std::string& src_bucket, const std::string& src_key,
                                    const std::string& dst_bucket, const std::string& dst_key,
                                    const std::optional<PutOptions>& replace) {
  std::string body;
  auto src = Get(src_bucket, src_key, &body);
  if (!src.ok()) return src.status();
  PutOptions opts;
  if (replace) {
    opts = *replace;
  } else {
    opts.content_type = src->content_type;
    opts.content_encoding = src->content_encoding;
    opts.metadata = src->metadata;
  }
  return Put(dst_bucket, dst_key, body, opts);
}

// ---------------------------------------------------------------------------
// multipart

Result<std::string> LocalStore::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                      const PutOptions& options) {
  if (!IsValidKey(key)) return BadKey();
  std::string id;
  {
    std::random_device rd;
    std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ NextGeneration());
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    id = buf;
  }
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.status();
  if (!*exists) return NoSuchBucket();
  Stmt s(db_,
         "INSERT INTO uploads(upload_id, bucket, key, initiated_ms, content_type, content_encoding, metadata)"
         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.Text(1, id)
      .Text(2, bucket)
      .Blob(3, key)
      .Int(4, NowMs())
      .Blob(5, options.content_type)
      .Blob(6, options.content_encoding)
      .Blob(7, EncodeMetadata(options.metadata));
  if (s.Step() != SQLITE_DONE) return DbError(db_, "create upload");
  return id;
}

Result<std::string> LocalStore::UploadPart(const std::string& bucket, const std::string& key,
                                           const std::string& upload_id, int part_number, std::string_view data) {
  if (part_number < 1 || part_number > 10000)
    return StoreError(StatusCode::kInvalidArgument, "InvalidArgument",
                      "Part number must be an integer between 1 and 10000, inclusive");
  auto check = [&]() -> Status {
    if (!IsHexId(upload_id)) return NoSuchUpload();
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.status();
    if (!*exists) return NoSuchBucket();
    Stmt u(db_, "SELECT 1 FROM uploads WHERE upload_id=?1 AND bucket=?2 AND key=?3");
    u.Text(1, upload_id).Text(2, bucket).Blob(3, key);
    if (!u.Row()) return NoSuchUpload();
    return Status::Ok();
  };
  {
    std::lock_guard<std::mutex> l(mu_);
    SLUICE_RETURN_IF_ERROR(check());
  }
  std::string etag = Quote(Md5Hex(data));
  auto file = WriteDurably(options_.root, "parts", upload_id + "-" + std::to_string(part_number), NextGeneration(),
                           options_.fsync, data.size(), [&](int fd, const fs::path& p) { return WriteAll(fd, data, p); });
  if (!file.ok()) return file.status();
  std::string old_file;
  Status failure;
  {
    std::lock_guard<std::mutex> l(mu_);
    Txn txn(db_);
    failure = txn.ok() ? check() : DbError(db_, "begin");
    if (failure.ok()) {
      Stmt old(db_, "SELECT file FROM parts WHERE upload_id=?1 AND part_number=?2");
      old.Text(1, upload_id).Int(2, part_number);
      if (old.Row()) old_file = old.Col(0);
      Stmt s(db_,
             "INSERT OR REPLACE INTO parts(upload_id, part_number, size, etag, last_modified_ms, file)"
             " VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
      s.Text(1, upload_id)
          .Int(2, part_number)
          .Int(3, static_cast<int64_t>(data.size()))
          .Text(4, etag)
          .Int(5, NowMs())
          .Text(6, *file);
      failure = s.Step() == SQLITE_DONE ? txn.Commit() : DbError(db_, "insert part");
    }
  }
  if (!failure.ok()) {
    RemoveFile(*file);
    return failure;
  }
  if (old_file != *file) RemoveFile(old_file);
  return etag;
}

Result<std::vector<PartInfo>> LocalStore::ListParts(const std::string& bucket, const std::string& key,
                                                    const std::string& upload_id) {
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.status();
  if (!*exists) return NoSuchBucket();
  Stmt u(db_, "SELECT 1 FROM uploads WHERE upload_id=?1 AND bucket=?2 AND key=?3");
  u.Text(1, upload_id).Text(2, bucket).Blob(3, key);
  if (!u.Row()) return NoSuchUpload();
  Stmt s(db_, "SELECT part_number, size, etag, last_modified_ms FROM parts WHERE upload_id=?1 ORDER BY part_number");
  s.Text(1, upload_id);
  std::vector<PartInfo> out;
  while (s.Row()) out.push_back({static_cast<int>(s.ColInt(0)), static_cast<uint64_t>(s.ColInt(1)), s.Col(2), s.ColInt(3)});
  return out;
}

Result<std::vector<UploadInfo>> LocalStore::ListUploads(const std::string& bucket) {
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.status();
  if (!*exists) return NoSuchBucket();
  Stmt s(db_, "SELECT upload_id, key, initiated_ms FROM uploads WHERE bucket=?1 ORDER BY key, initiated_ms");
  s.Text(1, bucket);
  std::vector<UploadInfo> out;
  while (s.Row()) out.push_back({s.Col(0), bucket, s.Col(1), s.ColInt(2)});
  return out;
}

Status LocalStore::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                        const std::string& upload_id) {
  std::vector<std::string> files;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.status();
    if (!*exists) return NoSuchBucket();
    Txn txn(db_);
    if (!txn.ok()) return DbError(db_, "begin");
    Stmt u(db_, "SELECT 1 FROM uploads WHERE upload_id=?1 AND bucket=?2 AND key=?3");
    u.Text(1, upload_id).Text(2, bucket).Blob(3, key);
    if (!u.Row()) return NoSuchUpload();
    Stmt p(db_, "SELECT file FROM parts WHERE upload_id=?1");
    p.Text(1, upload_id);
    while (p.Row()) files.push_back(p.Col(0));
    Stmt d1(db_, "DELETE FROM parts WHERE upload_id=?1");
    Stmt d2(db_, "DELETE FROM uploads WHERE upload_id=?1");
    d1.Text(1, upload_id);
    d2.Text(1, upload_id);
    if (d1.Step() != SQLITE_DONE || d2.Step() != SQLITE_DONE) return DbError(db_, "abort upload");
    SLUICE_RETURN_IF_ERROR(txn.Commit());
  }
  for (const auto& f : files) RemoveFile(f);
  return Status::Ok();
}

Result<ObjectInfo> LocalStore::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                       const std::string& upload_id,
                                                       const std::vector<CompletedPart>& parts) {
  if (parts.empty())
    return StoreError(StatusCode::kInvalidArgument, "MalformedXML",
                      "The XML you provided was not well-formed or did not validate against our published schema");
  PutOptions opts;
  struct Stored {
    uint64_t size;
    std::string etag;
    std::string file;
  };
  std::map<int, Stored> stored;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.status();
    if (!*exists) return NoSuchBucket();
    Stmt u(db_, "SELECT content_type, content_encoding, metadata FROM uploads WHERE upload_id=?1 AND bucket=?2 AND key=?3");
    u.Text(1, upload_id).Text(2, bucket).Blob(3, key);
    if (!u.Row()) return NoSuchUpload();
    opts.content_type = u.Col(0);
    opts.content_encoding = u.Col(1);
    opts.metadata = DecodeMetadata(u.Col(2));
    Stmt s(db_, "SELECT part_number, size, etag, file FROM parts WHERE upload_id=?1");
    s.Text(1, upload_id);
    while (s.Row()) stored[static_cast<int>(s.ColInt(0))] = {static_cast<uint64_t>(s.ColInt(1)), s.Col(2), s.Col(3)};
  }
  std::vector<std::string> etags;
  std::vector<const Stored*> chosen;
  int prev = 0;
  uint64_t total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (p.part_number <= prev)
      return StoreError(StatusCode::kInvalidArgument, "InvalidPartOrder",
                        "The list of parts was not in ascending order. Parts must be ordered by part number.");
    prev = p.part_number;
    auto it = stored.find(p.part_number);
    if (it == stored.end() || Unquote(it->second.etag) != Unquote(p.etag))
      return StoreError(StatusCode::kInvalidArgument, "InvalidPart",
                        "One or more of the specified parts could not be found. The part may not have been uploaded, "
                        "or the specified entity tag may not match the part's entity tag.");
    etags.push_back(it->second.etag);
    chosen.push_back(&it->second);
    total += it->second.size;
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i)
    if (chosen[i]->size < options_.min_part_size)
      return StoreError(StatusCode::kInvalidArgument, "EntityTooSmall",
                        "Your proposed upload is smaller than the minimum allowed object size.");
  auto etag = MultipartEtag(etags);
  if (!etag.ok()) return StoreError(StatusCode::kInternal, "InternalError", etag.status().message());
  std::string h = Sha256Hex(bucket + std::string(1, '\0') + key);
  auto file = WriteDurably(options_.root, "objects/" + h.substr(0, 2), h.substr(0, 40), NextGeneration(),
                           options_.fsync, total, [&](int fd, const fs::path& out) -> Status {
                             std::vector<char> buf(1 << 20);
                             for (const Stored* s : chosen) {
                               fs::path in = options_.root / s->file;
                               int ifd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
                               if (ifd < 0) return errno == ENOENT ? NoSuchUpload() : io::ErrnoStatus("open", in);
                               uint64_t off = 0;
                               Status st;
                               while (st.ok() && off < s->size) {
                                 uint64_t n = std::min<uint64_t>(buf.size(), s->size - off);
                                 st = PreadAll(ifd, buf.data(), n, off, in);
                                 if (st.ok()) st = WriteAll(fd, std::string_view(buf.data(), n), out);
                                 off += n;
                               }
                               ::close(ifd);
                               SLUICE_RETURN_IF_ERROR(st);
                             }
                             return Status::Ok();
                           });
  if (!file.ok()) return file.status();
  return CommitObject(bucket, key, *file, total, *etag, opts, upload_id);
}

}  // namespace sluice::objstore
