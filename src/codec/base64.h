// Standard base64 (RFC 4648, '+' '/' alphabet, '=' padding), as AWS JSON
// protocols use for blob members.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::codec {

// Appends the encoding of `bytes` to `out`.
void Base64Encode(std::string_view bytes, std::string* out);
std::string Base64Encode(std::string_view bytes);

// Length of the encoding of `n` bytes.
inline size_t Base64EncodedSize(size_t n) { return (n + 2) / 3 * 4; }

// Decodes `text`; InvalidArgument when it is not valid padded base64.
// Unpadded input whose length is not a multiple of 4 is accepted when
// unambiguous (some SDKs strip padding).
Result<std::string> Base64Decode(std::string_view text);
// Appends the decoding of `text` to `dst`; false (and `dst` unchanged) when
// `text` is not valid base64.
// On x86-64 CPUs with AVX2 the bulk of the text is decoded 32 characters at
// a time; the result is the same as the scalar decoder's for every input.
bool Base64DecodeAppend(std::string_view text, std::string* dst);

namespace detail {
// The portable decoder alone (what Base64DecodeAppend does without AVX2);
// for the tests and timings that compare the two.
bool Base64DecodeAppendScalar(std::string_view text, std::string* dst);
}  // namespace detail

}  // namespace sluice::codec
