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
// X-Amz-Date + X-Amz-Expires); `host` and the service's required headers
// signed; every x-amz-* header present signed (x-amz-content-sha256 aside:
// its value is the canonical request's payload line, so it is bound anyway);
// the payload hash (a hex x-amz-content-sha256 must equal the body's;
// UNSIGNED-PAYLOAD only where the service allows it); the signature; the
// chunks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "auth/credentials.h"
#include "base/clock.h"
#include "base/mutex.h"

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
    kHeadersNotSigned,      // x-amz-* headers present but not in SignedHeaders (`unsigned_headers`)
    kPayloadNotSigned,      // UNSIGNED-PAYLOAD (or no hash) where the service needs a signed payload
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
  // kHeadersNotSigned: the offending header names, lower-case, in request order.
  std::vector<std::string> unsigned_headers;
};

// What a service demands of a signature beyond SigV4 itself: a property of
// the service (its wire protocol), not of the request.
struct SigningRules {
  // The signing name the credential scope must name ("kinesis", "s3").
  std::string service;
  // S3 rules: the path is not re-encoded, the header form needs
  // x-amz-content-sha256, presigned URLs need X-Amz-Expires and sign
  // UNSIGNED-PAYLOAD, streaming (aws-chunked) bodies are allowed.
  bool s3 = false;
  // Refuses x-amz-content-sha256: UNSIGNED-PAYLOAD: the body must be part of
  // the signature.
  bool require_signed_payload = false;
  // Lower-case header names that must be among the signed headers besides
  // `host` (which always must).
  std::vector<std::string> must_sign;

  // S3 (REST-XML): SigV4 as S3 takes it.
  static SigningRules S3();
  // Every AWS JSON-protocol service (Kinesis, Firehose, and any other behind
  // server::Router): a signed payload and a signed x-amz-target.
  static SigningRules AwsJson(std::string_view signing_name);
  // S3() for "s3", else plain SigV4 with no extra demands (tests, tools).
  static SigningRules ForName(std::string_view signing_name);
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

  // Checks `request` against `rules` (the service it addresses).
  std::variant<Verified, Failure> Verify(const RequestView& request, const SigningRules& rules) const;
  // Verify(request, SigningRules::ForName(service)).
  std::variant<Verified, Failure> Verify(const RequestView& request, std::string_view service) const {
    return Verify(request, SigningRules::ForName(service));
  }

  size_t key_count() const { return credentials_.size(); }

 private:
  std::string DerivedKey(const std::string& access_key, const std::string& secret, std::string_view date,
                         std::string_view region, std::string_view service) const;

  CredentialStore credentials_;
  VerifierOptions options_;
  mutable SharedMutex cache_mu_;
  mutable std::unordered_map<std::string, std::string> key_cache_
      GUARDED_BY(cache_mu_);  // "<akid>/<scope>" -> signing key
};

}  // namespace sluice::auth
