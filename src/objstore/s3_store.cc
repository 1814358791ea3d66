#include "objstore/s3_store.h"

#include <mutex>
#include <random>
#include <thread>

#include "client/endpoint.h"
#include "client/http_transport.h"
#include "objstore/local_store.h"
#include "sluice/retry.h"
#include "sluice/sigv4.h"

namespace sluice::objstore {

namespace {

// The text of the first <tag>...</tag> in `xml` (S3 documents are flat
// enough for this; entities are decoded for the few that occur).
std::string XmlField(std::string_view xml, std::string_view tag) {
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  size_t a = xml.find(open);
  if (a == std::string_view::npos) return "";
  a += open.size();
  size_t b = xml.find(close, a);
  if (b == std::string_view::npos) return "";
  std::string_view v = xml.substr(a, b - a);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '&') {
      static const std::pair<std::string_view, char> kEnt[] = {
          {"&quot;", '"'}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&apos;", '\''}, {"&#34;", '"'}};
      bool done = false;
      for (const auto& [e, c] : kEnt) {
        if (v.substr(i, e.size()) == e) {
          out.push_back(c);
          i += e.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(v[i]);
  }
  return out;
}

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

client::ApiError S3Error(const client::HttpResponse& r) {
  client::ApiError e;
  e.kind = client::ErrorKind::kService;
  e.http_status = r.status;
  e.request_id = r.Header("x-amz-request-id");
  e.type = XmlField(r.body, "Code");
  e.message = XmlField(r.body, "Message");
  if (e.type.empty()) {
    switch (r.status) {
      case 404: e.type = "NotFound"; break;
      case 403: e.type = "AccessDenied"; break;
      case 400: e.type = "BadRequest"; break;
      case 301: e.type = "PermanentRedirect"; break;
      case 503: e.type = "SlowDown"; break;
      default: e.type = "HTTP" + std::to_string(r.status);
    }
  }
  if (e.message.empty()) e.message = "HTTP " + std::to_string(r.status);
  return e;
}

Status ToStatus(const client::ApiError& e, std::string_view what) {
  std::string ctx = std::string(what) + ": ";
  if (e.kind != client::ErrorKind::kService || e.http_status >= 500 || e.http_status == 429 || e.type == "SlowDown" ||
      e.type == "RequestTimeout" || client::IsThrottlingCode(e.type))
    return Status::Unavailable(ctx + e.ToString());
  StatusCode code = e.http_status == 404   ? StatusCode::kNotFound
                    : e.http_status == 403 ? StatusCode::kFailedPrecondition
                    : e.http_status == 409 ? StatusCode::kAlreadyExists
                                           : StatusCode::kInvalidArgument;
  return StoreError(code, e.type, ctx + e.message);
}

}  // namespace

struct S3Store::Impl {
  S3StoreOptions options;
  client::ResolvedConfig config;
  client::Endpoint endpoint;
  std::unique_ptr<client::HttpTransport> transport;
  std::unique_ptr<client::RetryPolicy> retry;
  mutable std::mutex mu;
  std::string last_etag;

  std::string Path(const std::string& bucket, const std::string& key) const {
    std::string p = endpoint.path;
    p += "/" + client::UriEncode(bucket);
    if (!key.empty()) p += "/" + client::UriEncodePath(key);
    return p;
  }

  // One signed attempt.
  client::ApiResult<client::HttpResponse> Attempt(const std::string& method, const std::string& path,
                                                  const client::QueryList& query, const client::HeaderList& headers,
                                                  std::string_view body, const std::string& body_hash) {
    client::SignableRequest sr;
    sr.method = method;
    sr.scheme = endpoint.scheme;
    sr.host = endpoint.host;
    sr.port = endpoint.port;
    sr.path = path;
    sr.query = query;
    sr.headers = {{"Host", transport->host_header()}};
    for (const auto& h : headers) sr.headers.push_back(h);
    client::SigningParams params;
    params.credentials = config.credentials;
    params.region = config.region;
    params.service = "s3";
    params.time = std::chrono::system_clock::now();
    params.payload_hash = body_hash;
    client::SignRequest(sr, body, params);
    client::HttpRequest hr;
    hr.method = method;
    hr.target = path + (query.empty() ? "" : "?" + client::EncodeQueryString(query));
    hr.headers = std::move(sr.headers);
    hr.body = body;
    auto r = transport->RoundTrip(hr);
    if (!r.ok()) return r.error();
    if (r->status >= 300) return S3Error(*r);
    // CompleteMultipartUpload may fail with 200 and an <Error> body.
    if (method == "POST" && r->body.find("<Error>") != std::string::npos) {
      client::ApiError e = S3Error(*r);
      e.http_status = 500;
      return e;
    }
    return r;
  }

  // With retries (standard mode) for transient failures.
  client::ApiResult<client::HttpResponse> Send(const std::string& method, const std::string& path,
                                               const client::QueryList& query, const client::HeaderList& headers,
                                               std::string_view body) {
    const std::string hash = client::Sha256Hex(body);
    client::RetryPolicy::CallState state;
    while (true) {
      ++state.attempts;
      auto r = Attempt(method, path, query, headers, body, hash);
      if (r.ok()) {
        retry->OnSuccess(state);
        return r;
      }
      auto delay = retry->OnFailure(r.error(), &state);
      if (!delay) {
        client::ApiError e = r.error();
        e.attempts = state.attempts;
        return e;
      }
      if (delay->count() > 0) std::this_thread::sleep_for(*delay);
    }
  }
};

S3Store::S3Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
S3Store::~S3Store() = default;

Result<std::unique_ptr<S3Store>> S3Store::Create(S3StoreOptions options) {
  client::ConfigOptions co = options.config;
  if (!options.endpoint_url.empty()) co.endpoint_url = options.endpoint_url;
  auto config = client::ResolveConfig(co, client::LoadConfigSources(), client::ServiceNames{"S3", "s3"});
  if (!config.ok()) return config.status();
  return Create(std::move(options), std::move(config.value()));
}

Result<std::unique_ptr<S3Store>> S3Store::Create(S3StoreOptions options, client::ResolvedConfig config) {
  if (!options.endpoint_url.empty()) config.endpoint_url = options.endpoint_url;
  auto endpoint = client::ParseEndpointUrl(config.endpoint_url);
  if (!endpoint.ok()) return endpoint.status();
  auto impl = std::make_unique<Impl>();
  impl->endpoint = endpoint.value();
  if (impl->endpoint.path == "/") impl->endpoint.path.clear();
  auto transport = client::HttpTransport::Create(impl->endpoint, options.transport);
  if (!transport.ok()) return Status::InvalidArgument("S3 endpoint " + config.endpoint_url + ": " + transport.error().ToString());
  impl->transport = std::move(transport.value());
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto mu = std::make_shared<std::mutex>();
  impl->retry = std::make_unique<client::RetryPolicy>(options.retry, [engine, mu] {
    std::lock_guard<std::mutex> l(*mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  });
  if (options.part_size < (5ull << 20)) options.part_size = 5ull << 20;
  impl->options = std::move(options);
  impl->config = std::move(config);
  return std::unique_ptr<S3Store>(new S3Store(std::move(impl)));
}

std::string S3Store::Describe() const { return impl_->config.endpoint_url; }

std::string S3Store::last_etag() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->last_etag;
}

Result<bool> S3Store::BucketExists(const std::string& bucket) {
  auto r = impl_->Send("HEAD", impl_->Path(bucket, ""), {}, {}, {});
  if (r.ok()) return true;
  if (r.error().is_service_error() && r.error().http_status == 404) return false;
  return ToStatus(r.error(), "HeadBucket " + bucket);
}

Status S3Store::CreateBucket(const std::string& bucket) {
  std::string body;
  if (impl_->config.region != "us-east-1" && !impl_->config.region.empty())
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           impl_->config.region + "</LocationConstraint></CreateBucketConfiguration>";
  auto r = impl_->Send("PUT", impl_->Path(bucket, ""), {}, {}, body);
  if (!r.ok()) return ToStatus(r.error(), "CreateBucket " + bucket);
  return Status::Ok();
}

Result<std::string> S3Store::GetObject(const std::string& bucket, const std::string& key) {
  auto r = impl_->Send("GET", impl_->Path(bucket, key), {}, {}, {});
  if (!r.ok()) return ToStatus(r.error(), "GetObject " + bucket + "/" + key);
  return std::move(r->body);
}

Status S3Store::DeleteObject(const std::string& bucket, const std::string& key) {
  auto r = impl_->Send("DELETE", impl_->Path(bucket, key), {}, {}, {});
  if (!r.ok()) return ToStatus(r.error(), "DeleteObject " + bucket + "/" + key);
  return Status::Ok();
}

Status S3Store::DeleteBucketAndObjects(const std::string& bucket) {
  auto objects = ListObjects(bucket);
  if (!objects.ok()) return objects.status().code() == StatusCode::kNotFound ? Status::Ok() : objects.status();
  for (const auto& o : *objects) SLUICE_RETURN_IF_ERROR(DeleteObject(bucket, o.key));
  auto r = impl_->Send("DELETE", impl_->Path(bucket, ""), {}, {}, {});
  if (!r.ok()) {
    Status st = ToStatus(r.error(), "DeleteBucket " + bucket);
    return st.code() == StatusCode::kNotFound ? Status::Ok() : st;
  }
  return Status::Ok();
}

Result<std::vector<ObjectInfo>> S3Store::ListObjects(const std::string& bucket, const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (int page = 0; page < 100000; ++page) {
    std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}};
    if (!prefix.empty()) query.emplace_back("prefix", prefix);
    if (!token.empty()) query.emplace_back("continuation-token", token);
    auto r = impl_->Send("GET", impl_->Path(bucket, ""), query, {}, {});
    if (!r.ok()) return ToStatus(r.error(), "ListObjectsV2 " + bucket);
    std::string_view body = r->body;
    // Each <Contents> element describes one object.
    for (size_t at = body.find("<Contents>"); at != std::string_view::npos; at = body.find("<Contents>", at + 1)) {
      size_t end = body.find("</Contents>", at);
      if (end == std::string_view::npos) break;
      std::string_view entry = body.substr(at, end - at);
      ObjectInfo info;
      info.key = XmlField(entry, "Key");
      std::string size = XmlField(entry, "Size");
      info.size = size.empty() ? 0 : std::stoull(size);
      info.etag = XmlField(entry, "ETag");
      out.push_back(std::move(info));
    }
    if (XmlField(body, "IsTruncated") != "true") break;
    token = XmlField(body, "NextContinuationToken");
    if (token.empty()) break;
  }
  return out;
}

Status S3Store::PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                          const PutOptions& options) {
  client::HeaderList headers;
  headers.emplace_back("Content-Type", options.content_type.empty() ? "binary/octet-stream" : options.content_type);
  if (!options.content_encoding.empty()) headers.emplace_back("Content-Encoding", options.content_encoding);
  for (const auto& [k, v] : options.metadata) headers.emplace_back("x-amz-meta-" + k, v);
  const std::string path = impl_->Path(bucket, key);
  const std::string what = "PutObject " + bucket + "/" + key;

  if (data.size() <= impl_->options.multipart_threshold) {
    auto r = impl_->Send("PUT", path, {}, headers, data);
    if (!r.ok()) return ToStatus(r.error(), what);
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->last_etag = r->Header("ETag");
    return Status::Ok();
  }

  uint64_t part_size = std::max<uint64_t>(impl_->options.part_size, (data.size() + 9999) / 10000);
  auto created = impl_->Send("POST", path, {{"uploads", ""}}, headers, {});
  if (!created.ok()) return ToStatus(created.error(), what + " (CreateMultipartUpload)");
  std::string upload_id = XmlField(created->body, "UploadId");
  if (upload_id.empty()) return Status::Unavailable(what + ": CreateMultipartUpload returned no UploadId");
  auto abort = [&] { impl_->Send("DELETE", path, {{"uploadId", upload_id}}, {}, {}); };

  std::string complete = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int part = 0;
  for (uint64_t off = 0; off < data.size(); off += part_size) {
    ++part;
    std::string_view chunk = data.substr(off, part_size);
    auto r = impl_->Send("PUT", path, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, {}, chunk);
    if (!r.ok()) {
      abort();
      return ToStatus(r.error(), what + " (UploadPart " + std::to_string(part) + ")");
    }
    std::string etag = r->Header("ETag");
    if (etag.empty()) etag = "\"" + Md5Hex(chunk) + "\"";
    complete += "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" + XmlEscapeText(etag) +
                "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  auto done = impl_->Send("POST", path, {{"uploadId", upload_id}}, {{"Content-Type", "application/xml"}}, complete);
  if (!done.ok()) {
    abort();
    return ToStatus(done.error(), what + " (CompleteMultipartUpload)");
  }
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->last_etag = XmlField(done->body, "ETag");
  return Status::Ok();
}

}  // namespace sluice::objstore
