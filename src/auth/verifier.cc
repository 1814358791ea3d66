#include "auth/verifier.h"

#include <algorithm>

#include "auth/aws_chunked.h"
#include "auth/sigv2_query.h"
#include "auth/sigv4_core.h"
#include "auth/sigv4_request.h"
#include "codec/url.h"

namespace sluice::auth {
namespace {

using Kind = Failure::Kind;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kStreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kStreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
constexpr size_t kKeyCacheLimit = 4096;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const std::string* FirstHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (IEquals(k, name)) return &v;
  return nullptr;
}

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Failure Fail(Kind kind, std::string message = "") {
  Failure f;
  f.kind = kind;
  f.message = std::move(message);
  return f;
}

// The S3 canonical URI: the decoded path encoded once with AWS's rule, so
// that clients differing in which safe characters they escape agree.
std::string S3CanonicalPath(std::string_view wire_path) {
  return UriEncode(codec::UrlDecode(wire_path, codec::UrlPart::kPath), "/");
}

// Whether `name` (any case) is an x-amz-* header.
bool IsAmzHeader(std::string_view name) {
  constexpr std::string_view kPrefix = "x-amz-";
  return name.size() > kPrefix.size() && IEquals(name.substr(0, kPrefix.size()), kPrefix);
}

}  // namespace

SigningRules SigningRules::S3() {
  SigningRules rules;
  rules.service = "s3";
  rules.s3 = true;
  return rules;
}

SigningRules SigningRules::AwsJson(std::string_view signing_name) {
  SigningRules rules;
  rules.service = std::string(signing_name);
  rules.require_signed_payload = true;
  rules.must_sign = {"x-amz-target"};
  return rules;
}

SigningRules SigningRules::ForName(std::string_view signing_name) {
  if (signing_name == "s3") return S3();
  SigningRules rules;
  rules.service = std::string(signing_name);
  return rules;
}

Verifier::Verifier(CredentialStore credentials, VerifierOptions options)
    : credentials_(std::move(credentials)), options_(options) {}

std::string Verifier::DerivedKey(const std::string& access_key, const std::string& secret, std::string_view date,
                                 std::string_view region, std::string_view service) const {
  std::string cache_key = access_key + "/" + CredentialScope(date, region, service);
  {
    ReaderLock lock(cache_mu_);
    if (auto it = key_cache_.find(cache_key); it != key_cache_.end()) return it->second;
  }
  std::string key = SigningKey(secret, date, region, service);
  WriterLock lock(cache_mu_);
  if (key_cache_.size() >= kKeyCacheLimit) key_cache_.clear();
  key_cache_.emplace(std::move(cache_key), key);
  return key;
}

