// AWS Signature Version 4, byte-identical to botocore's SigV4Auth (and
// S3SigV4Auth for service "s3"): same canonical request, same headers added,
// same Authorization value for the same request and time.
//
// Contract (the rules botocore applies, which this file reproduces):
//  * Path: `path` is the URI path as sent on the wire, already percent-encoded
//    (build it with UriEncodePath). For every service but S3 the canonical
//    path is that path with dot segments and empty segments removed and then
//    percent-encoded once more (so "%20" becomes "%2520"); S3 uses it as is.
//  * Query: `query` holds raw (unencoded) key/value pairs in wire order. Each
//    is encoded with AWS's rule (unreserved A-Z a-z 0-9 - _ . ~ kept, every
//    other UTF-8 byte as %XX upper-case); the canonical query string is the
//    pairs sorted by encoded key, then encoded value. Repeated keys allowed.
//  * Headers: names lower-cased; values trimmed with runs of whitespace
//    folded to one space; repeated names joined with ','; sorted by name.
//    Hop-by-hop headers, User-Agent and X-Amzn-Trace-Id are not signed. Host
//    is signed: the request's Host header if present, else derived from
//    scheme/host/port (port omitted when it is the scheme's default).
//  * Headers the signer sets (replacing any earlier value, as on a retry):
//    Authorization; X-Amz-Date (or, when the request carries a Date header,
//    Date in RFC 822 form instead); X-Amz-Security-Token when a session token
//    is given; X-Amz-Content-SHA256 for S3 (always) and for other services
//    only when the payload is unsigned.
//  * Payload hash: hex SHA-256 of the body, or `payload_hash` when given, or
//    "UNSIGNED-PAYLOAD" when `unsigned_payload` is set. For non-S3 services a
//    caller-set X-Amz-Content-SHA256 header is used as the hash verbatim.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::client {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
};

// The request as it will be sent. Signing adds/replaces headers in `headers`.
struct SignableRequest {
  std::string method = "POST";
  std::string scheme = "https";  // "http" or "https"
  std::string host;              // host name or IP literal (IPv6 without brackets)
  uint16_t port = 0;             // 0: the scheme's default
  std::string path = "/";        // wire form, percent-encoded, starting with '/'
  QueryList query;               // raw pairs, wire order
  HeaderList headers;            // in order; names in any case
};

struct SigningParams {
  Credentials credentials;
  std::string region;                          // "us-east-1"
  std::string service;                         // signing name: "kinesis", "firehose", "s3", ...
  std::chrono::system_clock::time_point time;  // seconds are used, as botocore
  // Precomputed hex SHA-256 of the body (saves hashing it twice); not
  // verified. Ignored when unsigned_payload is set.
  std::optional<std::string> payload_hash;
  // Sign "UNSIGNED-PAYLOAD" instead of the body hash (botocore:
  // payload_signing_enabled=False; for S3 its s3.payload_signing_enabled).
  bool unsigned_payload = false;
};

// What a signature was made of, for logs and tests.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header value
  std::string amz_date;       // "20150830T123600Z"
};

// Signs `request` (adding the headers above) over `body`.
SigningResult SignRequest(SignableRequest& request, std::string_view body, const SigningParams& params);

// Percent-encodes with AWS's rule: keeps A-Z a-z 0-9 - _ . ~ and every byte
// of `also_keep`; encodes everything else, as %XX upper-case.
std::string UriEncode(std::string_view in, std::string_view also_keep = "");
// A raw path ("/my key/x") in wire form ("/my%20key/x"): UriEncode keeping '/'.
inline std::string UriEncodePath(std::string_view raw) { return UriEncode(raw, "/"); }
// The wire query string: "k=v&k2=v2" in the given order, encoded as above.
std::string EncodeQueryString(const QueryList& query);
// The Host header value botocore derives for scheme/host/port.
std::string HostHeaderValue(std::string_view scheme, std::string_view host, uint16_t port);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// "20150830T123600Z" for `time` (UTC).
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

}  // namespace sluice::client
