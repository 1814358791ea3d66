// The SigV4 building blocks shared by the client's signer (src/client/sigv4.cc)
// and the server's verifier (auth/verifier.h): hashing, AWS's URI encoding,
// the canonical path / query / header value rules, the string to sign and
// the signing key. Pure functions; the rules are botocore's (auth.py).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::auth {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Hex SHA-256 of the empty string.
inline constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// ---- bytes
std::string HexEncode(std::string_view bytes);                       // lower-case
std::string Sha256(std::string_view data);                           // raw 32 bytes
std::string Sha256Hex(std::string_view data);                        // lower-case hex
std::string HmacSha256(std::string_view key, std::string_view msg);  // raw 32 bytes
// Constant-time equality (CRYPTO_memcmp); false when the sizes differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// ---- canonical request parts
// Keeps A-Z a-z 0-9 - _ . ~ and every byte of `also_keep`; everything else
// as %XX upper-case.
std::string UriEncode(std::string_view in, std::string_view also_keep = "");
// botocore.utils.remove_dot_segments (also drops empty segments).
std::string RemoveDotSegments(std::string_view path);
// The canonical URI for the wire (percent-encoded) path: S3 uses it as is;
// every other service removes dot segments and encodes it once more.
std::string CanonicalPath(std::string_view wire_path, bool s3);
// Raw (decoded) pairs, encoded with UriEncode and sorted by key, then value.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& raw_pairs);
// A header value trimmed, with inner runs of whitespace folded to one space.
std::string CanonicalHeaderValue(std::string_view value);
std::string ToLower(std::string_view s);

// ---- signature
// "20150830/us-east-1/iam/aws4_request"
std::string CredentialScope(std::string_view date, std::string_view region, std::string_view service);
// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>"
std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);
// HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request" (raw).
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
// Hex HMAC of `string_to_sign` under a derived signing key.
std::string SignatureHex(std::string_view signing_key, std::string_view string_to_sign);

// ---- aws-chunked payload signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
// "AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<previous>\n<sha256('')>\n<sha256(chunk)>"
std::string ChunkStringToSign(std::string_view amz_date, std::string_view scope, std::string_view previous_signature,
                              std::string_view chunk);

}  // namespace sluice::auth
