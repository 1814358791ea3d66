// S3Store: the ObjectStore interface over the client library's S3Client
// (sluice/s3_client.h), which does the signing, transport and retries; this
// file maps its errors to Status and builds multipart uploads.
#include "objstore/s3_store.h"

#include <algorithm>

#include "base/mutex.h"
#include "objstore/digest.h"
#include "sluice/retry.h"
#include "sluice/s3_client.h"

namespace sluice::objstore {

namespace {

using client::S3Client;

std::string XmlEscapeText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out.push_back(c);
  }
  return out;
}

Status FromApiError(const client::ApiError& e, std::string_view what) {
  std::string ctx = std::string(what) + ": ";
  // Unavailable (Firehose retries the delivery later): no answer at all, or
  // an error the client's one retry classification (sluice/retry.h) retries.
  if (e.kind != client::ErrorKind::kService || client::ClassifyForRetry(e) != client::RetryClass::kNotRetryable)
    return Status::Unavailable(ctx + e.ToString());
  StatusCode code = e.http_status == 404   ? StatusCode::kNotFound
                    : e.http_status == 403 ? StatusCode::kFailedPrecondition
                    : e.http_status == 409 ? StatusCode::kAlreadyExists
                                           : StatusCode::kInvalidArgument;
  return Status(code, ctx + e.type + ": " + e.message);
}

}  // namespace

struct S3Store::Impl {
  S3StoreOptions options;
  std::unique_ptr<S3Client> client;
  mutable Mutex mu;
  std::string last_etag GUARDED_BY(mu);

  client::ApiResult<client::S3Response> Send(const std::string& method, const std::string& bucket,
                                             const std::string& key, const client::QueryList& query = {},
                                             const client::HeaderList& headers = {}, std::string_view body = {}) {
    return client->Send(method, bucket, key, query, headers, body);
  }
};

S3Store::S3Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
S3Store::~S3Store() = default;

Result<std::unique_ptr<S3Store>> S3Store::Create(S3StoreOptions options) {
  client::ConfigOptions co = options.config;
  if (!options.endpoint_url.empty()) co.endpoint_url = options.endpoint_url;
  SLUICE_ASSIGN_OR_RETURN(auto config,
                          client::ResolveConfig(co, client::LoadConfigSources(), client::ServiceNames{"S3", "s3"}));
  return Create(std::move(options), std::move(config));
}

Result<std::unique_ptr<S3Store>> S3Store::Create(S3StoreOptions options, client::ResolvedConfig config) {
  if (!options.endpoint_url.empty()) config.endpoint_url = options.endpoint_url;
  client::ClientOptions co;
  co.config = config;
  co.transport = options.transport;
  co.retry = options.retry;
  auto s3 = S3Client::Create(std::move(co));
  if (!s3.ok()) {
    if (s3.error().kind == client::ErrorKind::kInvalidArgument) return Status::InvalidArgument(s3.error().message);
    return Status::InvalidArgument("S3 endpoint " + config.endpoint_url + ": " + s3.error().ToString());
  }
  auto impl = std::make_unique<Impl>();
  impl->client = std::move(s3.value());
  if (options.part_size < (5ull << 20)) options.part_size = 5ull << 20;
  impl->options = std::move(options);
  return std::unique_ptr<S3Store>(new S3Store(std::move(impl)));
}

std::string S3Store::Describe() const { return impl_->client->options().config.endpoint_url; }

std::string S3Store::last_etag() const {
  MutexLock l(impl_->mu);
  return impl_->last_etag;
}

Result<bool> S3Store::BucketExists(const std::string& bucket) {
  auto r = impl_->Send("HEAD", bucket, "");
  if (r.ok()) return true;
  if (r.error().is_service_error() && r.error().http_status == 404) return false;
  return FromApiError(r.error(), "HeadBucket " + bucket);
}

Status S3Store::CreateBucket(const std::string& bucket) {
  auto r = impl_->client->CreateBucket(bucket);
  if (!r.ok()) return FromApiError(r.error(), "CreateBucket " + bucket);
  return Status::Ok();
}

