// StringPattern: a model `pattern` constraint, matched against a whole string.
// Patterns that are one bracketed character class repeated (`[a-zA-Z0-9_.-]+`,
// the shape of most names in the models) are matched with a byte table; the
// rest go through std::regex. Patterns std::regex cannot express (Java's
// \p{..}, lookbehind, \u escapes) do not compile and are left unenforced.
#pragma once

#include <bitset>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace sluice::protocol {

class StringPattern {
 public:
  static std::optional<StringPattern> Compile(const std::string& pattern);
  bool Matches(std::string_view s) const;

 private:
  StringPattern() = default;
  // Set for a `[class]+` or `[class]*` pattern of ASCII literals and ranges.
  std::optional<std::bitset<256>> class_;
  bool allow_empty_ = false;
  std::optional<std::regex> regex_;
};

}  // namespace sluice::protocol
