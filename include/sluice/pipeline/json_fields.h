// Field extraction from one JSON document by dotted path ("user.id"), shared by
// the NDJSON reader (partition key) and the consumer (dedup id, produced_at_ms).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::pipeline {

struct JsonField {
  enum class Kind { kMissing, kNull, kString, kNumber, kBool, kObject, kArray };
  Kind kind = Kind::kMissing;
  // kString: the decoded string; kNumber: canonical text, integers that fit
  // 64 bits in decimal ("42"), other numbers in shortest round-trip form
  // ("1.5", "42" for 42.0, "1e+21"); kBool: "true" / "false"; otherwise empty.
  std::string text;

  bool is_scalar() const { return kind == Kind::kString || kind == Kind::kNumber || kind == Kind::kBool; }
};

// Parses `json` (strict: one value, valid UTF-8, no trailing bytes; nesting
// is parsed iteratively, so depth cannot overflow the stack) and resolves each
// path. A path is looked up first as one literal member name of the root
// object, then split on '.' and walked through nested objects; the empty path
// is missing. InvalidArgument "offset N: <reason>" when `json` is malformed.
Result<std::vector<JsonField>> ExtractJsonFields(std::string_view json, const std::vector<std::string>& paths);

// The field as an integer: a kNumber holding an integer (or a float with no
// fraction, e.g. 1.7e12) or a kString of decimal digits. nullopt otherwise.
std::optional<int64_t> JsonFieldAsInt64(const JsonField& field);

}  // namespace sluice::pipeline