std::variant<Verified, Failure> Verifier::Verify(const RequestView& request, const SigningRules& rules) const {
  static const Headers kNoHeaders;
  const Headers& headers = request.headers ? *request.headers : kNoHeaders;
  const bool s3 = rules.s3;
  const std::string_view service = rules.service;
  RequestTarget target = ParseRequestTarget(request.target);
  const std::string* authorization = FirstHeader(headers, "Authorization");
  if (authorization && authorization->find_first_not_of(" \t") == std::string::npos) authorization = nullptr;
  bool presigned = false;
  for (const auto& [k, v] : target.query)
    if (k == "X-Amz-Algorithm") presigned = true;

  // ---- the claim
  if (authorization && presigned)
    return Fail(Kind::kConflicting,
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  if (!authorization && !presigned) {
    if (s3 && HasSigV2Query(target.query))
      return VerifySigV2Query(request, target, credentials_, options_.clock->NowMillis() / 1000);
    return Fail(Kind::kMissing, "Missing Authentication Token");
  }
  auto with_form = [presigned](Failure f) {
    f.presigned = presigned;
    return f;
  };
  auto parsed = presigned ? ParsePresignedQuery(target.query, s3) : ParseAuthorizationHeader(*authorization);
  if (auto* error = std::get_if<std::string>(&parsed)) return with_form(Fail(Kind::kMalformed, *error));
  SignatureClaim claim = std::move(std::get<SignatureClaim>(parsed));
  if (claim.algorithm != kAlgorithm)
    return with_form(Fail(Kind::kUnsupportedAlgorithm, "Unsupported AWS 'algorithm': '" + claim.algorithm + "'"));

  // ---- the request time
  std::string amz_date;
  int64_t request_seconds = 0;
  if (presigned) {
    amz_date = claim.date;
  } else if (const std::string* h = FirstHeader(headers, "X-Amz-Date")) {
    amz_date = *h;
  } else if (const std::string* d = FirstHeader(headers, "Date")) {
    auto t = ParseHttpDate(*d);
    if (!t) return with_form(Fail(Kind::kMalformed, "Date must be in RFC 1123 format. Got '" + *d + "'."));
    amz_date = FormatAmzDate(*t);
  } else {
    return with_form(Fail(Kind::kMalformed,
                          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                          "Authorization=" +
                              *authorization));
  }
  if (auto t = ParseAmzDate(amz_date)) {
    request_seconds = *t;
  } else {
    return with_form(Fail(Kind::kMalformed, "Date must be in ISO-8601 'basic format'. Got '" + amz_date +
                                                "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }

  // ---- the credential scope and the key
  auto credential = ParseCredential(claim.credential);
  if (!credential)
    return with_form(Fail(Kind::kMalformed,
                          "Credential must have the form "
                          "<access key>/<YYYYMMDD>/<region>/<service>/aws4_request, got '" +
                              claim.credential + "'."));
  if (credential->date != std::string_view(amz_date).substr(0, 8))
    return with_form(Fail(Kind::kScopeMismatch,
                          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                          "HTTP: '" +
                              credential->date + "' != '" + amz_date.substr(0, 8) + "', from '" + amz_date + "'."));
  if (credential->service != service)
    return with_form(
        Fail(Kind::kScopeMismatch, "Credential should be scoped to correct service: '" + std::string(service) + "'."));
  const std::string* secret = credentials_.SecretFor(credential->access_key);
  if (!secret) {
    Failure f = with_form(Fail(Kind::kUnknownKey));
    f.access_key = credential->access_key;
    return f;
  }

  // ---- the time window
  const int64_t now = options_.clock->NowMillis() / 1000;
  auto timed = [&](Kind kind) {
    Failure f = with_form(Fail(kind));
    f.access_key = credential->access_key;
    f.request_time = amz_date;
    f.request_seconds = request_seconds;
    f.server_seconds = now;
    f.expires_seconds = claim.expires_seconds.value_or(0);
    return f;
  };
  if (presigned) {
    if (request_seconds > now + options_.max_skew_seconds) return timed(Kind::kPresignNotYetValid);
    if (claim.expires_seconds) {
      if (now > request_seconds + *claim.expires_seconds) return timed(Kind::kPresignExpired);
    } else if (request_seconds < now - options_.max_skew_seconds) {
      return timed(Kind::kSkewed);
    }
  } else if (request_seconds < now - options_.max_skew_seconds || request_seconds > now + options_.max_skew_seconds) {
    return timed(Kind::kSkewed);
  }

  // ---- signed headers
  std::vector<std::string_view> signed_names;
  {
    std::string_view list = claim.signed_headers;
    while (true) {
      size_t semi = list.find(';');
      signed_names.push_back(list.substr(0, semi));
      if (semi == std::string_view::npos) break;
      list.remove_prefix(semi + 1);
    }
  }
  bool host_signed = false;
  for (std::string_view n : signed_names) host_signed = host_signed || n == "host" || n == ":authority";
  if (!host_signed)
    return with_form(
        Fail(Kind::kMalformed, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
  auto is_signed = [&](std::string_view name) {
    for (std::string_view n : signed_names)
      if (IEquals(n, name)) return true;
    return false;
  };
  for (const std::string& name : rules.must_sign)
    if (!is_signed(name))
      return with_form(Fail(Kind::kMalformed, "'" + name + "' must be a 'SignedHeader' in the AWS Authorization."));
  // An unsigned x-amz-* header would change what the request does without
  // changing its signature (x-amz-copy-source turns a PUT into a copy). The
  // content hash is exempt: its value is the payload line signed below.
  std::vector<std::string> not_signed;
  for (const auto& [k, v] : headers) {
    if (!IsAmzHeader(k) || IEquals(k, "x-amz-content-sha256") || is_signed(k)) continue;
    std::string lower = ToLower(k);
    if (std::find(not_signed.begin(), not_signed.end(), lower) == not_signed.end())
      not_signed.push_back(std::move(lower));
  }
  if (!not_signed.empty()) {
    Failure f = with_form(Fail(Kind::kHeadersNotSigned));
    f.access_key = credential->access_key;
    f.unsigned_headers = std::move(not_signed);
    return f;
  }

  // ---- the payload hash
  std::string payload_hash;
  const std::string* content_sha = FirstHeader(headers, "X-Amz-Content-SHA256");
  bool streaming_signed = false, streaming_unsigned = false;
  if (content_sha) {
    const std::string& v = *content_sha;
    if (v == kUnsignedPayload) {
      if (rules.require_signed_payload) {
        Failure f = with_form(Fail(Kind::kPayloadNotSigned));
        f.client_sha256 = v;
        return f;
      }
      payload_hash = v;
    } else if (s3 && !presigned && (v == kStreamingSigned || v == kStreamingSignedTrailer)) {
      payload_hash = v;
      streaming_signed = true;
    } else if (s3 && v == kStreamingUnsignedTrailer) {
      payload_hash = v;
      streaming_unsigned = true;
    } else if (IsLowerHex64(v)) {
      std::string computed = Sha256Hex(request.body);
      if (computed != v) {
        Failure f = with_form(Fail(Kind::kPayloadHashMismatch));
        f.client_sha256 = v;
        f.computed_sha256 = std::move(computed);
        return f;
      }
      payload_hash = v;
    } else {
      Failure f = with_form(Fail(Kind::kBadContentSha));
      f.client_sha256 = v;
      return f;
    }
  } else if (s3 && !presigned) {
    return with_form(Fail(Kind::kMissingContentSha));
  } else {
    payload_hash = s3 ? std::string(kUnsignedPayload) : Sha256Hex(request.body);
  }

  // ---- the canonical request and the signature
  std::string canonical;
  canonical.reserve(512);
  for (char c : request.method) canonical += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  canonical += '\n';
  canonical += s3 ? S3CanonicalPath(target.path) : CanonicalPath(target.path, false);
  canonical += '\n';
  if (presigned) std::erase_if(target.query, [](const auto& kv) { return kv.first == "X-Amz-Signature"; });
  canonical += CanonicalQuery(target.query);
  canonical += '\n';
  for (std::string_view name : signed_names) {
    canonical.append(name).append(":");
    bool first = true;
    for (const auto& [k, v] : headers) {
      if (!IEquals(k, name)) continue;
      if (!first) canonical += ',';
      canonical += CanonicalHeaderValue(v);
      first = false;
    }
    canonical += '\n';
  }
  canonical += '\n';
  canonical += claim.signed_headers;
  canonical += '\n';
  canonical += payload_hash;

  const std::string string_to_sign = StringToSign(amz_date, credential->scope, canonical);
  const std::string key =
      DerivedKey(credential->access_key, *secret, credential->date, credential->region, credential->service);
  const std::string expected = SignatureHex(key, string_to_sign);
  if (!ConstantTimeEquals(expected, claim.signature)) {
    Failure f = with_form(Fail(Kind::kSignatureMismatch));
    f.access_key = credential->access_key;
    f.canonical_request = std::move(canonical);
    f.string_to_sign = string_to_sign;
    f.signature_provided = claim.signature;
    return f;
  }

  Verified verified{credential->access_key, credential->region, std::nullopt};
  if (!streaming_signed && !streaming_unsigned) return verified;

  // ---- aws-chunked: each chunk signs the previous signature and its data.
  std::string previous = expected;
  std::optional<Failure> chunk_failure;
  ChunkCallback check;
  if (streaming_signed) {
    check = [&](const AwsChunk& chunk) -> Status {
      std::string sts = ChunkStringToSign(amz_date, credential->scope, previous, chunk.data);
      std::string want = SignatureHex(key, sts);
      if (!ConstantTimeEquals(want, chunk.signature)) {
        Failure f = with_form(Fail(Kind::kSignatureMismatch));
        f.access_key = credential->access_key;
        f.string_to_sign = std::move(sts);
        f.signature_provided = std::string(chunk.signature);
        chunk_failure = std::move(f);
        return Status::InvalidArgument("chunk signature mismatch");
      }
      previous = std::move(want);
      return Status::Ok();
    };
  }
  auto decoded = DecodeAwsChunked(request.body, check);
  if (chunk_failure) return *chunk_failure;
  if (!decoded.ok()) return with_form(Fail(Kind::kMalformedBody, decoded.status().message()));
  if (const std::string* dl = FirstHeader(headers, "X-Amz-Decoded-Content-Length")) {
    if (*dl != std::to_string(decoded->size())) return with_form(Fail(Kind::kIncompleteBody));
  }
  verified.decoded_body = std::move(*decoded);
  return verified;
}

}  // namespace sluice::auth
