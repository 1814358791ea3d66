#include "auth/sigv4_request.h"

#include <ctime>

#include "codec/url.h"

namespace sluice::auth {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<int64_t> ToSeconds(int year, int month, int day, int hour, int minute, int second) {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

int Number(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

const std::string* Find(const Pairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace

std::optional<Credential> ParseCredential(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    size_t slash = text.find('/', pos);
    parts.push_back(text.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos || parts.size() > 5) break;
    pos = slash + 1;
  }
  if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || !AllDigits(parts[1]) || parts[2].empty() ||
      parts[3].empty() || parts[4] != "aws4_request")
    return std::nullopt;
  Credential c{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), std::string(parts[3]), ""};
  c.scope = std::string(text.substr(parts[0].size() + 1));
  return c;
}

std::variant<SignatureClaim, std::string> ParseAuthorizationHeader(std::string_view value) {
  SignatureClaim claim;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  size_t space = value.find(' ');
  claim.algorithm = std::string(value.substr(0, space));
  std::string_view rest = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
  // "k=v" items separated by ',' and/or spaces.
  size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && (rest[pos] == ',' || rest[pos] == ' ')) ++pos;
    size_t end = rest.find_first_of(", ", pos);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view item = rest.substr(pos, end - pos);
    pos = end;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "Credential") claim.credential = std::string(v);
    else if (k == "SignedHeaders") claim.signed_headers = std::string(v);
    else if (k == "Signature") claim.signature = std::string(v);
  }
  if (claim.algorithm != "AWS4-HMAC-SHA256") return claim;
  std::string missing;
  if (claim.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (claim.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (claim.signed_headers.empty()) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) return missing.append("Authorization=").append(value);
  return claim;
}

std::variant<SignatureClaim, std::string> ParsePresignedQuery(const Pairs& query, bool require_expires) {
  SignatureClaim claim;
  std::string missing;
  auto take = [&](std::string_view key, std::string* out) {
    const std::string* v = Find(query, key);
    if (!v || v->empty()) {
      missing.append("AWS query-string parameters must include '").append(key).append("'. ");
      return;
    }
    *out = *v;
  };
  take("X-Amz-Algorithm", &claim.algorithm);
  take("X-Amz-Credential", &claim.credential);
  take("X-Amz-Signature", &claim.signature);
  take("X-Amz-SignedHeaders", &claim.signed_headers);
  take("X-Amz-Date", &claim.date);
  std::string expires;
  if (require_expires) take("X-Amz-Expires", &expires);
  if (!missing.empty()) return missing.append("Re-examine the query-string parameters.");
  if (!expires.empty() || Find(query, "X-Amz-Expires")) {
    if (expires.empty()) expires = *Find(query, "X-Amz-Expires");
    if (!AllDigits(expires) || expires.size() > 9) return std::string("X-Amz-Expires should be a number");
    int64_t seconds = std::stoll(expires);
    if (seconds > 604800) return std::string("X-Amz-Expires must be less than a week (in seconds) that is 604800");
    claim.expires_seconds = seconds;
  }
  return claim;
}

RequestTarget ParseRequestTarget(std::string_view target) {
  RequestTarget out;
  size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (out.path.empty()) out.path.assign(1, '/');
  if (q != std::string_view::npos) out.query = codec::ParseQuery(target.substr(q + 1));
  return out;
}

std::optional<int64_t> ParseAmzDate(std::string_view t) {
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z' || !AllDigits(t.substr(0, 8)) || !AllDigits(t.substr(9, 6)))
    return std::nullopt;
  return ToSeconds(Number(t.substr(0, 4)), Number(t.substr(4, 2)), Number(t.substr(6, 2)), Number(t.substr(9, 2)),
                   Number(t.substr(11, 2)), Number(t.substr(13, 2)));
}

std::optional<int64_t> ParseHttpDate(std::string_view t) {
  // "Sun, 30 Aug 2015 12:36:00 GMT": the weekday is not checked.
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  size_t comma = t.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  t.remove_prefix(comma + 2);
  if (t.size() < 20 || t[2] != ' ' || t[6] != ' ' || t[11] != ' ' || t[14] != ':' || t[17] != ':') return std::nullopt;
  std::string_view day = t.substr(0, 2), mon = t.substr(3, 3), year = t.substr(7, 4);
  std::string_view hh = t.substr(12, 2), mm = t.substr(15, 2), ss = t.substr(18, 2);
  std::string_view zone = t.substr(20);
  if (zone != " GMT" && zone != " -0000" && zone != " +0000" && zone != " UTC") return std::nullopt;
  if (!AllDigits(day) || !AllDigits(year) || !AllDigits(hh) || !AllDigits(mm) || !AllDigits(ss)) return std::nullopt;
  int month = 0;
  for (int i = 0; i < 12; ++i)
    if (mon == kMonths[i]) month = i + 1;
  if (month == 0) return std::nullopt;
  return ToSeconds(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
}

std::string FormatAmzDate(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string FormatIsoDate(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace sluice::auth
