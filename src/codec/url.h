// Percent-decoding of request targets: the one decoding the SigV4 verifier
// (auth/sigv4_request.h) and every handler (the S3 API, the router) share,
// so that the request that was signed is the request that is served. Two
// readings of one target would let a signature made for one meaning be
// replayed with another (docs/auth.md, "One decoding").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::codec {

// Where a piece of a target comes from: in a query component '+' is a space
// (form encoding, as AWS reads query strings; SDKs send spaces as %20 and
// '+' as %2B), in a path it is a plain '+'.
enum class UrlPart { kPath, kQuery };

// Decodes %XX escapes (either case) and, in a query, '+'. A '%' not
// followed by two hex digits is kept as is and, when `malformed` is given,
// reported by setting it to true (it is never reset to false).
std::string UrlDecode(std::string_view s, UrlPart part, bool* malformed = nullptr);

using QueryPairs = std::vector<std::pair<std::string, std::string>>;
// A query string (without the '?') as decoded (key, value) pairs in wire
// order; empty items are skipped and "a" alone gives ("a", "").
QueryPairs ParseQuery(std::string_view query, bool* malformed = nullptr);

}  // namespace sluice::codec
