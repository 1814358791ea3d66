// Request validation against a model shape, with the error classes and the
// message wording of AWS's JSON services:
//  - a member of the wrong JSON type, or a body that is not an object, is a
//    SerializationException;
//  - a missing required member or a violated min/max/pattern/enum is a
//    ValidationException listing every violation:
//      "2 validation errors detected: Value null at 'streamName' failed to
//       satisfy constraint: Member must not be null; Value '0' at ..."
// Unknown members are ignored, as AWS does. JSON null counts as absent.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "protocol/api_error.h"
#include "protocol/service_model.h"

namespace sluice::protocol {

// Ok when `input` conforms to `shape` (a structure); else a
// SerializationException (a member of the wrong JSON type, invalid UTF-8) or
// a ValidationException listing every constraint violated, in AWS's words.
ApiStatus ValidateRequest(const Shape& shape, const rapidjson::Value& input);

// Decoded byte length of a base64 text (no validity check).
size_t Base64DecodedLength(std::string_view text);

}  // namespace sluice::protocol
