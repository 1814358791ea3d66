#include "codec/config_files.h"

namespace sluice::codec {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Calls fn(line) for each line, without its terminator.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// A quoted .env value starting at value[0] (the quote).
std::string UnquoteDotEnv(std::string_view value) {
  char quote = value.front();
  std::string out;
  for (size_t i = 1; i < value.size(); ++i) {
    char c = value[i];
    if (c == quote) return out;
    if (quote == '"' && c == '\\' && i + 1 < value.size()) {
      char n = value[++i];
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        default: out += n; break;  // \" \\ and anything else: the character itself
      }
      continue;
    }
    out += c;
  }
  return out;  // unterminated: everything after the quote
}

}  // namespace

std::map<std::string, std::string> ParseDotEnv(std::string_view text) {
  std::map<std::string, std::string> out;
  ForEachLine(text, [&](std::string_view line) {
    line = Trim(line);
    if (line.empty() || line.front() == '#') return;
    if (line.substr(0, 7) == "export " || line.substr(0, 7) == "export\t") line = Trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    std::string key(Trim(line.substr(0, eq)));
    if (key.empty()) return;
    std::string_view value = Trim(line.substr(eq + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      out[key] = UnquoteDotEnv(value);
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {  // " # comment" ends an unquoted value
      if (value[i] == '#' && i > 0 && IsBlank(value[i - 1])) {
        value = Trim(value.substr(0, i));
        break;
      }
    }
    out[key] = std::string(value);
  });
  return out;
}

IniFile ParseIni(std::string_view text) {
  IniFile out;
  std::map<std::string, std::string>* section = nullptr;
  std::string key;      // the last key of `section`
  bool nested = false;  // `key` had no value on its own line: continuation lines are sub-keys
  ForEachLine(text, [&](std::string_view raw) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') return;
    if (!IsBlank(raw.front()) && line.front() == '[') {
      size_t close = line.rfind(']');
      if (close == std::string_view::npos) return;
      std::string_view name = Trim(line.substr(1, close - 1));
      std::string normalized(name);
      if (name.substr(0, 7) == "profile" && name.size() > 7 && IsBlank(name[7])) {
        normalized = "profile " + std::string(Trim(name.substr(7)));
      }
      section = &out[normalized];
      key.clear();
      return;
    }
    if (section == nullptr) return;
    if (IsBlank(raw.front()) && !key.empty()) {  // continuation of `key`
      if (nested) {
        size_t sep = line.find_first_of("=");
        if (sep == std::string_view::npos) return;
        (*section)[key + "." + Lower(Trim(line.substr(0, sep)))] = std::string(Trim(line.substr(sep + 1)));
      } else {
        (*section)[key] += "\n" + std::string(line);
      }
      return;
    }
    size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) return;
    key = Lower(Trim(line.substr(0, sep)));
    std::string value(Trim(line.substr(sep + 1)));
    nested = value.empty();
    (*section)[key] = value;
  });
  return out;
}

}  // namespace sluice::codec
