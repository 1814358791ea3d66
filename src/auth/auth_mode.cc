#include "auth/auth_mode.h"

#include <arpa/inet.h>

namespace sluice::auth {

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::optional<AuthMode> ResolveAuthMode(std::string_view flag, std::string_view host) {
  if (flag == "off") return AuthMode::kOff;
  if (flag == "strict") return AuthMode::kStrict;
  if (flag == "auto") return IsLoopbackHost(host) ? AuthMode::kOff : AuthMode::kStrict;
  return std::nullopt;
}

std::string_view AuthModeName(AuthMode mode) { return mode == AuthMode::kStrict ? "strict" : "off"; }

}  // namespace sluice::auth
