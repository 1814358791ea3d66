// The names S3 accepts for buckets and keys; the store refuses the others
// (kInvalidBucketName, kInvalidKey) before anything reaches the disk.
#pragma once

#include <string_view>

namespace sluice::objstore {

// AWS bucket naming rules (general purpose buckets): 3-63 characters of
// a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an
// IPv4 address, no reserved prefixes (xn--, sthree-) or suffixes (-s3alias,
// --ol-s3, --x-s3).
bool IsValidBucketName(std::string_view name);
// Keys: 1-1024 bytes of well-formed UTF-8 without NUL.
bool IsValidKey(std::string_view key);

}  // namespace sluice::objstore
