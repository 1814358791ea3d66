#include "auth/wire_errors.h"

#include "auth/sigv4_request.h"

namespace sluice::auth {
namespace {

using Kind = Failure::Kind;

constexpr const char* kJsonSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";
constexpr const char* kContentShaMismatch =
    "The provided 'x-amz-content-sha256' header does not match what was computed.";

constexpr const char* kHeadersNotSigned = "There were headers present in the request which were not signed";

std::string Minutes(int64_t seconds) { return std::to_string(seconds / 60) + " min."; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out.append(out.empty() ? "" : ", ").append(n);
  return out;
}

}  // namespace

WireError JsonWireError(const Failure& f) {
  constexpr int64_t kSkew = 15 * 60;
  switch (f.kind) {
    case Kind::kMissing: return {"MissingAuthenticationTokenException", "Missing Authentication Token"};
    case Kind::kConflicting:
    case Kind::kScopeMismatch: return {"InvalidSignatureException", f.message};
    case Kind::kMalformed:
    case Kind::kUnsupportedAlgorithm: return {"IncompleteSignatureException", f.message};
    case Kind::kUnknownKey:
      return {"UnrecognizedClientException", "The security token included in the request is invalid."};
    case Kind::kSkewed:
      if (f.request_seconds > f.server_seconds)
        return {"InvalidSignatureException", "Signature not yet current: " + f.request_time + " is still later than " +
                                                 FormatAmzDate(f.server_seconds + kSkew) + " (" +
                                                 FormatAmzDate(f.server_seconds) + " + " + Minutes(kSkew) + ")"};
      return {"InvalidSignatureException", "Signature expired: " + f.request_time + " is now earlier than " +
                                               FormatAmzDate(f.server_seconds - kSkew) + " (" +
                                               FormatAmzDate(f.server_seconds) + " - " + Minutes(kSkew) + ")"};
    case Kind::kPresignExpired:
      return {"InvalidSignatureException", "Signature expired: " + f.request_time + " is now earlier than " +
                                               FormatAmzDate(f.server_seconds - f.expires_seconds) + " (" +
                                               FormatAmzDate(f.server_seconds) + " - " +
                                               std::to_string(f.expires_seconds) + " sec.)"};
    case Kind::kPresignNotYetValid:
      return {"InvalidSignatureException", "Signature not yet current: " + f.request_time + " is still later than " +
                                               FormatAmzDate(f.server_seconds + kSkew) + " (" +
                                               FormatAmzDate(f.server_seconds) + " + " + Minutes(kSkew) + ")"};
    case Kind::kHeadersNotSigned:
      return {"InvalidSignatureException", std::string(kHeadersNotSigned) + ": " + JoinNames(f.unsigned_headers)};
    case Kind::kPayloadNotSigned:
      return {"InvalidSignatureException",
              "The payload must be signed: x-amz-content-sha256 must be the SHA-256 of the body, not '" +
                  f.client_sha256 + "'."};
    case Kind::kMissingContentSha:
    case Kind::kBadContentSha:
      return {"IncompleteSignatureException", "Invalid x-amz-content-sha256: '" + f.client_sha256 + "'."};
    case Kind::kPayloadHashMismatch: return {"InvalidSignatureException", kContentShaMismatch};
    case Kind::kSignatureMismatch: {
      std::string m = kJsonSignatureMismatch;
      if (!f.canonical_request.empty())
        m += "\n\nThe Canonical String for this request should have been\n'" + f.canonical_request +
             "'\n\nThe String-to-Sign should have been\n'" + f.string_to_sign + "'\n";
      return {"InvalidSignatureException", m};
    }
    case Kind::kMalformedBody:
    case Kind::kIncompleteBody:
      return {"SerializationException", f.message.empty() ? "The request body terminated unexpectedly" : f.message};
  }
  return {"InternalFailure", "unknown authentication failure", 500};
}

WireError S3WireError(const Failure& f) {
  auto malformed = [&](const std::string& detail) -> WireError {
    if (f.presigned) return {"AuthorizationQueryParametersError", detail, 400};
    return {"AuthorizationHeaderMalformed", "The authorization header is malformed; " + detail, 400};
  };
  switch (f.kind) {
    case Kind::kMissing: return {"AccessDenied", "Access Denied", 403};
    case Kind::kConflicting:
      return {"InvalidArgument",
              "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
              "parameter or the Authorization header should be specified",
              400,
              {{"ArgumentName", "Authorization"}}};
    case Kind::kMalformed:
    case Kind::kScopeMismatch: return malformed(f.message);
    case Kind::kUnsupportedAlgorithm:
      if (f.presigned)
        return {"AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", 400};
      return {"InvalidRequest",
              "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.", 400};
    case Kind::kUnknownKey:
      return {"InvalidAccessKeyId",
              "The AWS Access Key Id you provided does not exist in our records.",
              403,
              {{"AWSAccessKeyId", f.access_key}}};
    case Kind::kSkewed:
      return {"RequestTimeTooSkewed",
              "The difference between the request time and the current time is too large.",
              403,
              {{"RequestTime", f.request_time},
               {"ServerTime", FormatIsoDate(f.server_seconds)},
               {"MaxAllowedSkewMilliseconds", "900000"}}};
    case Kind::kPresignExpired: {
      WireError e{"AccessDenied", "Request has expired", 403};
      if (f.expires_seconds > 0) e.fields.emplace_back("X-Amz-Expires", std::to_string(f.expires_seconds));
      e.fields.emplace_back("Expires", FormatIsoDate(f.request_seconds + f.expires_seconds));
      e.fields.emplace_back("ServerTime", FormatIsoDate(f.server_seconds));
      return e;
    }
    case Kind::kPresignNotYetValid:
      return {"AccessDenied",
              "Request is not valid yet",
              403,
              {{"RequestTime", f.request_time}, {"ServerTime", FormatIsoDate(f.server_seconds)}}};
    case Kind::kHeadersNotSigned:
      return {"AccessDenied", kHeadersNotSigned, 403, {{"HeadersNotSigned", JoinNames(f.unsigned_headers)}}};
    case Kind::kPayloadNotSigned:  // S3 allows UNSIGNED-PAYLOAD; only reached with other rules
      return {"AccessDenied", "The payload must be signed.", 403};
    case Kind::kMissingContentSha:
      return {"InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400};
    case Kind::kBadContentSha:
      return {"InvalidArgument",
              "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
              "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
              400,
              {{"ArgumentName", "x-amz-content-sha256"}, {"ArgumentValue", f.client_sha256}}};
    case Kind::kPayloadHashMismatch:
      return {"XAmzContentSHA256Mismatch",
              kContentShaMismatch,
              400,
              {{"ClientComputedContentSHA256", f.client_sha256}, {"S3ComputedContentSHA256", f.computed_sha256}}};
    case Kind::kSignatureMismatch: {
      WireError e{"SignatureDoesNotMatch",
                  "The request signature we calculated does not match the signature you provided. Check your key "
                  "and signing method.",
                  403,
                  {{"AWSAccessKeyId", f.access_key},
                   {"StringToSign", f.string_to_sign},
                   {"SignatureProvided", f.signature_provided}}};
      if (!f.canonical_request.empty()) e.fields.emplace_back("CanonicalRequest", f.canonical_request);
      return e;
    }
    case Kind::kMalformedBody: return {"InvalidRequest", f.message, 400};
    case Kind::kIncompleteBody: return {"IncompleteBody", "The request body terminated unexpectedly", 400};
  }
  return {"InternalError", "We encountered an internal error. Please try again.", 500};
}

}  // namespace sluice::auth
