// Options shared by the AWS clients: the resolved configuration, the HTTP
// transport's timeouts and pool, retries, and injection points for tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "sluice/aws_config.h"
#include "sluice/retry.h"

namespace sluice::client {

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds request_timeout{60000};  // write the request and read the whole response
  size_t max_idle_connections = 16;                  // kept-alive connections in the pool
  size_t max_response_bytes = 64 << 20;
  // HTTPS: the peer's certificate chain and host name are verified against
  // the system CA store, or `ca_file` (PEM) when set.
  std::string ca_file;
  bool verify_peer = true;
  std::string user_agent = "sluice-client/0.1";
};

struct ClientOptions {
  ResolvedConfig config;  // credentials, region, endpoint_url (see aws_config.h)
  TransportOptions transport;
  RetryOptions retry;
  // Test hooks; empty means the real clock / sleep / random source.
  std::function<std::chrono::system_clock::time_point()> now;  // signing time
  std::function<void(std::chrono::milliseconds)> sleep;        // backoff waits
  std::function<double()> random;                              // uniform [0,1), backoff jitter
};

}  // namespace sluice::client
