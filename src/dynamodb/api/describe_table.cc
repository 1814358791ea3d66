// DescribeTable, DeleteTable and ListTables.
#include "dynamodb/api/handlers.h"

namespace sluice::dynamodb::api {

void DescribeTable(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  if (!t) return reply(TableNotFound(name));
  reply(TableDescriptionReply(ctx.catalog, "Table", *t));
}

void DeleteTable(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  if (!t) return reply(TableNotFound(name));
  int64_t now = ctx.catalog.NowMillis();
  ctx.catalog.Update(
      ctx.region, name,
      [now](TableDefinition& d) -> Status {
        if (d.deletion_protection)
          return Status::InvalidArgument(
              "Resource cannot be deleted as it is currently protected against deletion. "
              "Disable deletion protection first.");
        if (d.status == TableStatus::kCreating || d.status == TableStatus::kUpdating)
          return Status::AlreadyExists("Attempt to change a resource which is still in use: Table is being " +
                                       std::string(d.status == TableStatus::kCreating ? "created" : "updated") + ": " +
                                       d.name);
        if (d.status == TableStatus::kDeleting)
          return Status::AlreadyExists("Attempt to change a resource which is still in use: Table is being deleted: " +
                                       d.name);
        d.status = TableStatus::kDeleting;
        d.status_since_ms = now;
        return Status::Ok();
      },
      [catalog = &ctx.catalog, name, reply](Result<TableRef> updated) {
        if (!updated.ok()) {
          if (updated.status().code() == StatusCode::kNotFound) return reply(TableNotFound(name));
          return reply(FromStatus(updated.status()));
        }
        reply(TableDescriptionReply(*catalog, "TableDescription", **updated));
      });
}

void ListTables(Context& ctx, const rapidjson::Value& in, Reply reply) {
  int64_t limit = GetInt(in, "Limit").value_or(100);
  std::string start = GetString(in, "ExclusiveStartTableName").value_or("");
  std::vector<std::string> names = ctx.catalog.List(ctx.region);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("TableNames");
  w.StartArray();
  int64_t n = 0;
  std::string last;
  bool more = false;
  for (const auto& name : names) {
    if (!start.empty() && name <= start) continue;
    if (n == limit) {
      more = true;
      break;
    }
    w.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
    last = name;
    ++n;
  }
  w.EndArray();
  if (more) {
    w.Key("LastEvaluatedTableName");
    w.String(last.c_str(), static_cast<rapidjson::SizeType>(last.size()));
  }
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::dynamodb::api
