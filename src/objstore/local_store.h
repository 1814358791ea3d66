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
// Errors are Status values whose message starts with the S3 error code and
// ": " ("NoSuchBucket: The specified bucket does not exist"); ErrorCode()
// extracts it. Thread-safe: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "objstore/object_store.h"

struct sqlite3;

namespace sluice::objstore {

// The S3 error code carried by a store Status ("NoSuchKey"), or "" when the
// message carries none (I/O errors and the like: InternalError).
std::string ErrorCode(const Status& status);
// A Status whose message is "<code>: <message>".
Status StoreError(StatusCode status, std::string_view code, std::string_view message);

// AWS bucket naming rules (general purpose buckets): 3-63 characters of
// a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an
// IPv4 address, no reserved prefixes (xn--, sthree-) or suffixes (-s3alias,
// --ol-s3, --x-s3).
bool IsValidBucketName(std::string_view name);
// Keys: 1-1024 bytes of well-formed UTF-8 without NUL.
bool IsValidKey(std::string_view key);

// Hex MD5 (lower-case) and the raw 16 bytes.
std::string Md5Hex(std::string_view data);
std::string Md5Raw(std::string_view data);
// The ETag of a multipart object: MD5 of the concatenated binary part MD5s,
// hex, "-<parts>", quoted. `part_etags` are the parts' quoted hex ETags.
Result<std::string> MultipartEtag(const std::vector<std::string>& part_etags);

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

  // --- ObjectStore
  Status PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                   const PutOptions& options = {}) override;
  Result<bool> BucketExists(const std::string& bucket) override;
  std::string Describe() const override;

  // --- buckets
  // InvalidBucketName (InvalidArgument), BucketAlreadyOwnedByYou (AlreadyExists).
  Status CreateBucket(const std::string& bucket, const std::string& region = "");
  // NoSuchBucket (NotFound), BucketNotEmpty (FailedPrecondition). Aborts the
  // bucket's multipart uploads.
  Status DeleteBucket(const std::string& bucket);
  Result<BucketInfo> GetBucket(const std::string& bucket);
  Result<std::vector<BucketInfo>> ListBuckets();  // by name

  // --- objects
  // Like PutObject; returns what was stored (ETag, time). NoSuchBucket,
  // InvalidArgument (key).
  Result<ObjectInfo> Put(const std::string& bucket, const std::string& key, std::string_view data,
                         const PutOptions& options = {});
  // NoSuchBucket, NoSuchKey.
  Result<ObjectInfo> Head(const std::string& bucket, const std::string& key);
  // The object's bytes, or only `range` of them (already validated against
  // the size by the caller: first <= last < size).
  Result<ObjectInfo> Get(const std::string& bucket, const std::string& key, std::string* body,
                         std::optional<ByteRange> range = std::nullopt);
  // Ok when the key does not exist (as S3); NoSuchBucket.
  Status Delete(const std::string& bucket, const std::string& key);
  // One result per key, in order (ok or the error for that key).
  Result<std::vector<Status>> DeleteMany(const std::string& bucket, const std::vector<std::string>& keys);
  Result<ListResult> List(const std::string& bucket, const ListOptions& options);
  // Copies an object; `replace` gives new metadata (else the source's).
  Result<ObjectInfo> Copy(const std::string& src_bucket, const std::string& src_key, const std::string& dst_bucket,
                          const std::string& dst_key, const std::optional<PutOptions>& replace);

  // --- multipart uploads
  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                            const PutOptions& options = {});
  // Returns the part's quoted ETag. NoSuchUpload, InvalidArgument (part number 1-10000).
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, std::string_view data);
  // InvalidPart (unknown part or ETag mismatch), InvalidPartOrder,
  // EntityTooSmall, NoSuchUpload, MalformedXML (no parts).
  Result<ObjectInfo> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id, const std::vector<CompletedPart>& parts);
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  Result<std::vector<PartInfo>> ListParts(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id);
  Result<std::vector<UploadInfo>> ListUploads(const std::string& bucket);

  const std::filesystem::path& root() const { return options_.root; }
  const LocalStoreOptions& options() const { return options_; }

 private:
  explicit LocalStore(LocalStoreOptions options);
  Status Init();
  Status CleanOrphans();
  Status Exec(const char* sql);
  Result<bool> BucketExistsLocked(const std::string& bucket);
  // Writes `data` durably to a new file under objects/; returns its name
  // (relative to root).
  Result<std::string> WriteObjectFile(const std::string& bucket, const std::string& key,
                                      const std::vector<std::string_view>& pieces, const std::string& subdir);
  Result<ObjectInfo> CommitObject(const std::string& bucket, const std::string& key, const std::string& file,
                                  uint64_t size, const std::string& etag, const PutOptions& options,
                                  const std::string& finished_upload);
  Result<std::pair<ObjectInfo, std::string>> Lookup(const std::string& bucket, const std::string& key);
  void RemoveFile(const std::string& rel);
  uint64_t NextGeneration();
  int64_t NowMs() const;

  LocalStoreOptions options_;
  std::mutex mu_;  // guards db_ (one connection, serialised)
  sqlite3* db_ = nullptr;
  std::mutex gen_mu_;
  uint64_t generation_ = 0;
};

}  // namespace sluice::objstore
