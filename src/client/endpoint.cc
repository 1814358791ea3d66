#include "client/endpoint.h"

#include <cctype>
#include <charconv>

namespace sluice::client {

Result<Endpoint> ParseEndpointUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid endpoint URL '" + std::string(url) + "': " + why);
  };
  Endpoint ep;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("expected scheme://host[:port]");
  for (char c : url.substr(0, colon)) ep.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ep.scheme != "http" && ep.scheme != "https") return bad("scheme must be http or https");
  std::string_view rest = url.substr(colon + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (!path.empty() && path.front() != '/') return bad("query strings and fragments are not allowed");
  if (path.find_first_of("?#") != std::string_view::npos) return bad("query strings and fragments are not allowed");
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") path = {};
  ep.path = std::string(path);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after IPv6 literal");
      port = after.substr(1);
    }
  } else if (size_t c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  if (host.empty()) return bad("missing host");
  for (char c : host) ep.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) return bad("bad port");
    ep.port = static_cast<uint16_t>(value);
  }
  return ep;
}

bool Endpoint::is_loopback() const { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

}  // namespace sluice::client
