#include "protocol/sigv4_scope.h"

#include <vector>

namespace sluice::protocol {

std::optional<CredentialScope> ParseCredential(std::string_view credential) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (parts.size() < 5) {
    size_t slash = credential.find('/', pos);
    if (slash == std::string_view::npos) {
      parts.push_back(credential.substr(pos));
      break;
    }
    parts.push_back(credential.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (parts.size() != 5 || parts[0].empty() || parts[2].empty() || parts[4] != "aws4_request") return std::nullopt;
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
}

std::optional<CredentialScope> ParseAuthorizationScope(std::string_view authorization) {
  constexpr std::string_view kKey = "Credential=";
  size_t at = authorization.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = authorization.substr(at + kKey.size());
  size_t end = rest.find_first_of(", ");
  return ParseCredential(rest.substr(0, end));
}

}  // namespace sluice::protocol
