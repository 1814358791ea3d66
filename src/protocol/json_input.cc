#include "protocol/json_input.h"

#include <cmath>

namespace sluice::protocol {

std::optional<std::string> GetString(const rapidjson::Value& in, const char* name) {
  auto it = in.FindMember(name);
  if (it == in.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<int64_t> GetInt(const rapidjson::Value& in, const char* name) {
  auto it = in.FindMember(name);
  if (it == in.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

std::optional<bool> GetBool(const rapidjson::Value& in, const char* name) {
  auto it = in.FindMember(name);
  if (it == in.MemberEnd() || !it->value.IsBool()) return std::nullopt;
  return it->value.GetBool();
}

std::optional<int64_t> GetTimestampMs(const rapidjson::Value& in, const char* name) {
  auto it = in.FindMember(name);
  if (it == in.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  return static_cast<int64_t>(std::llround(it->value.GetDouble() * 1000.0));
}

}  // namespace sluice::protocol
