// DescribeDeliveryStream and ListDeliveryStreams.
#include <algorithm>

#include "base/mutex.h"
#include "firehose/api/handlers.h"

namespace sluice::firehose::api {

void DescribeDeliveryStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  int64_t limit = GetInt(in, "Limit").value_or(10000);
  auto exclusive_start = GetString(in, "ExclusiveStartDestinationId");
  int64_t now = ctx.catalog.NowMillis();
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  {
    MutexLock lk(s->mu);
    const auto& c = s->config();
    w.StartObject();
    w.Key("DeliveryStreamDescription");
    w.StartObject();
    w.Key("DeliveryStreamName");
    w.String(c.name);
    w.Key("DeliveryStreamARN");
    w.String(c.arn());
    w.Key("DeliveryStreamStatus");
    w.String(std::string(StatusName(c.status)));
    w.Key("DeliveryStreamEncryptionConfiguration");
    w.StartObject();
    if (c.encryption_enabled) {
      if (!c.encryption_key_arn.empty()) {
        w.Key("KeyARN");
        w.String(c.encryption_key_arn);
      }
      w.Key("KeyType");
      w.String(c.encryption_key_type);
    }
    w.Key("Status");
    w.String(std::string(EncryptionStatusName(CurrentEncryptionStatus(*s, now))));
    w.EndObject();
    w.Key("DeliveryStreamType");
    w.String(std::string(DeliveryStreamTypeName(c.type)));
    w.Key("VersionId");
    w.String(std::to_string(c.version_id));
    w.Key("CreateTimestamp");
    WriteTimestamp(w, c.created_ms);
    if (c.updated_ms > c.created_ms) {
      w.Key("LastUpdateTimestamp");
      WriteTimestamp(w, c.updated_ms);
    }
    w.Key("Source");
    w.StartObject();
    if (c.type == DeliveryStreamType::kKinesisStreamAsSource) {
      w.Key("KinesisStreamSourceDescription");
      w.StartObject();
      w.Key("KinesisStreamARN");
      w.String(c.source_stream_arn);
      w.Key("RoleARN");
      w.String(c.source_role_arn);
      w.Key("DeliveryStartTimestamp");
      WriteTimestamp(w, c.delivery_start_ms);
      w.EndObject();
    } else {
      w.Key("DirectPutSourceDescription");
      auto it = c.destination.passthrough_json.find("DirectPutSourceDescription");
      rapidjson::Document dp;
      if (it != c.destination.passthrough_json.end()) dp.Parse(it->second.c_str());
      if (it == c.destination.passthrough_json.end() || dp.HasParseError()) dp.Parse("{}");
      dp.Accept(w);
    }
    w.EndObject();
    w.Key("Destinations");
    w.StartArray();
    // One destination: shown unless the caller pages past it.
    bool show = limit > 0 && !(exclusive_start && *exclusive_start >= c.destination.destination_id);
    if (show) {
      w.StartObject();
      WriteDestinationDescription(w, c.destination);
      w.EndObject();
    }
    w.EndArray();
    w.Key("HasMoreDestinations");
    w.Bool(false);
    w.EndObject();
    w.EndObject();
  }
  reply(Finish(sb));
}

void ListDeliveryStreams(Context& ctx, const rapidjson::Value& in, Reply reply) {
  int64_t limit = GetInt(in, "Limit").value_or(10);
  auto type = GetString(in, "DeliveryStreamType");
  auto start = GetString(in, "ExclusiveStartDeliveryStreamName");
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("DeliveryStreamNames");
  w.StartArray();
  int64_t n = 0;
  bool more = false;
  for (const auto& s : ctx.catalog.List(ctx.region)) {  // sorted by name
    std::string name;
    DeliveryStreamType stype;
    {
      MutexLock lk(s->mu);
      name = s->config().name;
      stype = s->config().type;
    }
    if (start && name <= *start) continue;
    if (type && DeliveryStreamTypeName(stype) != *type) continue;
    if (n == limit) {
      more = true;
      break;
    }
    w.String(name);
    ++n;
  }
  w.EndArray();
  w.Key("HasMoreDeliveryStreams");
  w.Bool(more);
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::firehose::api
