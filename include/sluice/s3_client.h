// A small S3 REST client: path-style requests ("<endpoint>/<bucket>/<key>")
// to any S3-compatible endpoint (AWS S3, MinIO, s3rver, `sluice serve`),
// signed with SigV4 for service "s3" over the payload's SHA-256, over the
// same pooled HTTP(S) transport and standard-mode retries as the other
// clients. Thread-safe; nothing throws.
//
// Send() is the general call (the server's S3Store builds PutObject and
// multipart uploads on it); the others are what a reader of delivered
// objects needs (list, get) and its bucket's set-up and clean-up:
//
//   auto s3 = client::S3Client::FromEnvironment({.endpoint_url = "http://127.0.0.1:4567"});
//   auto keys = (*s3)->ListObjects("bucket", "prefix/");
//   auto body = (*s3)->GetObject("bucket", (*keys)[0].key);
//
// Errors are ApiError values: non-2xx answers (and a 200 whose POST body is
// an <Error>, as CompleteMultipartUpload can answer) are kService with S3's
// <Code> and <Message> (or "NotFound", "AccessDenied", ... from the status
// when the body has none); transport failures keep their kinds. Transient
// ones (5xx, SlowDown, throttling, network) are retried first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/api_error.h"
#include "sluice/client_options.h"
#include "sluice/sigv4.h"

namespace sluice::client {

struct S3Response {
  int status = 0;
  HeaderList headers;
  std::string body;
  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // as S3 lists it, quotes included
};

class S3Client {
 public:
  // `options.config` already resolved (for ServiceNames{"S3", "s3"}).
  // Errors: kInvalidArgument (endpoint URL), kTls (TLS setup).
  static ApiResult<std::unique_ptr<S3Client>> Create(ClientOptions options);
  // Resolves `config` against the real environment for S3
  // (AWS_ENDPOINT_URL_S3, ...) and creates the client.
  static ApiResult<std::unique_ptr<S3Client>> FromEnvironment(const ConfigOptions& config, ClientOptions options = {});
  ~S3Client();

  // One S3 call with retries: `key` empty for bucket-level calls; `query`
  // unencoded pairs; `headers` besides Host and the signature's.
  ApiResult<S3Response> Send(std::string_view method, std::string_view bucket, std::string_view key,
                             const QueryList& query = {}, const HeaderList& headers = {}, std::string_view body = {});

  ApiResult<std::string> GetObject(std::string_view bucket, std::string_view key);
  // CreateBucket, with the client's region as LocationConstraint unless
  // us-east-1.
  ApiResult<bool> CreateBucket(std::string_view bucket);
  ApiResult<bool> DeleteObject(std::string_view bucket, std::string_view key);
  // Deletes every object of the bucket, then the bucket: true, or false when
  // there was no such bucket.
  ApiResult<bool> DeleteBucketAndObjects(std::string_view bucket);
  // Every object under `prefix` (ListObjectsV2, following continuation
  // tokens), in S3's key order.
  ApiResult<std::vector<S3ObjectInfo>> ListObjects(std::string_view bucket, std::string_view prefix = "");

  const ClientOptions& options() const;

  // The text of the first <tag>...</tag> in an S3 XML document (entities
  // decoded), or "": S3's answers are flat enough for this.
  static std::string XmlField(std::string_view xml, std::string_view tag);

 private:
  struct Impl;
  explicit S3Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::client
