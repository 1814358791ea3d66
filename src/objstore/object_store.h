// ObjectStore: where Firehose delivers objects and where the S3 API reads
// them. Two implementations: the embedded store under the data directory
// (objstore/local_store.h, also served by the S3 REST API in src/s3api) and
// any external S3-compatible endpoint over SigV4 (objstore/s3_store.h).
//
// Durability: PutObject returns ok only once the object is durable (the
// embedded store fsyncs the object and its index entry; S3 has answered 200).
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::objstore {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // quoted hex MD5 for single-part objects: "\"9e107d9d...\""
  int64_t last_modified_ms = 0;
  std::string content_type;
  std::string content_encoding;
  std::map<std::string, std::string> metadata;  // x-amz-meta-*, names lower-case
};

struct PutOptions {
  std::string content_type = "application/octet-stream";
  std::string content_encoding;
  std::map<std::string, std::string> metadata;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // NotFound when the bucket does not exist.
  virtual Status PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                           const PutOptions& options = {}) = 0;
  // Ok(true) when the bucket exists, Ok(false) when it does not, an error
  // when that cannot be told (destination unreachable).
  virtual Result<bool> BucketExists(const std::string& bucket) = 0;
  // Human name for logs and descriptions ("embedded", "http://127.0.0.1:4569").
  virtual std::string Describe() const = 0;
};

}  // namespace sluice::objstore
