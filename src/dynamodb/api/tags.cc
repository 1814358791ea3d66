// TagResource, UntagResource and ListTagsOfResource, by table ARN
// (arn:aws:dynamodb:<region>:<account>:table/<name>). At most 50 tags.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/schema_input.h"

namespace sluice::dynamodb::api {

namespace {

constexpr size_t kMaxTags = 50;

struct ArnTable {
  std::string region, name;
};

// The table an ARN names; ValidationException for what is not a table ARN.
Result<ArnTable> ParseTableArn(const std::string& arn) {
  auto invalid = [&] {
    return Status::InvalidArgument("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
  };
  // arn:<partition>:dynamodb:<region>:<account>:table/<name>
  std::vector<std::string> parts;
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    size_t c = arn.find(':', pos);
    if (c == std::string::npos) return invalid();
    parts.push_back(arn.substr(pos, c - pos));
    pos = c + 1;
  }
  std::string resource = arn.substr(pos);
  if (parts[0] != "arn" || parts[2] != "dynamodb" || resource.rfind("table/", 0) != 0) return invalid();
  std::string name = resource.substr(6);
  if (name.empty() || name.find('/') != std::string::npos) return invalid();
  return ArnTable{parts[3], name};
}

// Applies `mutate` to the tags of the table the request's ResourceArn names.
void ChangeTags(Context& ctx, const rapidjson::Value& in,
                std::function<Status(std::map<std::string, std::string>&)> mutate, Reply reply) {
  std::string arn = *GetString(in, "ResourceArn");
  auto table = ParseTableArn(arn);
  if (!table.ok()) return reply(FromStatus(table.status()));
  auto not_found = ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " + arn + " not found");
  TableRef t = ctx.catalog.Find(table->region, table->name);
  if (!t || t->status == TableStatus::kDeleting) return reply(not_found);
  ctx.catalog.Update(
      table->region, table->name, [mutate](TableDefinition& d) { return mutate(d.tags); },
      [reply, not_found](Result<TableRef> updated) {
        if (!updated.ok())
          return reply(updated.status().code() == StatusCode::kNotFound ? not_found : FromStatus(updated.status()));
        reply(std::string("{}"));
      });
}

}  // namespace

void TagResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto tags = ParseTags(in);
  if (!tags.ok()) return reply(FromStatus(tags.status()));
  ChangeTags(
      ctx, in,
      [add = *tags](std::map<std::string, std::string>& current) -> Status {
        auto merged = current;
        for (const auto& [k, v] : add) merged[k] = v;
        if (merged.size() > kMaxTags)
          return Status::InvalidArgument(
              "One or more parameter values were invalid: The number of tags exceeds the "
              "limit of 50");
        current = std::move(merged);
        return Status::Ok();
      },
      std::move(reply));
}

void UntagResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::vector<std::string> keys;
  for (const auto& k : in["TagKeys"].GetArray())
    if (k.IsString()) keys.emplace_back(k.GetString(), k.GetStringLength());
  ChangeTags(
      ctx, in,
      [keys](std::map<std::string, std::string>& current) -> Status {
        for (const auto& k : keys) current.erase(k);
        return Status::Ok();
      },
      std::move(reply));
}

void ListTagsOfResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string arn = *GetString(in, "ResourceArn");
  auto table = ParseTableArn(arn);
  if (!table.ok()) return reply(FromStatus(table.status()));
  TableRef t = ctx.catalog.Find(table->region, table->name);
  if (!t) return reply(ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " + arn + " not found"));
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Tags");
  w.StartArray();
  for (const auto& [k, v] : t->tags) {
    w.StartObject();
    w.Key("Key");
    w.String(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.Key("Value");
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::dynamodb::api
