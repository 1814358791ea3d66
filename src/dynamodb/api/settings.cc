// Continuous backups (point-in-time recovery: the setting is kept and
// reported; no restore is offered), DescribeLimits and DescribeEndpoints.
#include "dynamodb/api/handlers.h"

namespace sluice::dynamodb::api {

namespace {

std::string BackupsReply(const TableDefinition& t, int64_t now) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("ContinuousBackupsDescription");
  w.StartObject();
  w.Key("ContinuousBackupsStatus");
  w.String("ENABLED");
  w.Key("PointInTimeRecoveryDescription");
  w.StartObject();
  w.Key("PointInTimeRecoveryStatus");
  w.String(t.point_in_time_recovery ? "ENABLED" : "DISABLED");
  if (t.point_in_time_recovery) {
    w.Key("RecoveryPeriodInDays");
    w.Int(35);
    w.Key("EarliestRestorableDateTime");
    w.Double(static_cast<double>(t.pitr_since_ms) / 1000.0);
    w.Key("LatestRestorableDateTime");
    w.Double(static_cast<double>(now - 5 * 60 * 1000) / 1000.0);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return Finish(sb);
}

}  // namespace

void DescribeContinuousBackups(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  if (!t) return reply(ApiError{"TableNotFoundException", "Table not found: " + name, 400});
  reply(BackupsReply(*t, ctx.catalog.NowMillis()));
}

void UpdateContinuousBackups(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  bool enabled = *GetBool(in["PointInTimeRecoverySpecification"], "PointInTimeRecoveryEnabled");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  if (!t) return reply(ApiError{"TableNotFoundException", "Table not found: " + name, 400});
  int64_t now = ctx.catalog.NowMillis();
  ctx.catalog.Update(
      ctx.region, name,
      [enabled, now](TableDefinition& d) -> Status {
        if (enabled && !d.point_in_time_recovery) d.pitr_since_ms = now;
        d.point_in_time_recovery = enabled;
        return Status::Ok();
      },
      [name, now, reply](Result<TableRef> updated) {
        if (!updated.ok()) {
          if (updated.status().code() == StatusCode::kNotFound)
            return reply(ApiError{"TableNotFoundException", "Table not found: " + name, 400});
          return reply(FromStatus(updated.status()));
        }
        reply(BackupsReply(**updated, now));
      });
}

void DescribeLimits(Context&, const rapidjson::Value&, Reply reply) {
  reply(
      std::string("{\"AccountMaxReadCapacityUnits\":80000,\"AccountMaxWriteCapacityUnits\":80000,"
                  "\"TableMaxReadCapacityUnits\":40000,\"TableMaxWriteCapacityUnits\":40000}"));
}

void DescribeEndpoints(Context& ctx, const rapidjson::Value&, Reply reply) {
  reply("{\"Endpoints\":[{\"Address\":\"dynamodb." + ctx.region + ".amazonaws.com\",\"CachePeriodInMinutes\":1440}]}");
}

}  // namespace sluice::dynamodb::api