Result<std::string> S3Store::GetObject(const std::string& bucket, const std::string& key) {
  auto r = impl_->client->GetObject(bucket, key);
  if (!r.ok()) return FromApiError(r.error(), "GetObject " + bucket + "/" + key);
  return std::move(r.value());
}

Status S3Store::DeleteObject(const std::string& bucket, const std::string& key) {
  auto r = impl_->client->DeleteObject(bucket, key);
  if (!r.ok()) return FromApiError(r.error(), "DeleteObject " + bucket + "/" + key);
  return Status::Ok();
}

Status S3Store::DeleteBucketAndObjects(const std::string& bucket) {
  auto r = impl_->client->DeleteBucketAndObjects(bucket);
  if (!r.ok()) return FromApiError(r.error(), "DeleteBucket " + bucket);
  return Status::Ok();
}

Result<std::vector<ObjectInfo>> S3Store::ListObjects(const std::string& bucket, const std::string& prefix) {
  auto r = impl_->client->ListObjects(bucket, prefix);
  if (!r.ok()) return FromApiError(r.error(), "ListObjectsV2 " + bucket);
  std::vector<ObjectInfo> out;
  out.reserve(r->size());
  for (auto& o : *r) {
    ObjectInfo info;
    info.key = std::move(o.key);
    info.size = o.size;
    info.etag = std::move(o.etag);
    out.push_back(std::move(info));
  }
  return out;
}

Status S3Store::PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                          const PutOptions& options) {
  client::HeaderList headers;
  headers.emplace_back("Content-Type", options.content_type.empty() ? "binary/octet-stream" : options.content_type);
  if (!options.content_encoding.empty()) headers.emplace_back("Content-Encoding", options.content_encoding);
  for (const auto& [k, v] : options.metadata) headers.emplace_back("x-amz-meta-" + k, v);
  const std::string what = "PutObject " + bucket + "/" + key;

  if (data.size() <= impl_->options.multipart_threshold) {
    auto r = impl_->Send("PUT", bucket, key, {}, headers, data);
    if (!r.ok()) return FromApiError(r.error(), what);
    MutexLock l(impl_->mu);
    impl_->last_etag = r->Header("ETag");
    return Status::Ok();
  }

  uint64_t part_size = std::max<uint64_t>(impl_->options.part_size, (data.size() + 9999) / 10000);
  auto created = impl_->Send("POST", bucket, key, {{"uploads", ""}}, headers, {});
  if (!created.ok()) return FromApiError(created.error(), what + " (CreateMultipartUpload)");
  std::string upload_id = S3Client::XmlField(created->body, "UploadId");
  if (upload_id.empty()) return Status::Unavailable(what + ": CreateMultipartUpload returned no UploadId");
  // AbortMultipartUpload is best effort: the failure being reported is the
  // upload's, and a bucket's lifecycle rules remove what an abort leaves.
  auto abort = [&] { impl_->Send("DELETE", bucket, key, {{"uploadId", upload_id}}).IgnoreError(); };

  std::string complete = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int part = 0;
  for (uint64_t off = 0; off < data.size(); off += part_size) {
    ++part;
    std::string_view chunk = data.substr(off, part_size);
    auto r =
        impl_->Send("PUT", bucket, key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, {}, chunk);
    if (!r.ok()) {
      abort();
      return FromApiError(r.error(), what + " (UploadPart " + std::to_string(part) + ")");
    }
    std::string etag = r->Header("ETag");
    if (etag.empty()) etag = "\"" + Md5Hex(chunk) + "\"";
    complete +=
        "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" + XmlEscapeText(etag) + "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  auto done =
      impl_->Send("POST", bucket, key, {{"uploadId", upload_id}}, {{"Content-Type", "application/xml"}}, complete);
  if (!done.ok()) {
    abort();
    return FromApiError(done.error(), what + " (CompleteMultipartUpload)");
  }
  MutexLock l(impl_->mu);
  impl_->last_etag = S3Client::XmlField(done->body, "ETag");
  return Status::Ok();
}

}  // namespace sluice::objstore
