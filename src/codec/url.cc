#include "codec/url.h"

#include "codec/hex.h"

namespace sluice::codec {

std::string UrlDecode(std::string_view s, UrlPart part, bool* malformed) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      int hi = i + 2 < s.size() ? HexDigitValue(s[i + 1]) : -1;
      int lo = hi >= 0 ? HexDigitValue(s[i + 2]) : -1;
      if (lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
      if (malformed) *malformed = true;
      out.push_back(c);
    } else if (c == '+' && part == UrlPart::kQuery) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryPairs ParseQuery(std::string_view query, bool* malformed) {
  QueryPairs out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    if (!item.empty()) {
      size_t eq = item.find('=');
      out.emplace_back(
          UrlDecode(item.substr(0, eq), UrlPart::kQuery, malformed),
          eq == std::string_view::npos ? std::string() : UrlDecode(item.substr(eq + 1), UrlPart::kQuery, malformed));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace sluice::codec
