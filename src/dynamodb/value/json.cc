#include "dynamodb/value/json.h"

#include <optional>
#include <set>

#include "codec/base64.h"

namespace sluice::dynamodb {
namespace {

const char kInvalid[] = "One or more parameter values were invalid: ";

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

std::string_view Str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// "[a, b]": how AWS lists a set's members in its duplicate message.
std::string ListText(const rapidjson::Value& array) {
  std::string out = "[";
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    if (i) out += ", ";
    if (array[i].IsString()) out += Str(array[i]);
  }
  return out + "]";
}

Result<std::vector<std::string>> StringMembers(const rapidjson::Value& array, bool binary) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  bool duplicate = false;
  for (const auto& m : array.GetArray()) {
    if (!m.IsString()) return Invalid("Unexpected value type in payload");
    std::string member(Str(m));
    if (binary) {
      auto decoded = codec::Base64Decode(member);
      if (!decoded.ok()) return Invalid("Invalid last non-pad Base64 character dectected");
      member = std::move(decoded).value();
    }
    if (!seen.insert(member).second) duplicate = true;
    out.push_back(std::move(member));
  }
  if (duplicate) {
    if (binary)
      return Invalid(std::string(kInvalid) + "Input collection " + ListText(array) + "of type BS contains duplicates.");
    return Invalid(std::string(kInvalid) + "Input collection " + ListText(array) + " contains duplicates.");
  }
  return out;
}

}  // namespace

