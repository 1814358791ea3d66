// DescribeStream and DescribeStreamSummary.
#include <algorithm>

#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "kinesis/resharding.h"

namespace sluice::kinesis::api {

namespace {
void WriteEnhancedMonitoring(JsonWriter& w, const StreamMeta& m) {
  w.Key("EnhancedMonitoring");
  w.StartArray();
  w.StartObject();
  w.Key("ShardLevelMetrics");
  w.StartArray();
  for (const auto& metric : m.shard_level_metrics) w.String(metric);
  w.EndArray();
  w.EndObject();
  w.EndArray();
}

void WriteCommon(JsonWriter& w, const StreamMeta& m) {
  w.Key("StreamName");
  w.String(m.name);
  w.Key("StreamARN");
  w.String(m.arn());
  w.Key("StreamStatus");
  w.String(std::string(StatusName(m.status)));
  WriteStreamModeDetails(w, m);
  w.Key("RetentionPeriodHours");
  w.Int(m.retention_hours);
  w.Key("StreamCreationTimestamp");
  WriteTimestamp(w, m.created_ms);
  WriteEnhancedMonitoring(w, m);
  w.Key("EncryptionType");
  w.String(std::string(EncryptionTypeName(m.encryption_type)));
  if (!m.key_id.empty()) {
    w.Key("KeyId");
    w.String(m.key_id);
  }
}
}  // namespace

void DescribeStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  // "If you specify a value greater than 100, at most 100 results are returned."
  int64_t limit = std::min<int64_t>(GetInt(in, "Limit").value_or(100), 100);
  auto start_after = GetString(in, "ExclusiveStartShardId");

  ReaderLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("StreamDescription");
  w.StartObject();
  WriteCommon(w, m);
  w.Key("Shards");
  w.StartArray();
  int64_t written = 0;
  bool more = false;
  int64_t cutoff = ctx.catalog.RetentionCutoff(m, ctx.catalog.NowMillis());
  for (const auto& shard : m.shards) {
    if (start_after && ShardIdFromIndex(shard.index) <= *start_after) continue;
    if (ShardExpired(shard, cutoff)) continue;
    if (written == limit) {
      more = true;
      break;
    }
    WriteShard(w, m, shard);
    ++written;
  }
  w.EndArray();
  w.Key("HasMoreShards");
  w.Bool(more);
  w.EndObject();
  w.EndObject();
  reply(Finish(sb));
}

void DescribeStreamSummary(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  ReaderLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("StreamDescriptionSummary");
  w.StartObject();
  WriteCommon(w, m);
  w.Key("OpenShardCount");
  w.Int(m.OpenShardCount());
  w.Key("ConsumerCount");
  w.Int(static_cast<int>(m.consumers.size()));
  w.Key("MaxRecordSizeInKiB");
  w.Int(m.max_record_size_kib);
  if (m.mode == StreamMode::kOnDemand && m.warm_throughput_mibps > 0) {
    // The change is applied at once, so the current value is the target.
    w.Key("WarmThroughput");
    w.StartObject();
    w.Key("TargetMiBps");
    w.Int(m.warm_throughput_mibps);
    w.Key("CurrentMiBps");
    w.Int(m.warm_throughput_mibps);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
