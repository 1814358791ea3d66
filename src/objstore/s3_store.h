// S3Store: an ObjectStore over any S3-compatible endpoint (AWS S3, MinIO,
// s3rver) — Firehose's external destination — built on the client library's
// S3Client (sluice/s3_client.h).
//
// Requests are path-style ("<endpoint>/<bucket>/<key>"), signed with SigV4
// for service "s3" over the payload's SHA-256. Objects up to
// `multipart_threshold` go in one PutObject; larger ones as a multipart
// upload of `part_size` parts (aborted on failure).
//
// Errors: connection failures, timeouts, 5xx, SlowDown and throttling become
// Status::Unavailable after `retry` attempts (the caller retries later);
// other 4xx answers become NotFound (404), FailedPrecondition (403),
// AlreadyExists (409) or InvalidArgument, their message naming S3's code
// ("PutObject b/k: NoSuchBucket: The specified bucket does not exist").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "objstore/object_store.h"
#include "sluice/aws_config.h"
#include "sluice/client_options.h"

namespace sluice::objstore {

struct S3StoreOptions {
  // The endpoint ("http://127.0.0.1:4569"); empty: the standard chain
  // (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, profile) or AWS's regional S3.
  std::string endpoint_url;
  // Explicit credentials/region/profile; the rest comes from the standard
  // chain (environment, ./.env, ~/.aws) for ServiceNames{"S3", "s3"}.
  client::ConfigOptions config;
  client::TransportOptions transport;
  client::RetryOptions retry{.max_attempts = 3, .base_delay = std::chrono::milliseconds(200)};
  uint64_t multipart_threshold = 16ull << 20;
  uint64_t part_size = 8ull << 20;  // raised when needed to stay within 10000 parts
};

class S3Store : public ObjectStore {
 public:
  // Resolves the configuration from the process environment and files.
  static Result<std::unique_ptr<S3Store>> Create(S3StoreOptions options);
  // With an already resolved configuration (tests).
  static Result<std::unique_ptr<S3Store>> Create(S3StoreOptions options, client::ResolvedConfig config);
  ~S3Store() override;

  Status PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                   const PutOptions& options = {}) override;
  Result<bool> BucketExists(const std::string& bucket) override;
  std::string Describe() const override;

  // Extras for tools and tests.
  Status CreateBucket(const std::string& bucket);
  Result<std::string> GetObject(const std::string& bucket, const std::string& key);
  Status DeleteObject(const std::string& bucket, const std::string& key);
  // Deletes every object of the bucket, then the bucket (an absent bucket is
  // Ok): what `compare` created, cleaned up.
  Status DeleteBucketAndObjects(const std::string& bucket);
  // Every object under `prefix` (ListObjectsV2, following continuation
  // tokens): key, size, ETag. Sorted as S3 sorts keys.
  Result<std::vector<ObjectInfo>> ListObjects(const std::string& bucket, const std::string& prefix = "");
  // The ETag of the last object this store put (tests check multipart ETags).
  std::string last_etag() const;

 private:
  struct Impl;
  explicit S3Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::objstore
