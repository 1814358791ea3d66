// LocalStore: opening the store, buckets, and single-part objects (put,
// head, get, delete, list, copy). Multipart uploads are in multipart.cc.
#include "objstore/local_store.h"

#include <sqlite3.h>

#include <chrono>
#include <unordered_set>

#include "objstore/digest.h"
#include "objstore/names.h"
#include "objstore/object_index.h"
#include "objstore/sqlite_db.h"

namespace sluice::objstore {

namespace fs = std::filesystem;

namespace {

StoreError InvalidKey() {
  return {StoreError::Code::kInvalidKey, "Your key is too long, empty, or not valid UTF-8 without NUL."};
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

}  // namespace

LocalStore::LocalStore(LocalStoreOptions options)
    : options_(std::move(options)), files_(options_.root, options_.fsync) {}

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

Status LocalStore::Init() {
  SLUICE_RETURN_IF_ERROR(files_.CreateDirectories());
  auto db = OpenObjectIndex(options_.root / "index.db", options_.fsync);
  if (!db.ok()) return db.status();
  db_ = *db;
  // Crash leftovers: files renamed into place whose index commit never
  // happened, temporary files, parts of finished uploads.
  std::unordered_set<std::string> referenced;
  {
    Stmt s(db_, "SELECT file FROM objects UNION ALL SELECT file FROM parts");
    if (!s.ok()) return DbError(db_, "scan");
    while (s.Row()) referenced.insert(s.Col(0));
  }
  files_.SweepOrphans(referenced);
  // Parts whose upload is gone cannot exist (one transaction), but be safe.
  return Exec(db_, "DELETE FROM parts WHERE upload_id NOT IN (SELECT upload_id FROM uploads)");
}

int64_t LocalStore::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StoreResult<bool> LocalStore::BucketExistsLocked(const std::string& bucket) {
  Stmt s(db_, "SELECT 1 FROM buckets WHERE name=?1");
  s.Text(1, bucket);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return IndexError(db_, "bucket lookup");
}

Result<bool> LocalStore::BucketExists(const std::string& bucket) {
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return ToStatus(exists.error());
  return *exists;
}

std::string LocalStore::Describe() const { return "embedded (" + options_.root.string() + ")"; }

// ---------------------------------------------------------------------------
// buckets

StoreStatus LocalStore::CreateBucket(const std::string& bucket, const std::string& region) {
  if (!IsValidBucketName(bucket))
    return StoreError{StoreError::Code::kInvalidBucketName, "The specified bucket is not valid."};
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "INSERT INTO buckets(name, created_ms, region) VALUES(?1, ?2, ?3)");
  s.Text(1, bucket).Int(2, NowMs()).Text(3, region.empty() ? options_.default_region : region);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return {};
  if (rc == SQLITE_CONSTRAINT)
    return StoreError{StoreError::Code::kBucketAlreadyOwnedByYou,
                      "Your previous request to create the named bucket succeeded and you already own it."};
  return IndexError(db_, "create bucket");
}

StoreStatus LocalStore::DeleteBucket(const std::string& bucket) {
  std::vector<std::string> files;
  {
    std::lock_guard<std::mutex> l(mu_);
    Transaction txn(db_);
    if (!txn.ok()) return IndexError(db_, "begin");
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.error();
    if (!*exists) return StoreError::NoSuchBucket();
    {
      Stmt s(db_, "SELECT 1 FROM objects WHERE bucket=?1 LIMIT 1");
      s.Text(1, bucket);
      if (s.Row()) return StoreError{StoreError::Code::kBucketNotEmpty, "The bucket you tried to delete is not empty"};
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
    if (!d1.Done() || !d2.Done() || !d3.Done()) return IndexError(db_, "delete bucket");
    if (Status st = txn.Commit(); !st.ok()) return StoreError::FromStatus(st);
  }
  for (const auto& f : files) files_.Remove(f);
  return {};
}

StoreResult<BucketInfo> LocalStore::GetBucket(const std::string& bucket) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "SELECT name, created_ms, region FROM buckets WHERE name=?1");
  s.Text(1, bucket);
  if (!s.Row()) return s.rc() == SQLITE_DONE ? StoreError::NoSuchBucket() : IndexError(db_, "bucket lookup");
  return BucketInfo{s.Col(0), s.ColInt(1), s.Col(2)};
}

