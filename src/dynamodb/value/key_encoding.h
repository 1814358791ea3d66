// Order-preserving bytes of key attribute values (S, N, B): memcmp order of
// two encodings of the same type equals DynamoDB's sort order (S: UTF-8
// bytes, B: unsigned bytes, N: numeric). And a stable 32-bit hash of a
// partition key value (parallel Scan segments).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dynamodb/value/attribute_value.h"
#include "sluice/status.h"

namespace sluice::dynamodb {

// S and B encode as their bytes (not self-delimiting); N as a sign byte, an
// exponent byte and digit bytes ending in a terminator (self-delimiting).
// InvalidArgument for any other type.
Result<std::string> EncodeKeyValue(const AttributeValue& value);
// The inverse for `type` (kS, kN or kB); Corruption when `bytes` is no such
// encoding.
Result<AttributeValue> DecodeKeyValue(AttributeType type, std::string_view bytes);

// FNV-1a over the type and the encoding; the same in every process and
// version (segments of a parallel Scan: hash % TotalSegments).
uint32_t PartitionHash(const AttributeValue& value);

}  // namespace sluice::dynamodb
