// SigV4 signing; each step mirrors the botocore method named in its comment
// (botocore/auth.py, SigV4Auth and S3SigV4Auth). The canonical-request rules,
// string to sign and signing key are the shared core in auth/sigv4_core.h.
#include "sluice/sigv4.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "auth/sigv4_core.h"

namespace sluice::client {
namespace {

using auth::kAlgorithm;
using auth::kUnsignedPayload;

// botocore SIGNED_HEADERS_BLACKLIST.
constexpr std::string_view kUnsignedHeaders[] = {
    "connection",        "expect",  "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};

std::string Lower(std::string_view s) { return auth::ToLower(s); }

bool IEquals(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

bool IsS3(std::string_view service) { return service == "s3"; }

void RemoveHeader(HeaderList& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return IEquals(h.first, name); });
}

bool HasHeader(const HeaderList& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return IEquals(h.first, name); });
}

const std::string* FirstHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (IEquals(h.first, name)) return &h.second;
  }
  return nullptr;
}

// email.utils.formatdate(t): "Sun, 30 Aug 2015 12:36:00 -0000".
std::string FormatRfc822(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d -0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

std::string UriEncode(std::string_view in, std::string_view also_keep) { return auth::UriEncode(in, also_keep); }

std::string EncodeQueryString(const QueryList& query) {
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out += '&';
    out += UriEncode(k);
    out += '=';
    out += UriEncode(v);
  }
  return out;
}

std::string HostHeaderValue(std::string_view scheme, std::string_view host, uint16_t port) {
  std::string out = Lower(host);
  if (out.find(':') != std::string::npos) out = "[" + out + "]";  // IPv6 literal
  uint16_t default_port = scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
  if (port != 0 && port != default_port) out += ":" + std::to_string(port);
  return out;
}

std::string Sha256Hex(std::string_view data) { return auth::Sha256Hex(data); }

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigningResult SignRequest(SignableRequest& request, std::string_view body, const SigningParams& params) {
  const bool s3 = IsS3(params.service);
  SigningResult result;
  result.amz_date = FormatAmzDate(params.time);
  const std::string date = result.amz_date.substr(0, 8);
  HeaderList& headers = request.headers;

  // _modify_request_before_signing: drop an earlier signature, set the date,
  // the session token and (S3 or unsigned payloads) X-Amz-Content-SHA256.
  RemoveHeader(headers, "Authorization");
  if (HasHeader(headers, "Date")) {
    RemoveHeader(headers, "Date");
    headers.emplace_back("Date", FormatRfc822(std::chrono::system_clock::to_time_t(params.time)));
    RemoveHeader(headers, "X-Amz-Date");
  } else {
    RemoveHeader(headers, "X-Amz-Date");
    headers.emplace_back("X-Amz-Date", result.amz_date);
  }
  if (!params.credentials.session_token.empty()) {
    RemoveHeader(headers, "X-Amz-Security-Token");
    headers.emplace_back("X-Amz-Security-Token", params.credentials.session_token);
  }
  std::string body_hash;
  if (params.unsigned_payload) {
    body_hash = kUnsignedPayload;
  } else if (params.payload_hash) {
    body_hash = *params.payload_hash;
  } else {
    body_hash = Sha256Hex(body);
  }
  if (params.unsigned_payload || s3) {
    RemoveHeader(headers, "X-Amz-Content-SHA256");
    headers.emplace_back("X-Amz-Content-SHA256", body_hash);
  } else if (const std::string* given = FirstHeader(headers, "X-Amz-Content-SHA256")) {
    body_hash = *given;
  }

  // headers_to_sign / canonical_headers / signed_headers.
  std::vector<std::pair<std::string, std::string>> to_sign;  // (lower name, value), request order
  for (const auto& [name, value] : headers) {
    std::string lname = Lower(name);
    if (std::find(std::begin(kUnsignedHeaders), std::end(kUnsignedHeaders), lname) != std::end(kUnsignedHeaders)) {
      continue;
    }
    to_sign.emplace_back(std::move(lname), value);
  }
  if (std::none_of(to_sign.begin(), to_sign.end(), [](const auto& h) { return h.first == "host"; })) {
    to_sign.emplace_back("host", HostHeaderValue(request.scheme, request.host, request.port));
  }
  std::stable_sort(to_sign.begin(), to_sign.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string signed_headers;
  for (size_t i = 0; i < to_sign.size();) {
    const std::string& name = to_sign[i].first;
    std::string value;
    size_t j = i;
    for (; j < to_sign.size() && to_sign[j].first == name; ++j) {
      if (j > i) value += ',';
      value += auth::CanonicalHeaderValue(to_sign[j].second);
    }
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
    i = j;
  }

  // canonical_request.
  std::string& cr = result.canonical_request;
  for (char c : request.method) cr += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  cr += '\n';
  cr += auth::CanonicalPath(request.path, s3) + '\n';
  cr += auth::CanonicalQuery(request.query) + '\n';
  cr += canonical_headers + '\n';
  cr += signed_headers + '\n';
  cr += body_hash;

  // string_to_sign / signature.
  const std::string scope = auth::CredentialScope(date, params.region, params.service);
  result.string_to_sign = auth::StringToSign(result.amz_date, scope, cr);
  result.signature =
      auth::SignatureHex(auth::SigningKey(params.credentials.secret_access_key, date, params.region, params.service),
                         result.string_to_sign);

  // _inject_signature_to_request.
  result.authorization = std::string(kAlgorithm) + " Credential=" + params.credentials.access_key_id + "/" + scope +
                         ", SignedHeaders=" + signed_headers + ", Signature=" + result.signature;
  headers.emplace_back("Authorization", result.authorization);
  return result;
}

}  // namespace sluice::client
