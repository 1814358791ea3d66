#include "protocol/string_pattern.h"

#include <cctype>

namespace sluice::protocol {

namespace {

// Parses "[...]+" or "[...]*" made of literal ASCII characters, backslash
// escapes of punctuation, \d, and ranges. Anything else: nullopt.
std::optional<std::bitset<256>> ParseRepeatedClass(std::string_view p, bool* allow_empty) {
  if (p.size() < 4 || p.front() != '[' || p[1] == '^') return std::nullopt;
  char repeat = p.back();
  if ((repeat != '+' && repeat != '*') || p[p.size() - 2] != ']') return std::nullopt;
  *allow_empty = repeat == '*';
  std::string_view body = p.substr(1, p.size() - 3);
  std::bitset<256> set;
  // One class member at `i`: a literal (escaped or not), or -1 for \d.
  auto next = [&](size_t& i) -> int {
    char c = body[i++];
    if (c == '[' || c == ']') return -2;
    if (c != '\\') return static_cast<unsigned char>(c);
    if (i >= body.size()) return -2;
    char e = body[i++];
    if (e == 'd') return -1;
    if (std::isalnum(static_cast<unsigned char>(e))) return -2;  // \w, \s, \p, \u...: not handled here
    return static_cast<unsigned char>(e);
  };
  for (size_t i = 0; i < body.size();) {
    int lo = next(i);
    if (lo == -2 || lo >= 128) return std::nullopt;
    if (lo == -1) {
      for (char c = '0'; c <= '9'; ++c) set.set(static_cast<unsigned char>(c));
      continue;
    }
    if (i + 1 < body.size() && body[i] == '-') {
      size_t j = i + 1;
      int hi = next(j);
      if (hi < 0 || hi >= 128 || hi < lo) return std::nullopt;
      for (int c = lo; c <= hi; ++c) set.set(static_cast<size_t>(c));
      i = j;
      continue;
    }
    set.set(static_cast<size_t>(lo));
  }
  return set;
}

}  // namespace

std::optional<StringPattern> StringPattern::Compile(const std::string& pattern) {
  StringPattern p;
  if ((p.class_ = ParseRepeatedClass(pattern, &p.allow_empty_))) return p;
  if (pattern.find("\\p{") != std::string::npos || pattern.find("(?<") != std::string::npos ||
      pattern.find("\\u") != std::string::npos)
    return std::nullopt;
  try {
    p.regex_.emplace(pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
  return p;
}

bool StringPattern::Matches(std::string_view s) const {
  if (class_) {
    if (s.empty()) return allow_empty_;
    for (unsigned char c : s)
      if (!class_->test(c)) return false;
    return true;
  }
  return std::regex_match(s.begin(), s.end(), *regex_);
}

}  // namespace sluice::protocol
