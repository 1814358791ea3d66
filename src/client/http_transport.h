// HTTP/1.1 client transport: one endpoint, a pool of keep-alive connections
// (plain TCP or TLS), connect and request timeouts. RoundTrip is one attempt
// — retries and signing live above it (aws_json_client.h) — and is safe to
// call from several threads at once: each call takes its own connection.
//
// A pooled connection that the server closed while idle fails before any
// response byte arrives; RoundTrip then repeats the request once on a fresh
// connection, without counting it as a retry (as HTTP clients do for stale
// keep-alive connections).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "client/endpoint.h"
#include "sluice/api_error.h"
#include "sluice/client_options.h"
#include "sluice/sigv4.h"

namespace boost::asio::ssl {
class context;
}

namespace sluice::client {

struct HttpRequest {
  std::string method = "POST";
  std::string target = "/";  // path and query, wire form
  HeaderList headers;        // Host, Content-Length and User-Agent are added
  std::string_view body;     // not copied; must outlive RoundTrip
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpConnection;

class HttpTransport {
 public:
  // Fails (kTls) only when a TLS context cannot be set up (bad ca_file).
  static ApiResult<std::unique_ptr<HttpTransport>> Create(Endpoint endpoint, TransportOptions options);
  ~HttpTransport();

  // One exchange. Errors: kNetwork (resolve, connect, reset, truncated
  // response), kTimeout, kTls, kMalformedResponse (not HTTP, too large).
  // Any HTTP status is a successful round trip.
  ApiResult<HttpResponse> RoundTrip(const HttpRequest& request);

  // One exchange whose 2xx body is streamed to `on_body` (see
  // HttpConnection::ExchangeStreaming), on a connection of its own.
  ApiResult<HttpResponse> Stream(const HttpRequest& request, const std::function<bool(std::string_view)>& on_body);

  const Endpoint& endpoint() const { return endpoint_; }
  // The Host header value (port only when not the scheme's default).
  const std::string& host_header() const { return host_header_; }
  // Connections opened so far (tests check keep-alive reuse).
  size_t connections_opened() const;

 private:
  HttpTransport(Endpoint endpoint, TransportOptions options, std::unique_ptr<boost::asio::ssl::context> tls);
  std::unique_ptr<HttpConnection> Acquire(bool* reused);
  void Release(std::unique_ptr<HttpConnection> conn);

  const Endpoint endpoint_;
  const TransportOptions options_;
  const std::string host_header_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  mutable Mutex mu_;
  std::vector<std::unique_ptr<HttpConnection>> idle_ GUARDED_BY(mu_);
  size_t opened_ GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::client
