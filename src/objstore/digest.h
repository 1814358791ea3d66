// The digests of the object store: MD5 for ETags (single-part and
// multipart, as S3 computes them) and SHA-256 for object file names
// (objstore/object_files.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::objstore {

// Hex MD5 (lower-case) and the raw 16 bytes.
std::string Md5Hex(std::string_view data);
std::string Md5Raw(std::string_view data);
// Hex SHA-256 (lower-case).
std::string Sha256Hex(std::string_view data);

// The ETag of a single-part object: its hex MD5, quoted.
std::string QuotedMd5(std::string_view data);
// An ETag without its quotes (as it is, when unquoted).
std::string Unquote(std::string_view etag);
// The ETag of a multipart object: MD5 of the concatenated binary part MD5s,
// hex, "-<parts>", quoted. `part_etags` are the parts' hex ETags, quoted or
// not; InvalidArgument when one is not an MD5.
Result<std::string> MultipartEtag(const std::vector<std::string>& part_etags);

}  // namespace sluice::objstore
