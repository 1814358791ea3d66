// Item size as AWS counts it (developer guide, "Item sizes and formats"):
// the UTF-8 length of every attribute name plus its value's size. The 400 KB
// (409600 bytes) limit is checked by the caller.
#pragma once

#include <cstddef>

#include "dynamodb/value/attribute_value.h"

namespace sluice::dynamodb {

inline constexpr size_t kMaxItemSize = 400 * 1024;

// S, B: length in bytes; N: 1 byte per 2 significant digits (rounded up) + 1;
// BOOL, NULL: 1; sets: the sum of their members; L, M: 3 bytes + 1 per
// element + the elements (map keys count their length).
size_t AttributeValueSize(const AttributeValue& value);
size_t ItemSize(const Item& item);

}  // namespace sluice::dynamodb
