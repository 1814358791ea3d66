// An endpoint URL taken apart: "https://kinesis.eu-west-1.amazonaws.com",
// "http://127.0.0.1:4566", "http://[::1]:4566/prefix".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::client {

struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case; IPv6 without brackets
  uint16_t port = 0;   // explicit port, or 0 for the scheme's default
  std::string path;    // "" or "/prefix" (requests for "/" go there, as botocore's _urljoin)

  bool tls() const { return scheme == "https"; }
  uint16_t effective_port() const { return port ? port : (tls() ? 443 : 80); }
  // A server on this machine (localhost, 127.0.0.0/8, ::1): a local server,
  // where settings that AWS needs (IAM roles) may be left to defaults.
  bool is_loopback() const;
};

// Only http and https; no user info, query or fragment.
Result<Endpoint> ParseEndpointUrl(std::string_view url);

}  // namespace sluice::client
