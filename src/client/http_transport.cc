// The connection pool and the stale-connection repeat (http_transport.h).
#include "client/http_transport.h"

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <cctype>

#include "client/http_connection.h"

namespace sluice::client {

namespace ssl = boost::asio::ssl;

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "";
}

ApiResult<std::unique_ptr<HttpTransport>> HttpTransport::Create(Endpoint endpoint, TransportOptions options) {
  std::unique_ptr<ssl::context> tls;
  if (endpoint.tls()) {
    tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    if (options.verify_peer) {
      tls->set_verify_mode(ssl::verify_peer, ec);
      if (!options.ca_file.empty()) {
        tls->load_verify_file(options.ca_file, ec);
      } else {
        tls->set_default_verify_paths(ec);
      }
    } else {
      tls->set_verify_mode(ssl::verify_none, ec);
    }
    if (ec) {
      ApiError e;
      e.kind = ErrorKind::kTls;
      e.message = "cannot set up TLS (" + (options.ca_file.empty() ? "system CA store" : options.ca_file) +
                  "): " + ec.message();
      return e;
    }
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(endpoint), std::move(options), std::move(tls)));
}

HttpTransport::HttpTransport(Endpoint endpoint, TransportOptions options, std::unique_ptr<ssl::context> tls)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      host_header_(HostHeaderValue(endpoint_.scheme, endpoint_.host, endpoint_.port)),
      tls_(std::move(tls)) {}

HttpTransport::~HttpTransport() = default;

size_t HttpTransport::connections_opened() const {
  MutexLock lock(mu_);
  return opened_;
}

std::unique_ptr<HttpConnection> HttpTransport::Acquire(bool* reused) {
  MutexLock lock(mu_);
  *reused = !idle_.empty();
  if (idle_.empty()) return nullptr;
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  return conn;
}

void HttpTransport::Release(std::unique_ptr<HttpConnection> conn) {
  if (!conn->reusable()) return;
  MutexLock lock(mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
}

ApiResult<HttpResponse> HttpTransport::Stream(const HttpRequest& request,
                                              const std::function<bool(std::string_view)>& on_body) {
  auto opened = HttpConnection::Open(endpoint_, options_, tls_.get());
  if (!opened.ok()) return opened.error();
  {
    MutexLock lock(mu_);
    ++opened_;
  }
  auto response = (*opened)->ExchangeStreaming(request, host_header_, options_, on_body);
  if (response.ok()) Release(std::move(opened.value()));
  return response;
}

ApiResult<HttpResponse> HttpTransport::RoundTrip(const HttpRequest& request) {
  for (int pass = 0;; ++pass) {
    bool reused = false;
    std::unique_ptr<HttpConnection> conn = pass == 0 ? Acquire(&reused) : nullptr;
    if (!conn) {
      auto opened = HttpConnection::Open(endpoint_, options_, tls_.get());
      if (!opened.ok()) return opened.error();
      conn = std::move(opened.value());
      MutexLock lock(mu_);
      ++opened_;
    }
    bool nothing_received = false;
    auto response = conn->Exchange(request, host_header_, options_, &nothing_received);
    if (response.ok()) {
      Release(std::move(conn));
      return response;
    }
    // A kept-alive connection the server had already closed: repeat once on a new one.
    if (reused && nothing_received && response.error().kind == ErrorKind::kNetwork) continue;
    return response;
  }
}

}  // namespace sluice::client
