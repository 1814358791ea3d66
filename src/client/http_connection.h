// One HTTP/1.1 connection (TCP or TLS) with its own io_context, driven
// synchronously: each operation runs the context until it completes, with a
// deadline on the stream. Used by one thread at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "client/http_transport.h"

namespace sluice::client {

class HttpConnection {
 public:
  // Resolves, connects and (https) handshakes within `options.connect_timeout`.
  static ApiResult<std::unique_ptr<HttpConnection>> Open(const Endpoint& endpoint, const TransportOptions& options,
                                                         boost::asio::ssl::context* tls);
  ~HttpConnection();

  // Sends `request` and reads the response within options.request_timeout.
  // On failure *nothing_received tells whether no response byte arrived
  // (the request may then be repeated on a fresh connection).
  ApiResult<HttpResponse> Exchange(const HttpRequest& request, const std::string& host_header,
                                   const TransportOptions& options, bool* nothing_received);

  // As Exchange, but a 2xx body is handed to `on_body` piece by piece as it
  // arrives (each read waits at most options.request_timeout); `on_body`
  // returning false stops reading. The returned response then has an empty
  // body; a non-2xx answer is read whole into it.
  ApiResult<HttpResponse> ExchangeStreaming(const HttpRequest& request, const std::string& host_header,
                                            const TransportOptions& options,
                                            const std::function<bool(std::string_view)>& on_body);

  // False after an error or a response without keep-alive.
  bool reusable() const { return reusable_; }

 private:
  struct Impl;
  explicit HttpConnection(std::unique_ptr<Impl> impl);
  // Writes `request`; "" or the failure.
  ApiResult<bool> Send(const HttpRequest& request, const std::string& host_header, const TransportOptions& options);
  std::unique_ptr<Impl> impl_;
  bool reusable_ = true;
};

}  // namespace sluice::client
