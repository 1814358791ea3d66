// LocalStore: the embedded object store under `<data-dir>/s3` — the
// destination of Firehose's embedded delivery and the store behind the S3
// REST API (src/s3api). Layout and guarantees: docs/format/objects.md.
//
//  * Object bytes live in files named from SHA-256(bucket, key) plus a
//    per-write generation number, never from the key itself, so no key
//    (`..`, `/abs`, odd bytes, 1024 bytes) can name a path outside the root.
//  * An SQLite index (WAL, synchronous=FULL) maps (bucket, key) to the file
//    and the object's metadata; keys are BLOBs, so listings come in UTF-8
//    binary (memcmp) order as S3 lists them.
//  * A put writes a temporary file, fsyncs it, renames it into place, fsyncs
//    the directory and only then commits the index row; it returns once both
//    are durable. The commit is the switch: concurrent puts of one key each
//    write their own file, the last commit wins, and no reader ever sees a
//    torn object. Files a crash left unreferenced are deleted by Open().
//
// Errors are StoreError values (objstore/store_error.h); the S3 API maps
// them to S3's errors. The files are objstore/object_files.h, the index
// objstore/object_index.h; multipart uploads are in multipart.cc.
// Thread-safe: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "objstore/object_files.h"
#include "objstore/object_store.h"
#include "objstore/store_error.h"

struct sqlite3;

namespace sluice::objstore {

struct BucketInfo {
  std::string name;
  int64_t created_ms = 0;
  std::string region;
};

struct ListOptions {
  std::string prefix;
  std::string delimiter;
  // List keys strictly after this one. When a delimiter is set, keys that
  // would roll up into the marker's own common prefix are skipped too (the
  // prefix sorts before the marker, so it was already returned).
  std::string start_after;
  int max_keys = 1000;  // keys + common prefixes per page; 0 returns none
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // The last key or common prefix returned (the marker of the next page).
  std::string last;
};

// An inclusive byte range already resolved against the object size.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

struct PartInfo {
  int part_number = 0;
  uint64_t size = 0;
  std::string etag;  // quoted
  int64_t last_modified_ms = 0;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // quoted or not
};

struct UploadInfo {
  std::string upload_id;
  std::string bucket;
  std::string key;
  int64_t initiated_ms = 0;
};

struct LocalStoreOptions {
  std::filesystem::path root;  // "<data-dir>/s3"
  bool fsync = true;           // false: skip fdatasync (survives kill -9, not an OS crash)
  std::string default_region = "us-east-1";
  uint64_t min_part_size = 5ull << 20;  // every part but the last (EntityTooSmall)
};

class LocalStore : public ObjectStore {
 public:
  // Creates the root if needed, opens (or creates) the index and removes
  // files no index row refers to (crash leftovers) and temporary files.
  static Result<std::shared_ptr<LocalStore>> Open(LocalStoreOptions options);
  ~LocalStore() override;
  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

  // --- ObjectStore (errors as Status: objstore/store_error.h ToStatus)
  Status PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                   const PutOptions& options = {}) override;
  Result<bool> BucketExists(const std::string& bucket) override;
  std::string Describe() const override;

  // --- buckets
  // kInvalidBucketName, kBucketAlreadyOwnedByYou.
  StoreStatus CreateBucket(const std::string& bucket, const std::string& region = "");
  // kNoSuchBucket, kBucketNotEmpty. Aborts the bucket's multipart uploads.
  StoreStatus DeleteBucket(const std::string& bucket);
  // kNoSuchBucket.
  StoreResult<BucketInfo> GetBucket(const std::string& bucket);
  StoreResult<std::vector<BucketInfo>> ListBuckets();  // by name

  // --- objects
  // Like PutObject; returns what was stored (ETag, time). kNoSuchBucket,
  // kInvalidKey, kUnavailable (data quota full).
  StoreResult<ObjectInfo> Put(const std::string& bucket, const std::string& key, std::string_view data,
                              const PutOptions& options = {});
  // kNoSuchBucket, kNoSuchKey.
  StoreResult<ObjectInfo> Head(const std::string& bucket, const std::string& key);
  // The object's bytes, or only `range` of them (already validated against
  // the size by the caller: first <= last < size).
  StoreResult<ObjectInfo> Get(const std::string& bucket, const std::string& key, std::string* body,
                              std::optional<ByteRange> range = std::nullopt);
  // Ok when the key does not exist (as S3); kNoSuchBucket.
  StoreStatus Delete(const std::string& bucket, const std::string& key);
  // One result per key, in order (ok or the error for that key).
  StoreResult<std::vector<StoreStatus>> DeleteMany(const std::string& bucket, const std::vector<std::string>& keys);
  // kNoSuchBucket.
  StoreResult<ListResult> List(const std::string& bucket, const ListOptions& options);
  // Copies an object; `replace` gives new metadata (else the source's).
  StoreResult<ObjectInfo> Copy(const std::string& src_bucket, const std::string& src_key, const std::string& dst_bucket,
                               const std::string& dst_key, const std::optional<PutOptions>& replace);

  // --- multipart uploads (multipart.cc)
  // Returns the new upload's id (32 hex digits). kNoSuchBucket, kInvalidKey.
  StoreResult<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                 const PutOptions& options = {});
  // Returns the part's quoted ETag. kNoSuchUpload, kInvalidPartNumber (1-10000).
  StoreResult<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                      int part_number, std::string_view data);
  // kInvalidPart (unknown part or ETag mismatch), kInvalidPartOrder,
  // kEntityTooSmall, kNoSuchUpload, kNoParts.
  StoreResult<ObjectInfo> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                  const std::string& upload_id,
                                                  const std::vector<CompletedPart>& parts);
  // kNoSuchBucket, kNoSuchUpload.
  StoreStatus AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  StoreResult<std::vector<PartInfo>> ListParts(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id);
  StoreResult<std::vector<UploadInfo>> ListUploads(const std::string& bucket);

  const std::filesystem::path& root() const { return options_.root; }
  const LocalStoreOptions& options() const { return options_; }

 private:
  explicit LocalStore(LocalStoreOptions options);
  Status Init();
  // Both need mu_ held.
  StoreResult<bool> BucketExistsLocked(const std::string& bucket);
  StoreStatus CheckUploadLocked(const std::string& bucket, const std::string& key, const std::string& upload_id);
  // Makes `file` (already durable) the object (bucket, key) in one index
  // transaction; `finished_upload`, when not empty, is the multipart upload
  // whose rows go in the same transaction. Removes the replaced file and the
  // upload's part files after the commit, `file` on failure.
  StoreResult<ObjectInfo> CommitObject(const std::string& bucket, const std::string& key, const std::string& file,
                                       uint64_t size, const std::string& etag, const PutOptions& options,
                                       const std::string& finished_upload);
  // The object's info and file name.
  StoreResult<std::pair<ObjectInfo, std::string>> Lookup(const std::string& bucket, const std::string& key);
  int64_t NowMs() const;

  LocalStoreOptions options_;
  ObjectFiles files_;
  std::mutex mu_;  // guards db_ (one connection, serialised)
  sqlite3* db_ = nullptr;
};

}  // namespace sluice::objstore
