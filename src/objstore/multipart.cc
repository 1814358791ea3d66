// LocalStore's multipart uploads: an upload is a row in `uploads`, each part
// a durable file under parts/ with a row in `parts`; Complete streams the
// chosen parts into one new object file and commits the object row and the
// removal of the upload's rows in one transaction (CommitObject).
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "objstore/digest.h"
#include "objstore/local_store.h"
#include "objstore/names.h"
#include "objstore/object_index.h"
#include "objstore/sqlite_db.h"

namespace sluice::objstore {

namespace fs = std::filesystem;

namespace {

// Upload ids are 32 lower-case hex digits; anything else names no upload
// (and never reaches a file name).
bool IsUploadId(std::string_view s) {
  if (s.size() != 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

StoreStatus LocalStore::CheckUploadLocked(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id) {
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.error();
  if (!*exists) return StoreError::NoSuchBucket();
  Stmt u(db_, "SELECT 1 FROM uploads WHERE upload_id=?1 AND bucket=?2 AND key=?3");
  u.Text(1, upload_id).Text(2, bucket).Blob(3, key);
  if (!u.Row()) return StoreError::NoSuchUpload();
  return {};
}

StoreResult<std::string> LocalStore::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                           const PutOptions& options) {
  if (!IsValidKey(key))
    return StoreError{StoreError::Code::kInvalidKey, "Your key is too long, empty, or not valid UTF-8 without NUL."};
  std::string id;
  {
    std::random_device rd;
    std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ files_.NextGeneration());
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    id = buf;
  }
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.error();
  if (!*exists) return StoreError::NoSuchBucket();
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
  if (!s.Done()) return IndexError(db_, "create upload");
  return id;
}

StoreResult<std::string> LocalStore::UploadPart(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id, int part_number, std::string_view data) {
  if (part_number < 1 || part_number > 10000)
    return StoreError{StoreError::Code::kInvalidPartNumber,
                      "Part number must be an integer between 1 and 10000, inclusive"};
  if (!IsUploadId(upload_id)) return StoreError::NoSuchUpload();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (auto st = CheckUploadLocked(bucket, key, upload_id); !st.ok()) return st.error();
  }
  auto file = files_.WritePart(upload_id, part_number, data);
  if (!file.ok()) return StoreError::FromStatus(file.status());
  std::string etag = QuotedMd5(data);
  std::string old_file;
  StoreStatus failure;
  {
    // The upload may have been completed or aborted meanwhile: check again
    // in the transaction that adds the part.
    std::lock_guard<std::mutex> l(mu_);
    Transaction txn(db_);
    failure = txn.ok() ? CheckUploadLocked(bucket, key, upload_id) : IndexError(db_, "begin");
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
      if (!s.Done()) {
        failure = IndexError(db_, "insert part");
      } else if (Status st = txn.Commit(); !st.ok()) {
        failure = StoreError::FromStatus(st);
      }
    }
  }
  if (!failure.ok()) {
    files_.Remove(*file);
    return failure.error();
  }
  if (old_file != *file) files_.Remove(old_file);
  return etag;
}

StoreResult<std::vector<PartInfo>> LocalStore::ListParts(const std::string& bucket, const std::string& key,
                                                         const std::string& upload_id) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto st = CheckUploadLocked(bucket, key, upload_id); !st.ok()) return st.error();
  Stmt s(db_, "SELECT part_number, size, etag, last_modified_ms FROM parts WHERE upload_id=?1 ORDER BY part_number");
  s.Text(1, upload_id);
  std::vector<PartInfo> out;
  while (s.Row())
    out.push_back({static_cast<int>(s.ColInt(0)), static_cast<uint64_t>(s.ColInt(1)), s.Col(2), s.ColInt(3)});
  return out;
}