Result<AttributeValue> ParseAttributeValue(const rapidjson::Value& json) {
  if (!json.IsObject() || json.MemberCount() == 0) {
    return Invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  std::optional<AttributeValue> result;
  for (const auto& member : json.GetObject()) {
    AttributeType type;
    if (!ParseTypeName(Str(member.name), &type)) continue;  // the protocol validator refuses unknown members
    const rapidjson::Value& v = member.value;
    switch (type) {
      case AttributeType::kS:
        if (!v.IsString()) return Invalid("Unexpected value type in payload");
        result = AttributeValue::String(std::string(Str(v)));
        break;
      case AttributeType::kN: {
        if (!v.IsString()) return Invalid("Unexpected value type in payload");
        auto n = Number::Parse(Str(v));
        if (!n.ok()) return n.status();
        result = AttributeValue::Num(std::move(n).value());
        break;
      }
      case AttributeType::kB: {
        if (!v.IsString()) return Invalid("Unexpected value type in payload");
        auto decoded = codec::Base64Decode(Str(v));
        if (!decoded.ok()) return Invalid("Invalid last non-pad Base64 character dectected");
        result = AttributeValue::Binary(std::move(decoded).value());
        break;
      }
      case AttributeType::kBool:
        if (!v.IsBool()) return Invalid("Unexpected value type in payload");
        result = AttributeValue::Bool(v.GetBool());
        break;
      case AttributeType::kNull:
        if (!v.IsBool()) return Invalid("Unexpected value type in payload");
        if (!v.GetBool())
          return Invalid(std::string(kInvalid) + "Null attribute value types must have the value of true");
        result = AttributeValue::Null();
        break;
      case AttributeType::kSS:
      case AttributeType::kBS: {
        if (!v.IsArray()) return Invalid("Unexpected value type in payload");
        bool binary = type == AttributeType::kBS;
        if (v.Empty()) {
          return Invalid(std::string(kInvalid) +
                         (binary ? "Binary sets should not be empty" : "An string set  may not be empty"));
        }
        auto members = StringMembers(v, binary);
        if (!members.ok()) return members.status();
        result = binary ? AttributeValue::BinarySet(std::move(members).value())
                        : AttributeValue::StringSet(std::move(members).value());
        break;
      }
      case AttributeType::kNS: {
        if (!v.IsArray()) return Invalid("Unexpected value type in payload");
        if (v.Empty()) return Invalid(std::string(kInvalid) + "An number set  may not be empty");
        std::vector<Number> numbers;
        for (const auto& m : v.GetArray()) {
          if (!m.IsString()) return Invalid("Unexpected value type in payload");
          auto n = Number::Parse(Str(m));
          if (!n.ok()) return n.status();
          numbers.push_back(std::move(n).value());
        }
        size_t count = numbers.size();
        AttributeValue set = AttributeValue::NumberSet(std::move(numbers));
        if (set.ns().size() != count) return Invalid("Input collection contains duplicates");
        result = std::move(set);
        break;
      }
      case AttributeType::kL: {
        if (!v.IsArray()) return Invalid("Unexpected value type in payload");
        AttributeList list;
        for (const auto& e : v.GetArray()) {
          auto parsed = ParseAttributeValue(e);
          if (!parsed.ok()) return parsed.status();
          list.push_back(std::move(parsed).value());
        }
        result = AttributeValue::List(std::move(list));
        break;
      }
      case AttributeType::kM: {
        auto item = ParseItem(v);
        if (!item.ok()) return item.status();
        result = AttributeValue::Map(std::move(item).value());
        break;
      }
    }
  }
  if (!result) return Invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  int types = 0;
  for (const auto& member : json.GetObject()) {
    AttributeType t;
    if (ParseTypeName(Str(member.name), &t)) ++types;
  }
  if (types > 1) {
    return Invalid(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  }
  return std::move(*result);
}

Result<Item> ParseItem(const rapidjson::Value& json) {
  if (!json.IsObject()) return Invalid("Unexpected value type in payload");
  Item item;
  for (const auto& member : json.GetObject()) {
    auto value = ParseAttributeValue(member.value);
    if (!value.ok()) return value.status();
    item.insert_or_assign(std::string(Str(member.name)), std::move(value).value());
  }
  return item;
}

void WriteAttributeValue(rapidjson::Writer<rapidjson::StringBuffer>& w, const AttributeValue& v) {
  auto str = [&](const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  std::string_view name = TypeName(v.type());
  w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  switch (v.type()) {
    case AttributeType::kS: str(v.s()); break;
    case AttributeType::kN: str(v.n().ToString()); break;
    case AttributeType::kB: str(codec::Base64Encode(v.b())); break;
    case AttributeType::kBool: w.Bool(v.boolean()); break;
    case AttributeType::kNull: w.Bool(true); break;
    case AttributeType::kSS:
      w.StartArray();
      for (const auto& s : v.ss()) str(s);
      w.EndArray();
      break;
    case AttributeType::kNS:
      w.StartArray();
      for (const auto& n : v.ns()) str(n.ToString());
      w.EndArray();
      break;
    case AttributeType::kBS:
      w.StartArray();
      for (const auto& b : v.bs()) str(codec::Base64Encode(b));
      w.EndArray();
      break;
    case AttributeType::kL:
      w.StartArray();
      for (const auto& e : v.l()) WriteAttributeValue(w, e);
      w.EndArray();
      break;
    case AttributeType::kM: WriteItem(w, v.m()); break;
  }
  w.EndObject();
}

void WriteItem(rapidjson::Writer<rapidjson::StringBuffer>& w, const Item& item) {
  w.StartObject();
  for (const auto& [name, value] : item) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteAttributeValue(w, value);
  }
  w.EndObject();
}

rapidjson::Value ToJson(const AttributeValue& value, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  WriteAttributeValue(w, value);
  rapidjson::Document d(&alloc);
  d.Parse(buffer.GetString(), buffer.GetSize());
  return rapidjson::Value(d, alloc);
}

rapidjson::Value ToJson(const Item& item, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  WriteItem(w, item);
  rapidjson::Document d(&alloc);
  d.Parse(buffer.GetString(), buffer.GetSize());
  return rapidjson::Value(d, alloc);
}

std::string ItemToJsonText(const Item& item) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  WriteItem(w, item);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sluice::dynamodb
