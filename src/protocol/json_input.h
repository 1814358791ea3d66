// Reading members of a validated AWS JSON request (the validator already
// checked types against the model, so a wrong type reads as absent).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::protocol {

std::optional<std::string> GetString(const rapidjson::Value& in, const char* name);
std::optional<int64_t> GetInt(const rapidjson::Value& in, const char* name);
std::optional<bool> GetBool(const rapidjson::Value& in, const char* name);
// Timestamps arrive as epoch seconds (possibly fractional); returns ms.
std::optional<int64_t> GetTimestampMs(const rapidjson::Value& in, const char* name);

}  // namespace sluice::protocol
