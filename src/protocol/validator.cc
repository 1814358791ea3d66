#include "protocol/validator.h"

#include "base/status.h"
#include "codec/utf8.h"

#include <cctype>
#include <string_view>
#include <vector>

namespace sluice::protocol {

namespace {

std::string JsonKind(const rapidjson::Value& v) {
  if (v.IsObject()) return "Start of structure or map";
  if (v.IsArray()) return "Start of list";
  if (v.IsString()) return "STRING_VALUE";
  if (v.IsBool()) return v.GetBool() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (v.IsNumber()) return "NUMBER_VALUE";
  return "NULL_VALUE";
}

std::string_view TypeName(ShapeType t) {
  switch (t) {
    case ShapeType::kString: return "String";
    case ShapeType::kInteger: return "Integer";
    case ShapeType::kLong: return "Long";
    case ShapeType::kBoolean: return "Boolean";
    case ShapeType::kBlob: return "Blob";
    case ShapeType::kTimestamp: return "Timestamp";
    case ShapeType::kDouble: return "Double";
    case ShapeType::kFloat: return "Float";
    case ShapeType::kList: return "List";
    case ShapeType::kMap: return "Map";
    case ShapeType::kStructure: return "Structure";
  }
  return "Value";
}

bool TypeMatches(ShapeType t, const rapidjson::Value& v) {
  switch (t) {
    case ShapeType::kString:
    case ShapeType::kBlob: return v.IsString();
    case ShapeType::kInteger: return v.IsInt();
    case ShapeType::kLong: return v.IsInt64();
    case ShapeType::kBoolean: return v.IsBool();
    case ShapeType::kTimestamp:
    case ShapeType::kDouble:
    case ShapeType::kFloat: return v.IsNumber();
    case ShapeType::kList: return v.IsArray();
    case ShapeType::kMap:
    case ShapeType::kStructure: return v.IsObject();
  }
  return false;
}

// First type mismatch anywhere in the tree; its message is a SerializationException's.
Status CheckTypes(const Shape& shape, const rapidjson::Value& v) {
  if (v.IsNull()) return Status::Ok();
  if (!TypeMatches(shape.type, v)) {
    if (v.IsObject() || v.IsArray()) return Status::InvalidArgument(JsonKind(v) + " found where not expected");
    return Status::InvalidArgument(JsonKind(v) + " can not be converted to " +
                                   (shape.type == ShapeType::kInteger ? "an " : "a ") +
                                   std::string(TypeName(shape.type)));
  }
  // Strings end up in names, keys and messages: they must be valid UTF-8.
  // (Blobs need not be checked: base64 decoding rejects every non-ASCII byte.)
  if (shape.type == ShapeType::kString && !codec::IsValidUtf8({v.GetString(), v.GetStringLength()}))
    return Status::InvalidArgument("Invalid UTF-8 start byte or continuation in a STRING_VALUE");
  switch (shape.type) {
    case ShapeType::kStructure:
      for (const auto& m : shape.members) {
        auto it = v.FindMember(m.name.c_str());
        if (it != v.MemberEnd()) SLUICE_RETURN_IF_ERROR(CheckTypes(*m.shape, it->value));
      }
      break;
    case ShapeType::kList:
      for (const auto& e : v.GetArray()) SLUICE_RETURN_IF_ERROR(CheckTypes(*shape.member, e));
      break;
    case ShapeType::kMap:
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        SLUICE_RETURN_IF_ERROR(CheckTypes(*shape.key, it->name));
        SLUICE_RETURN_IF_ERROR(CheckTypes(*shape.value, it->value));
      }
      break;
    default: break;
  }
  return Status::Ok();
}

std::string LowerCamel(std::string_view name) {
  std::string s(name);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string Render(const rapidjson::Value& v) {
  if (v.IsString()) return "'" + std::string(v.GetString(), v.GetStringLength()) + "'";
  if (v.IsInt64()) return "'" + std::to_string(v.GetInt64()) + "'";
  if (v.IsNumber()) return "'" + std::to_string(v.GetDouble()) + "'";
  if (v.IsBool()) return v.GetBool() ? "'true'" : "'false'";
  if (v.IsArray()) return "'[" + std::to_string(v.Size()) + " items]'";
  if (v.IsObject()) return "'{" + std::to_string(v.MemberCount()) + " entries}'";
  return "null";
}

// Where a value sits in the request, built into a string only when a
// violation is reported (most requests have none).
struct Path {
  const Path* parent = nullptr;
  std::string_view member;    // structure member (model name), or
  size_t index = 0;           // 1-based list index when member is empty
  std::string_view map_part;  // "key" / "<key>.value" for maps

  std::string ToString() const {
    std::string s = parent ? parent->ToString() : std::string();
    auto add = [&](std::string_view part) {
      if (!s.empty()) s += '.';
      s += part;
    };
    if (!member.empty()) {
      add(LowerCamel(member));
    } else if (index) {
      add(std::to_string(index) + ".member");
    } else if (!map_part.empty()) {
      add(map_part);
    }
    return s;
  }
};

class ConstraintChecker {
 public:
  void Check(const Shape& shape, const rapidjson::Value& v, const Path& path) {
    switch (shape.type) {
      case ShapeType::kStructure:
        for (const auto& m : shape.members) {
          Path sub{&path, m.name, 0, {}};
          auto it = v.FindMember(m.name.c_str());
          if (it == v.MemberEnd() || it->value.IsNull()) {
            if (m.required) Fail("null", sub, "Member must not be null");
            continue;
          }
          Check(*m.shape, it->value, sub);
        }
        return;
      case ShapeType::kList: {
        CheckLength(shape, v, v.Size(), path);
        size_t i = 0;
        for (const auto& e : v.GetArray()) {
          ++i;
          if (!e.IsNull()) Check(*shape.member, e, Path{&path, {}, i, {}});
        }
        return;
      }
      case ShapeType::kMap:
        CheckLength(shape, v, v.MemberCount(), path);
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
          Check(*shape.key, it->name, Path{&path, {}, 0, "key"});
          if (!it->value.IsNull()) {
            std::string part = std::string(it->name.GetString()) + ".value";
            Check(*shape.value, it->value, Path{&path, {}, 0, part});
          }
        }
        return;
      case ShapeType::kString: {
        std::string_view s(v.GetString(), v.GetStringLength());
        if (!shape.enum_values.empty()) {
          bool found = false;
          for (const auto& e : shape.enum_values) found = found || e == s;
          if (!found) {
            std::string set;
            for (const auto& e : shape.enum_values) set += (set.empty() ? "" : ", ") + e;
            Fail(Render(v), path, "Member must satisfy enum value set: [" + set + "]");
          }
        }
        if (shape.min || shape.max) CheckLength(shape, v, CountCodePoints(s), path);
        if (shape.pattern && !shape.pattern->Matches(s))
          Fail(Render(v), path, "Member must satisfy regular expression pattern: " + shape.pattern_text);
        return;
      }
      case ShapeType::kBlob:
        CheckLength(shape, v, Base64DecodedLength({v.GetString(), v.GetStringLength()}), path);
        return;
      case ShapeType::kInteger:
      case ShapeType::kLong: {
        int64_t n = v.GetInt64();
        if (shape.min && n < *shape.min)
          Fail(Render(v), path, "Member must have value greater than or equal to " + std::to_string(*shape.min));
        if (shape.max && n > *shape.max)
          Fail(Render(v), path, "Member must have value less than or equal to " + std::to_string(*shape.max));
        return;
      }
      default: return;
    }
  }

  ApiStatus Result() const {
    if (errors_.empty()) return ApiStatus::Ok();
    std::string msg = std::to_string(errors_.size()) +
                      (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < errors_.size(); ++i) msg += (i ? "; " : "") + errors_[i];
    return ApiError::Validation(msg);
  }

 private:
  static size_t CountCodePoints(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }
  void CheckLength(const Shape& shape, const rapidjson::Value& v, size_t len, const Path& path) {
    if (shape.min && static_cast<int64_t>(len) < *shape.min)
      Fail(Render(v), path, "Member must have length greater than or equal to " + std::to_string(*shape.min));
    if (shape.max && static_cast<int64_t>(len) > *shape.max)
      Fail(Render(v), path, "Member must have length less than or equal to " + std::to_string(*shape.max));
  }
  void Fail(const std::string& value, const Path& path, const std::string& what) {
    errors_.push_back("Value " + value + " at '" + path.ToString() + "' failed to satisfy constraint: " + what);
  }
  std::vector<std::string> errors_;
};

}  // namespace

size_t Base64DecodedLength(std::string_view text) {
  size_t n = text.size();
  size_t pad = 0;
  if (n >= 1 && text[n - 1] == '=') ++pad;
  if (n >= 2 && text[n - 2] == '=') ++pad;
  return n / 4 * 3 + (n % 4 == 0 ? 0 : (n % 4) - 1) - pad;
}

ApiStatus ValidateRequest(const Shape& shape, const rapidjson::Value& input) {
  if (!input.IsObject()) return ApiError::Serialization(JsonKind(input) + " found where not expected");
  if (Status types = CheckTypes(shape, input); !types.ok()) return ApiError::Serialization(types.message());
  ConstraintChecker checker;
  checker.Check(shape, input, Path{});
  return checker.Result();
}

}  // namespace sluice::protocol
