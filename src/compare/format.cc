#include "compare/format.h"

#include <cmath>
#include <cstdio>

#include "codec/utf8.h"

namespace sluice::compare {
namespace {

std::string Printf(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// Inserts thousands separators into a run of digits.
std::string GroupDigits(const std::string& digits) {
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Length of the well-formed UTF-8 sequence starting at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  return codec::IsValidUtf8(s.substr(i, len)) ? len : 0;
}

}  // namespace

std::string FormatMs(double ms) {
  if (!std::isfinite(ms)) return "n/a";
  if (ms < 0) ms = 0;
  if (ms == 0) return "0 ms";
  if (ms < 1) return Printf("%.2f ms", ms);
  if (ms < 10) return Printf("%.1f ms", ms);
  if (ms < 999.5) return Printf("%.0f ms", ms);
  const double s = ms / 1000;
  if (s < 99.95) {
    std::string out = Printf("%.1f", s);  // "6.2", "14.0" -> "14"
    if (s >= 9.95 && out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
    return out + " s";
  }
  if (s < 120) return Printf("%.0f s", s);
  const double min = s / 60;
  if (min < 99.5) return Printf(min < 9.95 ? "%.1f min" : "%.0f min", min);
  const double h = min / 60;
  if (h < 1e6) return FormatNumber(h, h < 9.95 ? 1 : 0) + " h";
  return Printf("%.1e h", h);
}

std::string FormatCount(uint64_t n) { return GroupDigits(std::to_string(n)); }

std::string FormatNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  const bool negative = v < 0;
  if (negative) v = -v;
  if (v >= 1e18) return Printf(negative ? "-%.2e" : "%.2e", v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals < 0 ? 0 : decimals, v);
  std::string s = buf;
  const size_t dot = s.find('.');
  std::string out = GroupDigits(s.substr(0, dot));
  if (dot != std::string::npos) out += s.substr(dot);
  if (negative && out.find_first_not_of("0.,") != std::string::npos) {
    std::string signed_out(1, '-');
    signed_out += out;
    out = std::move(signed_out);
  }
  return out;
}

std::string FormatBytes(double bytes) {
  if (!std::isfinite(bytes) || bytes < 0) return "n/a";
  if (bytes < 1024) return Printf("%.0f B", bytes);
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = bytes / 1024;
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  return Printf(v < 9.95 ? "%.1f " : "%.0f ", v) + kUnits[u];
}

std::string FormatPercent(double fraction) {
  if (!std::isfinite(fraction)) return "n/a";
  const double p = fraction * 100;
  const double rounded = std::round(p);
  if (std::fabs(p - rounded) < 0.05) return FormatNumber(rounded, 0) + "%";
  return FormatNumber(p, p < 1 ? 2 : 1) + "%";
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size();) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    const char c = s[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n': out += c; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
        break;
    }
  }
  return out;
}

std::string GlueUnits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const bool digit_before = i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9';
    const bool letter_after =
        i + 1 < s.size() && ((s[i + 1] >= 'a' && s[i + 1] <= 'z') || (s[i + 1] >= 'A' && s[i + 1] <= 'Z'));
    if (s[i] == ' ' && digit_before && letter_after) out += "\xC2\xA0";
    else out += s[i];
  }
  return out;
}

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1B && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

}  // namespace sluice::compare
