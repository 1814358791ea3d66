// Reading the SigV4 parts of a received request, without any secret: the
// Authorization header, the presigned-URL query parameters, the request
// target and the request time. Every parser answers with an error message
// in AWS's words instead of failing on hostile input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::auth {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// "AKID/20150830/us-east-1/kinesis/aws4_request"
struct Credential {
  std::string access_key;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  std::string scope;  // "<date>/<region>/<service>/aws4_request"
};
std::optional<Credential> ParseCredential(std::string_view text);

// What a signed request claims, from either form.
struct SignatureClaim {
  std::string algorithm;
  std::string credential;                  // unparsed
  std::string signed_headers;              // "host;x-amz-date", as sent
  std::string signature;                   // hex, as sent
  std::string date;                        // X-Amz-Date query parameter (presigned form only)
  std::optional<int64_t> expires_seconds;  // X-Amz-Expires (presigned form only)
};

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
// An error message when a part is missing (the date headers are checked by
// the verifier). Another algorithm is returned as is for the caller to reject.
std::variant<SignatureClaim, std::string> ParseAuthorizationHeader(std::string_view value);
// The X-Amz-* parameters of a presigned URL (`query` decoded, any order).
// `require_expires`: S3 requires X-Amz-Expires.
std::variant<SignatureClaim, std::string> ParsePresignedQuery(const Pairs& query, bool require_expires);

// The request target split into its wire path and decoded query pairs (in
// wire order; "a" alone gives ("a", "")), decoded by codec::ParseQuery, as
// the handlers decode them: '+' is a space, so a signed "a%2Bb" replayed as
// "a+b" is another canonical query. A malformed % escape is kept literally.
struct RequestTarget {
  std::string path;  // as sent (percent-encoded), "/" when empty
  Pairs query;
};
RequestTarget ParseRequestTarget(std::string_view target);

// "20150830T123600Z" -> seconds since the epoch.
std::optional<int64_t> ParseAmzDate(std::string_view text);
// An HTTP Date ("Sun, 30 Aug 2015 12:36:00 GMT", "-0000" also accepted).
std::optional<int64_t> ParseHttpDate(std::string_view text);
// Seconds since the epoch -> "20150830T123600Z".
std::string FormatAmzDate(int64_t seconds);
// Seconds since the epoch -> "2015-08-30T12:36:00Z".
std::string FormatIsoDate(int64_t seconds);

}  // namespace sluice::auth
