// A synchronous facade over Beast's async operations: each operation is
// started, then the connection's private io_context runs until it finishes;
// beast::tcp_stream's expiry turns a deadline into error::timeout.
#include "client/http_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>

namespace sluice::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

ApiError LocalError(ErrorKind kind, std::string message) {
  ApiError e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Maps a failed read/write to an error kind.
ErrorKind KindOf(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return ErrorKind::kTimeout;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == ssl::error::stream_truncated) {
    return ErrorKind::kNetwork;
  }
  if (ec.category() == beast::error_code(http::error::bad_version).category()) {
    return ErrorKind::kMalformedResponse;  // not HTTP, or over a size limit
  }
  return ErrorKind::kNetwork;  // resets, aborted TLS records, ...
}

}  // namespace

struct HttpConnection::Impl {
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> tcp;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }

  // Starts an operation with a handler that records its error, then runs the
  // context until the operation completes.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  ~Impl() {
    beast::error_code ignored;
    lowest().socket().close(ignored);
  }
};

HttpConnection::HttpConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpConnection::~HttpConnection() = default;

ApiResult<std::unique_ptr<HttpConnection>> HttpConnection::Open(const Endpoint& endpoint,
                                                                const TransportOptions& options, ssl::context* tls) {
  auto impl = std::make_unique<Impl>();
  if (endpoint.tls()) {
    if (tls == nullptr) return LocalError(ErrorKind::kTls, "no TLS context");
    impl->tls.emplace(impl->ioc, *tls);
  } else {
    impl->tcp.emplace(impl->ioc);
  }
  const std::string where = endpoint.host + ":" + std::to_string(endpoint.effective_port());

  // Name resolution is bounded by the system resolver's own timeouts.
  tcp::resolver resolver(impl->ioc);
  beast::error_code ec;
  auto addresses = resolver.resolve(endpoint.host, std::to_string(endpoint.effective_port()), ec);
  if (ec) {
    // "No such host" will not change by retrying; a resolver that could not
    // answer now (try again) may.
    bool no_such_host = ec == boost::asio::error::host_not_found || ec == boost::asio::error::no_data ||
                        ec == boost::asio::error::service_not_found;
    return LocalError(no_such_host ? ErrorKind::kNameResolution : ErrorKind::kNetwork,
                      "cannot resolve " + endpoint.host + ": " + ec.message());
  }

  impl->lowest().expires_after(options.connect_timeout);
  ec = impl->Run([&](auto handler) { impl->lowest().async_connect(addresses, std::move(handler)); });
  if (ec) {
    return LocalError(ec == beast::error::timeout ? ErrorKind::kTimeout : ErrorKind::kNetwork,
                      "cannot connect to " + where + ": " + ec.message());
  }
  impl->lowest().socket().set_option(tcp::no_delay(true), ec);

  if (impl->tls) {
    SSL* handle = impl->tls->native_handle();
    if (IsIpLiteral(endpoint.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), endpoint.host.c_str());
    } else {
      SSL_set_tlsext_host_name(handle, endpoint.host.c_str());  // SNI
      SSL_set1_host(handle, endpoint.host.c_str());             // certificate must name the host
    }
    ec = impl->Run([&](auto handler) { impl->tls->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (ec) {
      ErrorKind kind = ec == beast::error::timeout                        ? ErrorKind::kTimeout
                       : ec.category() == asio::error::get_ssl_category() ? ErrorKind::kTls
                                                                          : ErrorKind::kNetwork;
      std::string detail = ec.message();
      long verify = SSL_get_verify_result(handle);
      if (verify != X509_V_OK) detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      return LocalError(kind, "TLS handshake with " + where + " failed: " + detail);
    }
  }
  impl->lowest().expires_never();
  return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(impl)));
}

