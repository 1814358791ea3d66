// The S3 REST wire format's small pieces, free of any store: request
// targets and addressing, Range headers, aws-chunked bodies, URL encoding,
// dates, and a minimal XML reader/writer for the few request documents S3
// clients send (CreateBucketConfiguration, Delete, CompleteMultipartUpload).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace sluice::s3api {

// ---- URLs (decoding: codec/url.h, shared with the verifier)
// S3's encoding-type=url: every byte but A-Z a-z 0-9 - _ . ~ and '/' as %XX.
std::string UrlEncode(std::string_view s);

struct Target {
  std::string path;                                        // decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  bool Has(std::string_view key) const;
  // The first value of `key`, or nullopt.
  std::optional<std::string> Get(std::string_view key) const;
};
// Decoded with codec::UrlDecode / ParseQuery, exactly as the verifier
// decodes the target it checked ('+' in the query is a space, in the path a
// '+'). InvalidArgument (InvalidURI) on bad escapes.
Result<Target> ParseTarget(std::string_view target);

// Virtual-host addressing: the bucket named by the Host header, when the
// host is `<bucket>.<base>` for one of `bases` (or "s3.<base>"); nullopt for
// path-style (IP literals, a bare base, unknown hosts). The port is ignored.
std::optional<std::string> VirtualHostBucket(std::string_view host_header, const std::vector<std::string>& bases);

// ---- Range
struct RangeSpec {
  enum Kind { kNone, kSatisfiable, kUnsatisfiable } kind = kNone;
  uint64_t first = 0, last = 0;  // inclusive, when satisfiable
};
// RFC 7233 single byte range against an object of `size` bytes: "bytes=a-b",
// "bytes=a-", "bytes=-n". Syntactically invalid or multi-range headers are
// ignored (kNone, as S3 does: the whole object is returned).
RangeSpec ParseRange(std::string_view header, uint64_t size);

// ---- aws-chunked (auth/aws_chunked.h; chunk signatures are not checked here)
// Returns the decoded payload; InvalidArgument on broken framing.
Result<std::string> DecodeAwsChunked(std::string_view body);

// ---- dates
std::string Rfc1123(int64_t ms);  // "Wed, 21 Oct 2015 07:28:00 GMT"
std::string Iso8601(int64_t ms);  // "2015-10-21T07:28:00.000Z"

// ---- XML
std::string XmlEscape(std::string_view s);

struct XmlNode {
  std::string name;  // local name (namespace prefix removed)
  std::string text;  // concatenated character data of this element (not trimmed)
  std::vector<XmlNode> children;
  const XmlNode* Child(std::string_view name) const;
  std::vector<const XmlNode*> All(std::string_view name) const;
};
// A small non-validating parser: elements, attributes (skipped), character
// data, the five predefined entities and character references, CDATA,
// comments and processing instructions. DOCTYPE/entity declarations are
// rejected; depth and node count are bounded. InvalidArgument when malformed.
Result<XmlNode> ParseXml(std::string_view doc);

}  // namespace sluice::s3api
