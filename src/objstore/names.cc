#include "objstore/names.h"

#include "codec/utf8.h"

namespace sluice::objstore {

bool IsValidBucketName(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : n)
    if (!alnum(c) && c != '.' && c != '-') return false;
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  if (n.find("..") != std::string_view::npos || n.find(".-") != std::string_view::npos ||
      n.find("-.") != std::string_view::npos)
    return false;
  // IPv4-formatted names.
  int dots = 0;
  bool digits_dots = true;
  for (char c : n) {
    if (c == '.') ++dots;
    else if (!(c >= '0' && c <= '9')) digits_dots = false;
  }
  if (digits_dots && dots == 3) return false;
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (n.substr(0, p.size()) == p) return false;
  for (std::string_view s : {"-s3alias", "--ol-s3", "--x-s3", ".mrap"})
    if (n.size() >= s.size() && n.substr(n.size() - s.size()) == s) return false;
  return true;
}

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > 1024) return false;
  if (key.find('\0') != std::string_view::npos) return false;
  return codec::IsValidUtf8(key);
}

}  // namespace sluice::objstore
