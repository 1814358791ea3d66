// DescribeTimeToLive and UpdateTimeToLive. Enabling TTL makes the catalog
// give every existing item its deadline in the store (a background pass);
// the catalog's sweeper then deletes items whose TTL attribute (a number of
// epoch seconds) is in the past, within one sweep interval (AWS: within days).
#include "dynamodb/api/handlers.h"

namespace sluice::dynamodb::api {

void DescribeTimeToLive(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  if (!t) return reply(TableNotFound(name));
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("TimeToLiveDescription");
  w.StartObject();
  w.Key("TimeToLiveStatus");
  w.String(t->ttl.enabled ? "ENABLED" : "DISABLED");
  if (t->ttl.enabled) {
    w.Key("AttributeName");
    w.String(t->ttl.attribute.c_str(), static_cast<rapidjson::SizeType>(t->ttl.attribute.size()));
  }
  w.EndObject();
  w.EndObject();
  reply(Finish(sb));
}

void UpdateTimeToLive(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  const rapidjson::Value& spec = in["TimeToLiveSpecification"];
  bool enabled = *GetBool(spec, "Enabled");
  std::string attribute = *GetString(spec, "AttributeName");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  if (!t || t->status == TableStatus::kDeleting || t->status == TableStatus::kCreating)
    return reply(TableNotFound(name));
  ctx.catalog.Update(
      ctx.region, name,
      [enabled, attribute](TableDefinition& d) -> Status {
        if (enabled && d.ttl.enabled)
          return Status::InvalidArgument(d.ttl.attribute == attribute
                                             ? "TimeToLive is already enabled"
                                             : "TimeToLive is active on a different AttributeName: current "
                                               "AttributeName is " +
                                                   d.ttl.attribute);
        if (!enabled && !d.ttl.enabled) return Status::InvalidArgument("TimeToLive is already disabled");
        if (!enabled && d.ttl.attribute != attribute)
          return Status::InvalidArgument(
              "TimeToLive is active on a different AttributeName: current AttributeName is " + d.ttl.attribute);
        d.ttl.enabled = enabled;
        d.ttl.attribute = attribute;
        d.ttl.pass_pending = enabled;
        return Status::Ok();
      },
      [name, enabled, attribute, reply](Result<TableRef> updated) {
        if (!updated.ok()) {
          if (updated.status().code() == StatusCode::kNotFound) return reply(TableNotFound(name));
          return reply(FromStatus(updated.status()));
        }
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        w.StartObject();
        w.Key("TimeToLiveSpecification");
        w.StartObject();
        w.Key("Enabled");
        w.Bool(enabled);
        w.Key("AttributeName");
        w.String(attribute.c_str(), static_cast<rapidjson::SizeType>(attribute.size()));
        w.EndObject();
        w.EndObject();
        reply(Finish(sb));
      });
}

}  // namespace sluice::dynamodb::api
