#include "firehose/format/record_framing.h"

#include "codec/hex.h"

namespace sluice::firehose::format {

Result<std::string> ParseDelimiter(std::string_view v) {
  if (v.empty()) return std::string("\n");
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\') {
      out.push_back(v[i]);
      continue;
    }
    if (i + 1 >= v.size()) {
      return Status::InvalidArgument("Delimiter '" + std::string(v) + "' ends with a dangling backslash");
    }
    char e = v[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case '0': out.push_back('\0'); break;
      case '\\': out.push_back('\\'); break;
      case 'x': {
        int hi = i + 1 < v.size() ? codec::HexDigitValue(v[i + 1]) : -1;
        int lo = i + 2 < v.size() ? codec::HexDigitValue(v[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          return Status::InvalidArgument("Delimiter '" + std::string(v) + "' has a bad \\x escape");
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        return Status::InvalidArgument("Delimiter '" + std::string(v) + "' has an unknown escape \\" +
                                       std::string(1, e));
    }
  }
  return out;
}

Result<std::string> DelimiterFor(const S3DestinationConfig& config, bool* append) {
  *append = false;
  if (!config.processing_enabled) return std::string();
  for (const ProcessorConfig& p : config.processors) {
    if (p.type == "AppendDelimiterToRecord") {
      *append = true;
      std::string_view value;
      for (const auto& [name, v] : p.parameters) {
        if (name == "Delimiter") value = v;
      }
      return ParseDelimiter(value);
    }
  }
  return std::string();
}

std::string AssemblePayload(const std::vector<std::string>& records, std::string_view delimiter) {
  size_t total = 0;
  for (const auto& r : records) total += r.size() + delimiter.size();
  std::string out;
  out.reserve(total);
  for (const auto& r : records) AppendRecord(&out, r, delimiter);
  return out;
}

}  // namespace sluice::firehose::format
