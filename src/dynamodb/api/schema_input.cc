#include "dynamodb/api/schema_input.h"

#include "protocol/json_input.h"

namespace sluice::dynamodb::api {

namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

Status Invalid(std::string message) { return Status::InvalidArgument(std::string(kInvalid) + message); }

std::string Str(const rapidjson::Value& o, const char* k) { return protocol::GetString(o, k).value_or(""); }

}  // namespace

Result<AttributeDefinitions> ParseAttributeDefinitions(const rapidjson::Value& in) {
  AttributeDefinitions defs;
  auto it = in.FindMember("AttributeDefinitions");
  if (it == in.MemberEnd() || !it->value.IsArray()) return defs;
  for (const auto& d : it->value.GetArray()) {
    std::string name = Str(d, "AttributeName");
    AttributeType type;
    if (!ParseTypeName(Str(d, "AttributeType"), &type))
      return Status::InvalidArgument("Member must satisfy enum value set: [B, N, S]");
    if (!defs.emplace(name, type).second)
      return Status::InvalidArgument("Cannot have two attributes with the same name");
  }
  return defs;
}

Result<KeySchema> ParseKeySchema(const rapidjson::Value& key_schema, const AttributeDefinitions& defs) {
  if (!key_schema.IsArray() || key_schema.Empty())
    return Status::InvalidArgument("Invalid KeySchema: Some index key attribute have no definition");
  const auto& elements = key_schema.GetArray();
  if (Str(elements[0], "KeyType") != "HASH")
    return Status::InvalidArgument("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (elements.Size() > 1 && Str(elements[1], "KeyType") != "RANGE")
    return Status::InvalidArgument("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  if (elements.Size() > 1 && Str(elements[0], "AttributeName") == Str(elements[1], "AttributeName"))
    return Status::InvalidArgument("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  std::string keys, defined;
  bool missing = false;
  for (const auto& e : elements) {
    std::string name = Str(e, "AttributeName");
    keys += (keys.empty() ? "" : ", ") + name;
    if (!defs.count(name)) missing = true;
  }
  if (missing) {
    for (const auto& [name, _] : defs) defined += (defined.empty() ? "" : ", ") + name;
    return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" + keys +
                   "], AttributeDefinitions: [" + defined + "]");
  }
  KeySchema schema;
  schema.hash = {Str(elements[0], "AttributeName"), defs.at(Str(elements[0], "AttributeName"))};
  if (elements.Size() > 1)
    schema.range = KeyAttribute{Str(elements[1], "AttributeName"), defs.at(Str(elements[1], "AttributeName"))};
  return schema;
}

Result<ProvisionedThroughput> ParseThroughput(const rapidjson::Value& in, BillingMode billing, bool for_index) {
  ProvisionedThroughput t;
  auto it = in.FindMember("ProvisionedThroughput");
  bool given = it != in.MemberEnd() && it->value.IsObject();
  if (billing == BillingMode::kPayPerRequest) {
    if (given)
      return Invalid(
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
          "PAY_PER_REQUEST");
    return t;
  }
  if (!given) {
    if (for_index) return Invalid("ProvisionedThroughput must be specified for index: " + Str(in, "IndexName"));
    return Invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  auto read = protocol::GetInt(it->value, "ReadCapacityUnits");
  auto write = protocol::GetInt(it->value, "WriteCapacityUnits");
  if (!read || !write)
    return Invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  t.read = *read;
  t.write = *write;
  return t;
}

Result<SecondaryIndex> ParseIndex(const rapidjson::Value& in, const AttributeDefinitions& defs, bool global,
                                  BillingMode billing) {
  SecondaryIndex index;
  index.global = global;
  index.name = Str(in, "IndexName");
  auto ks = in.FindMember("KeySchema");
  if (ks == in.MemberEnd()) return Status::InvalidArgument("Invalid KeySchema: missing for index " + index.name);
  auto keys = ParseKeySchema(ks->value, defs);
  if (!keys.ok()) return keys.status();
  index.keys = *keys;
  auto proj = in.FindMember("Projection");
  if (proj != in.MemberEnd() && proj->value.IsObject()) {
    std::string type = Str(proj->value, "ProjectionType");
    auto nk = proj->value.FindMember("NonKeyAttributes");
    bool has_non_key = nk != proj->value.MemberEnd() && nk->value.IsArray();
    if (type == "INCLUDE") {
      index.projection.type = ProjectionType::kInclude;
      if (!has_non_key || nk->value.Empty())
        return Invalid("NonKeyAttributes must not be empty when ProjectionType is INCLUDE");
      for (const auto& a : nk->value.GetArray())
        if (a.IsString()) index.projection.non_key_attributes.emplace_back(a.GetString(), a.GetStringLength());
    } else {
      index.projection.type = type == "KEYS_ONLY" ? ProjectionType::kKeysOnly : ProjectionType::kAll;
      if (type.empty()) return Invalid("Unknown ProjectionType: null");
      if (has_non_key) return Invalid("ProjectionType is " + type + ", but NonKeyAttributes is specified");
    }
  } else {
    return Invalid("Projection is null for index: " + index.name);
  }
  if (global) {
    auto t = ParseThroughput(in, billing, true);
    if (!t.ok()) return t.status();
    index.throughput = *t;
  }
  return index;
}

Result<std::map<std::string, std::string>> ParseTags(const rapidjson::Value& in, const char* member) {
  std::map<std::string, std::string> tags;
  auto it = in.FindMember(member);
  if (it == in.MemberEnd() || !it->value.IsArray()) return tags;
  for (const auto& t : it->value.GetArray()) tags[Str(t, "Key")] = Str(t, "Value");
  return tags;
}

}  // namespace sluice::dynamodb::api
