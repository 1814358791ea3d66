// Verifier: checks the SigV4 signature of a received request against the
// configured key pairs, in either form (Authorization header or presigned
// query string), including the payload hash and, for S3 streaming uploads,
// every aws-chunked chunk signature. S3 also accepts the legacy SigV2
// presigned URL (auth/sigv2_query.h). Thread-safe; derived signing keys are
// cached per access key / date / region / service.
//
// What is checked, in order (docs/auth.md): exactly one form present; its
// parts complete; the credential scope well formed, its date equal to the
// request date and its service the one addressed (the region is free: it
// selects the resources); the access key known; the request time within 15
// minutes of the clock (presigned: not before X-Amz-Date - 15 min, not after
// X-Amz-Date + X-Amz-Expires); `host` signed; the payload hash (a hex
// x-amz-content-sha256 must equal the body's); the signature; the chunks.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "auth/credentials.h"
#include "base/clock.h"

namespace sluice::auth {

// A received request, as the HTTP layer hands it over.
struct RequestView {
  std::string_view method;
  std::string_view target;  // path and query, as sent
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;
};

// Why a request was rejected; auth/wire_errors.h turns it into the JSON or
// S3 error AWS sends.
struct Failure {
  enum class Kind {
    kMissing,               // no Authorization header, no X-Amz-Algorithm
    kConflicting,           // both forms
    kMalformed,             // incomplete or unparsable parts (`message`)
    kUnsupportedAlgorithm,  // not AWS4-HMAC-SHA256
    kScopeMismatch,         // scope date != request date, or another service (`message`)
    kUnknownKey,            // access key not configured
    kSkewed,                // header form: more than 15 min from the clock
    kPresignExpired,        // presigned: past X-Amz-Date + X-Amz-Expires
    kPresignNotYetValid,    // presigned: X-Amz-Date more than 15 min ahead
    kMissingContentSha,     // S3 header form without x-amz-content-sha256
    kBadContentSha,         // x-amz-content-sha256 neither a hash nor a known keyword
    kPayloadHashMismatch,   // hex x-amz-content-sha256 != SHA-256 of the body
    kSignatureMismatch,     // request or chunk signature wrong
    kMalformedBody,         // broken aws-chunked framing (`message`)
    kIncompleteBody,        // decoded length != x-amz-decoded-content-length
  };
  Kind kind = Kind::kMissing;
  std::string message;
  bool presigned = false;  // which form the request used
  std::string access_key;
  // kSignatureMismatch: what the signature should have been made of.
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature_provided;
  // Times: the request's (as sent) and the server's, in seconds.
  std::string request_time;
  int64_t request_seconds = 0;
  int64_t server_seconds = 0;
  int64_t expires_seconds = 0;
  // kPayloadHashMismatch / kBadContentSha
  std::string client_sha256;
  std::string computed_sha256;
};

struct Verified {
  std::string access_key;
  std::string region;
  // Set for aws-chunked (STREAMING-*) bodies: the payload with the framing
  // removed, every chunk signature checked.
  std::optional<std::string> decoded_body;
};

struct VerifierOptions {
  const Clock* clock = &Clock::Real();
  int64_t max_skew_seconds = 15 * 60;
};

class Verifier {
 public:
  explicit Verifier(CredentialStore credentials, VerifierOptions options = {});

  // `service` is the signing name the request must be scoped to: "kinesis",
  // "firehose" or "s3" (S3 rules: the path is not re-encoded, the header
  // form needs x-amz-content-sha256, presigned URLs need X-Amz-Expires and
  // sign UNSIGNED-PAYLOAD, streaming bodies are allowed).
  std::variant<Verified, Failure> Verify(const RequestView& request, std::string_view service) const;

  size_t key_count() const { return credentials_.size(); }

 private:
  std::string DerivedKey(const std::string& access_key, const std::string& secret, std::string_view date,
                         std::string_view region, std::string_view service) const;

  CredentialStore credentials_;
  VerifierOptions options_;
  mutable std::shared_mutex cache_mu_;
  mutable std::unordered_map<std::string, std::string> key_cache_;  // "<akid>/<scope>" -> signing key
};

}  // namespace sluice::auth
