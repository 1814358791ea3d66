// Server: an HTTP/1.1 keep-alive server (Boost.Beast) that hands each request
// to one Handler. Requests on one connection are served in order; a handler
// may answer asynchronously and from any thread.
//
// Transport limits protect the process from hostile or broken clients
// (docs/RELIABILITY.md lists them with their defaults):
//  * a request's headers must fit in max_header_bytes (else 431) and arrive
//    within header_timeout of its first byte (of the connection, for the
//    first request); a body above max_body_bytes gets 413, before it is read;
//  * a body must arrive within body_timeout plus one second per
//    min_body_rate bytes received; a response must be taken by the client
//    within the same allowance; a keep-alive connection may wait idle for its
//    next request for idle_timeout;
//  * at most max_connections connections are served at once: beyond that a
//    new connection gets a 503 and is closed, existing ones are untouched;
//  * a connection holds at most one request and one response at a time
//    (pipelined requests wait in the kernel's socket buffer), so its memory is
//    bounded by max_header_bytes + max_body_bytes + the response;
//  * all connections together hold at most max_inflight_bytes of request
//    headers and bodies (read, or announced by Content-Length, and not yet
//    answered): beyond it a request gets 503 (HTTP/2: REFUSED_STREAM).
// HTTP/2 connections (h2_session.h) keep the same limits per stream.
// A request refused at the transport level gets the answer built by
// transport_error (shaped like the service it was meant for) and the
// connection is closed; on a timeout in a read the client gets it too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "http/message.h"

namespace sluice::http {

enum class TransportError {
  kBadRequest,      // malformed HTTP: 400
  kHeaderTooLarge,  // headers above max_header_bytes: 431
  kBodyTooLarge,    // body above max_body_bytes: 413
  kTimeout,         // headers or body not received in time: 408
  kUnavailable,     // over max_inflight_bytes: 503 (with Retry-After: 1)
};
// Builds the answer to a request refused with `error`. `head` holds what was
// read of the request: method, target and headers when they were parsed,
// otherwise at most the ServerOptions::refusal_headers found in the raw bytes.
using TransportErrorResponder = std::function<Response(TransportError error, const Request& head)>;
// The default: the status above with a plain-text body.
Response PlainTransportError(TransportError error, const Request& head);

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;  // 0 picks a free port
  int threads = 0;       // 0 = one per core (at least 2)
  uint64_t max_body_bytes = 16ull << 20;
  uint32_t max_header_bytes = 64u << 10;
  int max_connections = 1024;
  // Request bytes held by all connections; at least max_body_bytes + max_header_bytes is used.
  uint64_t max_inflight_bytes = 256ull << 20;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{30'000};
  uint64_t min_body_rate = 16u << 10;  // bytes per second; 0: the body timeout is fixed
  TransportErrorResponder transport_error = PlainTransportError;
  // Header fields (names, any case) a refused request keeps for
  // `transport_error`, looked for in the raw bytes when the head could not be
  // parsed, and the only ones an HTTP/2 request over max_header_bytes keeps:
  // the API layer's routing headers (`serve` gives X-Amz-Target), so a
  // refusal can take the shape of the request's service. The transport
  // itself knows no API.
  std::vector<std::string> refusal_headers;
  // An additional port that speaks TLS (HTTP/1.1 or HTTP/2 by ALPN) on the
  // same host: -1 = none, 0 = a free port. PEM certificate chain and key.
  int tls_port = -1;
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (and on the TLS port, loading its certificate);
  // returns the bound plain port.
  Result<uint16_t> Listen();
  // The bound TLS port after Listen(), 0 without one.
  uint16_t TlsPort() const;
  // Serves on the calling thread plus options.threads-1 more, until Stop().
  void Run();
  // Stops accepting and ends Run(). Safe from any thread or signal handler
  // context that may call into asio (use a signal_set for real signals).
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
