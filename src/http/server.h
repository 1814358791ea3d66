// Server: an HTTP/1.1 keep-alive server (Boost.Beast) that hands each request
// to one Handler. Requests on one connection are served in order; a handler
// may answer asynchronously and from any thread.
//
// Limits protect the process from hostile clients: a body above
// max_body_bytes gets 413 and the connection is closed; a connection idle or
// stalled longer than idle_timeout is closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "http/message.h"

namespace sluice::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;  // 0 picks a free port
  int threads = 0;       // 0 = one per core (at least 2)
  uint64_t max_body_bytes = 16ull << 20;
  std::chrono::seconds idle_timeout{300};
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port.
  Result<uint16_t> Listen();
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