ApiResult<bool> HttpConnection::Send(const HttpRequest& request, const std::string& host_header,
                                     const TransportOptions& options) {
  http::request<http::span_body<const char>> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  if (req.find(http::field::host) == req.end()) req.set(http::field::host, host_header);
  if (req.find(http::field::user_agent) == req.end() && !options.user_agent.empty()) {
    req.set(http::field::user_agent, options.user_agent);
  }
  req.body() = {request.body.data(), request.body.size()};
  req.prepare_payload();
  req.keep_alive(true);

  Impl& c = *impl_;
  c.lowest().expires_after(options.request_timeout);
  beast::error_code ec = c.Run([&](auto handler) {
    if (c.tls) {
      http::async_write(*c.tls, req, std::move(handler));
    } else {
      http::async_write(*c.tcp, req, std::move(handler));
    }
  });
  if (ec) {
    return LocalError(ec == beast::error::timeout ? ErrorKind::kTimeout : ErrorKind::kNetwork,
                      "sending the request failed: " + ec.message());
  }
  return true;
}

ApiResult<HttpResponse> HttpConnection::Exchange(const HttpRequest& request, const std::string& host_header,
                                                 const TransportOptions& options, bool* nothing_received) {
  *nothing_received = true;
  reusable_ = false;  // until a complete keep-alive response is read
  auto sent = Send(request, host_header, options);
  if (!sent.ok()) return sent.error();
  Impl& c = *impl_;
  beast::error_code ec;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  parser.skip(request.method == "HEAD");
  ec = c.Run([&](auto handler) {
    if (c.tls) {
      http::async_read(*c.tls, c.buffer, parser, std::move(handler));
    } else {
      http::async_read(*c.tcp, c.buffer, parser, std::move(handler));
    }
  });
  c.lowest().expires_never();
  if (ec) {
    *nothing_received = !parser.got_some() && c.buffer.size() == 0;
    ErrorKind kind = KindOf(ec);
    std::string what = ec == http::error::partial_message ? "truncated response"
                       : ec == http::error::end_of_stream ? "connection closed before a response"
                                                          : "reading the response failed";
    return LocalError(kind, what + ": " + ec.message());
  }
  *nothing_received = false;
  http::response<http::string_body> res = parser.release();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(res.body());
  reusable_ = res.keep_alive() && c.buffer.size() == 0;
  return out;
}

ApiResult<HttpResponse> HttpConnection::ExchangeStreaming(const HttpRequest& request, const std::string& host_header,
                                                          const TransportOptions& options,
                                                          const std::function<bool(std::string_view)>& on_body) {
  reusable_ = false;
  auto sent = Send(request, host_header, options);
  if (!sent.ok()) return sent.error();
  Impl& c = *impl_;
  // mode 0: the header; 1: the whole rest; 2: whatever arrives next.
  auto read = [&](auto& parser, int mode) {
    return c.Run([&](auto handler) {
      auto go = [&](auto& stream) {
        if (mode == 0) http::async_read_header(stream, c.buffer, parser, std::move(handler));
        else if (mode == 1) http::async_read(stream, c.buffer, parser, std::move(handler));
        else http::async_read_some(stream, c.buffer, parser, std::move(handler));
      };
      if (c.tls) go(*c.tls);
      else go(*c.tcp);
    });
  };
  auto failed = [&](beast::error_code ec) {
    c.lowest().expires_never();
    return LocalError(KindOf(ec), "reading the response failed: " + ec.message());
  };
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  c.lowest().expires_after(options.request_timeout);
  beast::error_code ec = read(parser, 0);
  if (ec) return failed(ec);
  HttpResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& field : parser.get())
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  if (out.status < 200 || out.status > 299) {
    http::response_parser<http::string_body> whole(std::move(parser));
    whole.body_limit(options.max_response_bytes);
    ec = read(whole, 1);
    if (ec) return failed(ec);
    out.body = std::move(whole.get().body());
    c.lowest().expires_never();
    return out;
  }
  std::vector<char> piece(64 * 1024);
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    c.lowest().expires_after(options.request_timeout);
    ec = read(parser, 2);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return failed(ec);
    size_t n = piece.size() - parser.get().body().size;
    if (n > 0 && !on_body(std::string_view(piece.data(), n))) {
      c.lowest().expires_never();
      return out;  // stopped by the caller: the connection is left unusable
    }
  }
  c.lowest().expires_never();
  reusable_ = parser.get().keep_alive() && c.buffer.size() == 0;
  return out;
}

}  // namespace sluice::client