StoreResult<std::vector<BucketInfo>> LocalStore::ListBuckets() {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_, "SELECT name, created_ms, region FROM buckets ORDER BY name");
  std::vector<BucketInfo> out;
  while (s.Row()) out.push_back({s.Col(0), s.ColInt(1), s.Col(2)});
  if (s.rc() != SQLITE_DONE) return IndexError(db_, "list buckets");
  return out;
}

// ---------------------------------------------------------------------------
// objects

Status LocalStore::PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                             const PutOptions& options) {
  auto put = Put(bucket, key, data, options);
  return put.ok() ? Status::Ok() : ToStatus(put.error());
}

StoreResult<ObjectInfo> LocalStore::CommitObject(const std::string& bucket, const std::string& key,
                                                 const std::string& file, uint64_t size, const std::string& etag,
                                                 const PutOptions& options, const std::string& finished_upload) {
  std::string old_file;
  std::vector<std::string> part_files;
  ObjectInfo info;
  info.key = key;
  info.size = size;
  info.etag = etag;
  info.content_type = options.content_type;
  info.content_encoding = options.content_encoding;
  info.metadata = options.metadata;
  StoreStatus failure;
  {
    std::lock_guard<std::mutex> l(mu_);
    info.last_modified_ms = NowMs();
    Transaction txn(db_);
    if (!txn.ok()) {
      failure = IndexError(db_, "begin");
    } else if (auto exists = BucketExistsLocked(bucket); !exists.ok() || !*exists) {
      failure = exists.ok() ? StoreError::NoSuchBucket() : exists.error();
    } else {
      if (!finished_upload.empty()) {
        Stmt u(db_, "SELECT 1 FROM uploads WHERE upload_id=?1");
        u.Text(1, finished_upload);
        if (!u.Row()) failure = StoreError::NoSuchUpload();
        Stmt p(db_, "SELECT file FROM parts WHERE upload_id=?1");
        p.Text(1, finished_upload);
        while (failure.ok() && p.Row()) part_files.push_back(p.Col(0));
        Stmt d1(db_, "DELETE FROM parts WHERE upload_id=?1");
        Stmt d2(db_, "DELETE FROM uploads WHERE upload_id=?1");
        d1.Text(1, finished_upload);
        d2.Text(1, finished_upload);
        if (failure.ok() && (!d1.Done() || !d2.Done())) failure = IndexError(db_, "finish upload");
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
        if (!s.Done()) failure = IndexError(db_, "insert object");
      }
      if (failure.ok()) {
        if (Status st = txn.Commit(); !st.ok()) failure = StoreError::FromStatus(st);
      }
    }
  }
  if (!failure.ok()) {
    files_.Remove(file);
    return failure.error();
  }
  if (old_file != file) files_.Remove(old_file);
  for (const auto& f : part_files) files_.Remove(f);
  return info;
}

StoreResult<ObjectInfo> LocalStore::Put(const std::string& bucket, const std::string& key, std::string_view data,
                                        const PutOptions& options) {
  if (!IsValidKey(key)) return InvalidKey();
  {
    std::lock_guard<std::mutex> l(mu_);
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.error();
    if (!*exists) return StoreError::NoSuchBucket();
  }
  auto file = files_.WriteObject(bucket, key, data.size(),
                                 [&](int fd, const fs::path& p) { return ObjectFiles::WriteAll(fd, data, p); });
  if (!file.ok()) return StoreError::FromStatus(file.status());
  return CommitObject(bucket, key, *file, data.size(), QuotedMd5(data), options, "");
}

