// S3's legacy query-string authentication (signature version 2), which
// boto3's generate_presigned_url still produces by default:
//   ?AWSAccessKeyId=AKID&Signature=<base64 HMAC-SHA1>&Expires=<epoch seconds>
// StringToSign = METHOD\nContent-MD5\nContent-Type\nExpires\n
//                [x-amz-* headers, lower-case, sorted, "k:v\n"]
//                path + the sorted S3 subresources ("?acl", "?versionId=1"...).
// Only path-style URLs are understood (the bucket must be in the path).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "auth/credentials.h"
#include "auth/sigv4_request.h"
#include "auth/verifier.h"

namespace sluice::auth {

// True when `query` carries SigV2 query authentication.
bool HasSigV2Query(const Pairs& query);

// Verifies the presigned request against `credentials` at `now_seconds`.
std::variant<Verified, Failure> VerifySigV2Query(const RequestView& request, const RequestTarget& target,
                                                 const CredentialStore& credentials, int64_t now_seconds);

// The HMAC-SHA1 base64 signature of `string_to_sign` (exposed for tests).
std::string SigV2Signature(std::string_view secret, std::string_view string_to_sign);

}  // namespace sluice::auth
