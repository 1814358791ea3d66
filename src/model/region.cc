#include "model/region.h"

#include <array>

namespace sluice::model {

namespace {
// The partitions' prefixes, from botocore's endpoints.json (aws, aws-cn,
// aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc).
constexpr std::array<std::string_view, 16> kPrefixes = {
    "us-gov-", "us-isob-", "us-isof-", "us-iso-", "eu-isoe-", "eusc-de-", "us-", "eu-",
    "ap-",     "sa-",      "ca-",      "me-",     "af-",      "il-",      "mx-", "cn-"};

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "<word>-<digits>" where word is \w+ (as the partition regexes have it).
bool IsWordDashDigits(std::string_view s) {
  size_t dash = s.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == s.size()) return false;
  for (size_t i = 0; i < dash; ++i)
    if (!IsWordChar(s[i])) return false;
  for (size_t i = dash + 1; i < s.size(); ++i)
    if (!IsDigit(s[i])) return false;
  return true;
}
}  // namespace

bool IsValidRegion(std::string_view region) {
  if (region.empty() || region.size() > 64) return false;
  // The word has no dash, so "us-gov-west-1" fits only the prefix "us-gov-".
  for (std::string_view p : kPrefixes)
    if (region.substr(0, p.size()) == p && IsWordDashDigits(region.substr(p.size()))) return true;
  return false;
}

}  // namespace sluice::model
