#include "model/arn.h"

#include <vector>

namespace sluice::model {

std::string FormatStreamArn(std::string_view region, std::string_view account, std::string_view stream_name) {
  std::string s = "arn:aws:kinesis:";
  s += region;
  s += ':';
  s += account;
  s += ":stream/";
  s += stream_name;
  return s;
}

std::optional<StreamArn> ParseStreamArn(std::string_view arn) {
  // arn:partition:service:region:account:resource — the resource may hold ':'.
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    size_t c = arn.find(':', pos);
    if (c == std::string_view::npos) return std::nullopt;
    parts.push_back(arn.substr(pos, c - pos));
    pos = c + 1;
  }
  std::string_view resource = arn.substr(pos);
  if (parts[0] != "arn" || parts[2] != "kinesis" || parts[3].empty()) return std::nullopt;
  if (resource.substr(0, 7) != "stream/") return std::nullopt;
  resource.remove_prefix(7);
  StreamArn out;
  out.partition = std::string(parts[1]);
  out.region = std::string(parts[3]);
  out.account = std::string(parts[4]);
  size_t slash = resource.find('/');
  if (slash == std::string_view::npos) {
    out.stream_name = std::string(resource);
  } else {
    out.stream_name = std::string(resource.substr(0, slash));
    std::string_view rest = resource.substr(slash + 1);
    if (rest.substr(0, 9) != "consumer/") return std::nullopt;
    out.consumer = std::string(rest.substr(9));
  }
  if (out.stream_name.empty()) return std::nullopt;
  return out;
}

}  // namespace sluice::model
