// One HTTP/1.1 connection (TCP or TLS) with its own io_context, driven
// synchronously: each operation runs the context until it completes, with a
// deadline on the stream. Used by one thread at a time.
#pragma once

#include <chrono>
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

  // False after an error or a response without keep-alive.
  bool reusable() const { return reusable_; }

 private:
  struct Impl;
  explicit HttpConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  bool reusable_ = true;
};

}  // namespace sluice::client