StoreResult<std::vector<UploadInfo>> LocalStore::ListUploads(const std::string& bucket) {
  std::lock_guard<std::mutex> l(mu_);
  auto exists = BucketExistsLocked(bucket);
  if (!exists.ok()) return exists.error();
  if (!*exists) return StoreError::NoSuchBucket();
  Stmt s(db_, "SELECT upload_id, key, initiated_ms FROM uploads WHERE bucket=?1 ORDER BY key, initiated_ms");
  s.Text(1, bucket);
  std::vector<UploadInfo> out;
  while (s.Row()) out.push_back({s.Col(0), bucket, s.Col(1), s.ColInt(2)});
  return out;
}

StoreStatus LocalStore::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id) {
  std::vector<std::string> files;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto exists = BucketExistsLocked(bucket);
    if (!exists.ok()) return exists.error();
    if (!*exists) return StoreError::NoSuchBucket();
    Transaction txn(db_);
    if (!txn.ok()) return IndexError(db_, "begin");
    if (auto st = CheckUploadLocked(bucket, key, upload_id); !st.ok()) return st.error();
    Stmt p(db_, "SELECT file FROM parts WHERE upload_id=?1");
    p.Text(1, upload_id);
    while (p.Row()) files.push_back(p.Col(0));
    Stmt d1(db_, "DELETE FROM parts WHERE upload_id=?1");
    Stmt d2(db_, "DELETE FROM uploads WHERE upload_id=?1");
    d1.Text(1, upload_id);
    d2.Text(1, upload_id);
    if (!d1.Done() || !d2.Done()) return IndexError(db_, "abort upload");
    if (Status st = txn.Commit(); !st.ok()) return StoreError::FromStatus(st);
  }
  for (const auto& f : files) files_.Remove(f);
  return {};
}

StoreResult<ObjectInfo> LocalStore::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                            const std::string& upload_id,
                                                            const std::vector<CompletedPart>& parts) {
  if (parts.empty())
    return StoreError{StoreError::Code::kNoParts,
                      "The XML you provided was not well-formed or did not validate against our published schema"};
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
    if (!exists.ok()) return exists.error();
    if (!*exists) return StoreError::NoSuchBucket();
    Stmt u(db_,
           "SELECT content_type, content_encoding, metadata FROM uploads WHERE upload_id=?1 AND bucket=?2 AND key=?3");
    u.Text(1, upload_id).Text(2, bucket).Blob(3, key);
    if (!u.Row()) return StoreError::NoSuchUpload();
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
  for (const auto& p : parts) {
    if (p.part_number <= prev)
      return StoreError{StoreError::Code::kInvalidPartOrder,
                        "The list of parts was not in ascending order. Parts must be ordered by part number."};
    prev = p.part_number;
    auto it = stored.find(p.part_number);
    if (it == stored.end() || Unquote(it->second.etag) != Unquote(p.etag))
      return StoreError{StoreError::Code::kInvalidPart,
                        "One or more of the specified parts could not be found. The part may not have been uploaded, "
                        "or the specified entity tag may not match the part's entity tag."};
    etags.push_back(it->second.etag);
    chosen.push_back(&it->second);
    total += it->second.size;
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i)
    if (chosen[i]->size < options_.min_part_size)
      return StoreError{StoreError::Code::kEntityTooSmall,
                        "Your proposed upload is smaller than the minimum allowed object size."};
  auto etag = MultipartEtag(etags);
  if (!etag.ok()) return StoreError{StoreError::Code::kInternal, etag.status().message()};
  // A part file gone meanwhile means a concurrent Abort or Complete.
  bool part_gone = false;
  auto file = files_.WriteObject(bucket, key, total, [&](int fd, const fs::path& out) -> Status {
    for (const Stored* s : chosen) {
      Status st = files_.CopyInto(fd, out, s->file, s->size);
      if (st.code() == StatusCode::kNotFound) part_gone = true;
      SLUICE_RETURN_IF_ERROR(st);
    }
    return Status::Ok();
  });
  if (!file.ok()) return part_gone ? StoreError::NoSuchUpload() : StoreError::FromStatus(file.status());
  return CommitObject(bucket, key, *file, total, *etag, opts, upload_id);
}

}  // namespace sluice::objstore