StoreResult<std::pair<ObjectInfo, std::string>> LocalStore::Lookup(const std::string& bucket, const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  Stmt s(db_,
         "SELECT size, etag, last_modified_ms, content_type, content_encoding, metadata, file FROM objects"
         " WHERE bucket=?1 AND key=?2");
  s.Text(1, bucket).Blob(2, key);
  if (s.Row()) return std::make_pair(RowToInfo(s, key, 0), s.Col(6));
  if (s.rc() != SQLITE_DONE) return IndexError(db_, "lookup");
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.error();
  return *exists ? StoreError::NoSuchKey() : StoreError::NoSuchBucket();
}

StoreResult<ObjectInfo> LocalStore::Head(const std::string& bucket, const std::string& key) {
  if (!IsValidKey(key)) {
    auto exists = BucketExists(bucket);
    if (exists.ok() && !*exists) return StoreError::NoSuchBucket();
    return StoreError::NoSuchKey();
  }
  auto r = Lookup(bucket, key);
  if (!r.ok()) return r.error();
  return std::move(r->first);
}

StoreResult<ObjectInfo> LocalStore::Get(const std::string& bucket, const std::string& key, std::string* body,
                                        std::optional<ByteRange> range) {
  if (!IsValidKey(key)) {
    auto head = Head(bucket, key);  // never ok: the error for this bucket
    if (!head.ok()) return head.error();
  }
  // A concurrent put may replace (and unlink) the file between the lookup and
  // the read; look again then. Once open, the file stays readable.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto r = Lookup(bucket, key);
    if (!r.ok()) return r.error();
    auto& [info, file] = *r;
    uint64_t first = 0, n = info.size;
    if (range) {
      first = range->first;
      n = range->last >= range->first && range->last < info.size ? range->last - range->first + 1 : 0;
    }
    Status st = files_.Read(file, first, n, body);
    if (st.code() == StatusCode::kNotFound) continue;
    if (!st.ok()) return StoreError::FromStatus(st);
    return std::move(info);
  }
  return StoreError{StoreError::Code::kUnavailable, "object " + key + " keeps changing; try again"};
}

StoreStatus LocalStore::Delete(const std::string& bucket, const std::string& key) {
  std::string file;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.error();
    if (!*exists) return StoreError::NoSuchBucket();
    Transaction txn(db_);
    if (!txn.ok()) return IndexError(db_, "begin");
    Stmt s(db_, "SELECT file FROM objects WHERE bucket=?1 AND key=?2");
    s.Text(1, bucket).Blob(2, key);
    if (!s.Row()) return {};
    file = s.Col(0);
    Stmt d(db_, "DELETE FROM objects WHERE bucket=?1 AND key=?2");
    d.Text(1, bucket).Blob(2, key);
    if (!d.Done()) return IndexError(db_, "delete object");
    if (Status st = txn.Commit(); !st.ok()) return StoreError::FromStatus(st);
  }
  files_.Remove(file);
  return {};
}

StoreResult<std::vector<StoreStatus>> LocalStore::DeleteMany(const std::string& bucket,
                                                             const std::vector<std::string>& keys) {
  auto found = GetBucket(bucket);
  if (!found.ok()) return found.error();
  std::vector<StoreStatus> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back(Delete(bucket, k));
  return out;
}

StoreResult<ListResult> LocalStore::List(const std::string& bucket, const ListOptions& options) {
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.error();
  if (!*exists) return StoreError::NoSuchBucket();
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
    if (!reseek && s.rc() != SQLITE_DONE) return IndexError(db_, "list");
    if (!reseek && rows < kBatch) break;
  }
  return out;
}

StoreResult<ObjectInfo> LocalStore::Copy(const std::string& src_bucket, const std::string& src_key,
                                         const std::string& dst_bucket, const std::string& dst_key,
                                         const std::optional<PutOptions>& replace) {
  std::string body;
  auto src = Get(src_bucket, src_key, &body);
  if (!src.ok()) return src.error();
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

}  // namespace sluice::objstore
