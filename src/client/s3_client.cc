// S3Client: path-style S3 REST calls over the pooled transport, SigV4 for
// "s3" afresh on every attempt, standard-mode retries (see s3_client.h).
#include "sluice/s3_client.h"

#include <random>
#include <thread>

#include "base/mutex.h"
#include "client/aws_json_client.h"
#include "client/endpoint.h"
#include "client/http_transport.h"
#include "sluice/retry.h"

namespace sluice::client {

namespace {

ApiError S3Error(const HttpResponse& r) {
  ApiError e;
  e.kind = ErrorKind::kService;
  e.http_status = r.status;
  e.request_id = r.Header("x-amz-request-id");
  e.type = S3Client::XmlField(r.body, "Code");
  e.message = S3Client::XmlField(r.body, "Message");
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

// Uniform [0,1) for the backoff jitter, safe to share between threads.
std::function<double()> LockedRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto mu = std::make_shared<Mutex>();
  return [engine, mu] {
    MutexLock l(*mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
}

}  // namespace

std::string S3Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  }
  return "";
}

std::string S3Client::XmlField(std::string_view xml, std::string_view tag) {
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
      static const std::pair<std::string_view, char> kEnt[] = {{"&quot;", '"'}, {"&amp;", '&'},   {"&lt;", '<'},
                                                               {"&gt;", '>'},   {"&apos;", '\''}, {"&#34;", '"'}};
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

struct S3Client::Impl {
  ClientOptions options;
  Endpoint endpoint;
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<RetryPolicy> retry;

  std::string Path(std::string_view bucket, std::string_view key) const {
    std::string p = endpoint.path;
    p += "/" + UriEncode(bucket);
    if (!key.empty()) p += "/" + UriEncodePath(key);
    return p;
  }

  // One signed attempt.
  ApiResult<S3Response> Attempt(std::string_view method, const std::string& path, const QueryList& query,
                                const HeaderList& headers, std::string_view body, const std::string& body_hash) {
    SignableRequest sr;
    sr.method = std::string(method);
    sr.scheme = endpoint.scheme;
    sr.host = endpoint.host;
    sr.port = endpoint.port;
    sr.path = path;
    sr.query = query;
    sr.headers = {{"Host", transport->host_header()}};
    for (const auto& h : headers) sr.headers.push_back(h);
    SigningParams params;
    params.credentials = options.config.credentials;
    params.region = options.config.region;
    params.service = "s3";
    params.time = options.now();
    params.payload_hash = body_hash;
    SignRequest(sr, body, params);
    HttpRequest hr;
    hr.method = std::string(method);
    hr.target = path + (query.empty() ? "" : "?" + EncodeQueryString(query));
    hr.headers = std::move(sr.headers);
    hr.body = body;
    auto r = transport->RoundTrip(hr);
    if (!r.ok()) return r.error();
    if (r->status >= 300) return S3Error(*r);
    // CompleteMultipartUpload may fail with 200 and an <Error> body.
    if (method == "POST" && r->body.find("<Error>") != std::string::npos) {
      ApiError e = S3Error(*r);
      e.http_status = 500;
      return e;
    }
    return S3Response{r->status, std::move(r->headers), std::move(r->body)};
  }
};

S3Client::S3Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
S3Client::~S3Client() = default;

ApiResult<std::unique_ptr<S3Client>> S3Client::Create(ClientOptions options) {
  auto endpoint = ParseEndpointUrl(options.config.endpoint_url);
  if (!endpoint.ok()) {
    ApiError e;
    e.kind = ErrorKind::kInvalidArgument;
    e.message = endpoint.status().message();
    return e;
  }
  auto impl = std::make_unique<Impl>();
  impl->endpoint = endpoint.value();
  if (impl->endpoint.path == "/") impl->endpoint.path.clear();
  auto transport = HttpTransport::Create(impl->endpoint, options.transport);
  if (!transport.ok()) return transport.error();
  impl->transport = std::move(transport.value());
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  if (!options.sleep) options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options.random) options.random = LockedRandom();
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  impl->retry = std::make_unique<RetryPolicy>(options.retry, options.random);
  impl->options = std::move(options);
  return std::unique_ptr<S3Client>(new S3Client(std::move(impl)));
}

ApiResult<std::unique_ptr<S3Client>> S3Client::FromEnvironment(const ConfigOptions& config, ClientOptions options) {
  auto resolved = ResolveClientOptions(config, std::move(options), ServiceNames{"S3", "s3"});
  if (!resolved.ok()) return resolved.error();
  return Create(std::move(resolved.value()));
}

const ClientOptions& S3Client::options() const { return impl_->options; }

ApiResult<S3Response> S3Client::Send(std::string_view method, std::string_view bucket, std::string_view key,
                                     const QueryList& query, const HeaderList& headers, std::string_view body) {
  const std::string path = impl_->Path(bucket, key);
  const std::string hash = Sha256Hex(body);
  RetryPolicy::CallState state;
  while (true) {
    ++state.attempts;
    auto r = impl_->Attempt(method, path, query, headers, body, hash);
    if (r.ok()) {
      impl_->retry->OnSuccess(state);
      return r;
    }
    auto delay = impl_->retry->OnFailure(r.error(), &state);
    if (!delay) {
      ApiError e = r.error();
      e.attempts = state.attempts;
      return e;
    }
    if (delay->count() > 0) impl_->options.sleep(*delay);
  }
}

ApiResult<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key) {
  auto r = Send("GET", bucket, key);
  if (!r.ok()) return r.error();
  return std::move(r->body);
}

ApiResult<bool> S3Client::CreateBucket(std::string_view bucket) {
  std::string body;
  const std::string& region = impl_->options.config.region;
  if (region != "us-east-1" && !region.empty())
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           region + "</LocationConstraint></CreateBucketConfiguration>";
  auto r = Send("PUT", bucket, "", {}, {}, body);
  if (!r.ok()) return r.error();
  return true;
}

ApiResult<bool> S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  auto r = Send("DELETE", bucket, key);
  if (!r.ok()) return r.error();
  return true;
}

ApiResult<bool> S3Client::DeleteBucketAndObjects(std::string_view bucket) {
  auto absent = [](const ApiError& e) { return e.is_service_error() && e.http_status == 404; };
  auto objects = ListObjects(bucket);
  if (!objects.ok()) {
    if (absent(objects.error())) return false;
    return objects.error();
  }
  for (const auto& o : *objects) {
    if (auto r = DeleteObject(bucket, o.key); !r.ok()) return r.error();
  }
  auto r = Send("DELETE", bucket, "");
  if (!r.ok()) {
    if (absent(r.error())) return false;
    return r.error();
  }
  return true;
}

ApiResult<std::vector<S3ObjectInfo>> S3Client::ListObjects(std::string_view bucket, std::string_view prefix) {
  std::vector<S3ObjectInfo> out;
  std::string token;
  for (int page = 0; page < 100000; ++page) {
    QueryList query = {{"list-type", "2"}};
    if (!prefix.empty()) query.emplace_back("prefix", std::string(prefix));
    if (!token.empty()) query.emplace_back("continuation-token", token);
    auto r = Send("GET", bucket, "", query);
    if (!r.ok()) return r.error();
    std::string_view body = r->body;
    // Each <Contents> element describes one object.
    for (size_t at = body.find("<Contents>"); at != std::string_view::npos; at = body.find("<Contents>", at + 1)) {
      size_t end = body.find("</Contents>", at);
      if (end == std::string_view::npos) break;
      std::string_view entry = body.substr(at, end - at);
      S3ObjectInfo info;
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

}  // namespace sluice::client
