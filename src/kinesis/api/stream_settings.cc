// Stream settings that change no records: StartStreamEncryption,
// StopStreamEncryption (stream UPDATING, then ACTIVE), EnableEnhancedMonitoring,
// DisableEnhancedMonitoring, and the resource policies of streams
// (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy). All persist in
// stream.json.
#include <algorithm>

#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "model/arn.h"

namespace sluice::kinesis::api {

namespace {

// The shard-level metrics in the order AWS lists them; "ALL" means these.
const std::vector<std::string>& AllShardLevelMetrics() {
  static const std::vector<std::string> kAll = {"IncomingBytes",
                                                "IncomingRecords",
                                                "OutgoingBytes",
                                                "OutgoingRecords",
                                                "WriteProvisionedThroughputExceeded",
                                                "ReadProvisionedThroughputExceeded",
                                                "IteratorAgeMilliseconds"};
  return kAll;
}

void WriteMetricList(JsonWriter& w, const std::vector<std::string>& metrics) {
  w.StartArray();
  for (const auto& m : metrics) w.String(m);
  w.EndArray();
}

// Replaces the metadata with `next` under the held lock and persists it; on
// failure the old metadata stays.
ApiStatus Persist(Stream& stream, StreamMeta next, const char* what) REQUIRES(stream.mu) {
  StreamMeta old = stream.meta();
  stream.meta() = std::move(next);
  Status st = stream.PersistLocked();
  if (st.ok()) return ApiStatus::Ok();
  stream.meta() = std::move(old);
  return ApiError::InternalFailure(std::string("Persisting the ") + what + " failed: " + st.message());
}

void MarkUpdating(Context& ctx, StreamMeta& m) {
  if (ctx.catalog.options().transition_ms <= 0) return;
  m.status = StreamStatus::kUpdating;
  m.status_due_ms = ctx.catalog.NowMillis() + ctx.catalog.options().transition_ms;
}

void ChangeEncryption(Context& ctx, const rapidjson::Value& in, Reply reply, bool start) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string type = *GetString(in, "EncryptionType");
  std::string key = *GetString(in, "KeyId");
  if (ParseEncryptionType(type) != EncryptionType::kKms)
    return reply(ApiError::InvalidArgument("Encryption type " + type + " is not valid for " +
                                           (start ? "StartStreamEncryption" : "StopStreamEncryption") +
                                           ". The only supported encryption type is KMS."));
  WriterLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (m.status != StreamStatus::kActive) return reply(StreamNotActive(ctx, m));
  StreamMeta next = m;
  if (start) {
    next.encryption_type = EncryptionType::kKms;
    next.key_id = key;
  } else {
    if (m.encryption_type != EncryptionType::kKms)
      return reply(
          ApiError::InvalidArgument("Stream " + m.name + " under account " + ctx.account() + " is not encrypted."));
    next.encryption_type = EncryptionType::kNone;
    next.key_id.clear();
  }
  MarkUpdating(ctx, next);
  if (ApiStatus err = Persist(*ref.stream, std::move(next), "encryption setting"); !err.ok()) return reply(err.error());
  lk.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);
  reply(std::string("{}"));
}

void ChangeMonitoring(Context& ctx, const rapidjson::Value& in, Reply reply, bool enable) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::vector<std::string> asked;
  for (const auto& v : in["ShardLevelMetrics"].GetArray()) {
    std::string name = v.GetString();
    if (name == "ALL") {
      asked = AllShardLevelMetrics();
      break;
    }
    asked.push_back(name);
  }
  WriterLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (m.status != StreamStatus::kActive) return reply(StreamNotActive(ctx, m));
  std::vector<std::string> current = m.shard_level_metrics;
  std::vector<std::string> desired;
  for (const auto& metric : AllShardLevelMetrics()) {
    bool had = std::find(current.begin(), current.end(), metric) != current.end();
    bool named = std::find(asked.begin(), asked.end(), metric) != asked.end();
    if (enable ? (had || named) : (had && !named)) desired.push_back(metric);
  }
  StreamMeta next = m;
  next.shard_level_metrics = desired;
  std::string name = m.name, arn = m.arn();
  if (ApiStatus err = Persist(*ref.stream, std::move(next), "enhanced monitoring setting"); !err.ok())
    return reply(err.error());
  lk.Unlock();

  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("StreamName");
  w.String(name);
  w.Key("CurrentShardLevelMetrics");
  WriteMetricList(w, current);
  w.Key("DesiredShardLevelMetrics");
  WriteMetricList(w, desired);
  w.Key("StreamARN");
  w.String(arn);
  w.EndObject();
  reply(Finish(sb));
}

// The stream a policy's ResourceARN belongs to: the stream itself or one of
// its registered consumers.
StreamRef ResolvePolicyTarget(Context& ctx, const rapidjson::Value& in) {
  std::string arn = *GetString(in, "ResourceARN");
  auto parsed = model::ParseStreamArn(arn);
  if (!parsed || parsed->consumer.empty()) return ResolveResource(ctx, in);
  auto ref = ResolveConsumerArn(ctx, arn);
  return {ref.stream, ref.error};
}

}  // namespace

void StartStreamEncryption(Context& ctx, const rapidjson::Value& in, Reply reply) {
  ChangeEncryption(ctx, in, std::move(reply), true);
}

void StopStreamEncryption(Context& ctx, const rapidjson::Value& in, Reply reply) {
  ChangeEncryption(ctx, in, std::move(reply), false);
}

void EnableEnhancedMonitoring(Context& ctx, const rapidjson::Value& in, Reply reply) {
  ChangeMonitoring(ctx, in, std::move(reply), true);
}

void DisableEnhancedMonitoring(Context& ctx, const rapidjson::Value& in, Reply reply) {
  ChangeMonitoring(ctx, in, std::move(reply), false);
}

void PutResourcePolicy(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolvePolicyTarget(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string arn = *GetString(in, "ResourceARN");
  std::string policy = *GetString(in, "Policy");
  rapidjson::Document doc;
  doc.Parse(policy.data(), policy.size());
  if (doc.HasParseError() || !doc.IsObject())
    return reply(ApiError::InvalidArgument("Policy is not a valid JSON policy document."));
  WriterLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (m.status == StreamStatus::kCreating || m.status == StreamStatus::kDeleting) return reply(StreamNotActive(ctx, m));
  StreamMeta next = m;
  next.resource_policies[arn] = policy;
  if (ApiStatus err = Persist(*ref.stream, std::move(next), "resource policy"); !err.ok()) return reply(err.error());
  reply(std::string("{}"));
}

void GetResourcePolicy(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolvePolicyTarget(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string arn = *GetString(in, "ResourceARN");
  ReaderLock lk(ref.stream->mu);
  const auto& policies = ref.stream->meta().resource_policies;
  auto it = policies.find(arn);
  // A resource without a policy answers with the empty policy "{}".
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Policy");
  w.String(it == policies.end() ? std::string("{}") : it->second);
  w.EndObject();
  reply(Finish(sb));
}

void DeleteResourcePolicy(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolvePolicyTarget(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string arn = *GetString(in, "ResourceARN");
  WriterLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (!m.resource_policies.count(arn))
    return reply(ApiError::ResourceNotFound("No resource policy found for resource ARN " + arn + "."));
  StreamMeta next = m;
  next.resource_policies.erase(arn);
  if (ApiStatus err = Persist(*ref.stream, std::move(next), "resource policy"); !err.ok()) return reply(err.error());
  reply(std::string("{}"));
}

}  // namespace sluice::kinesis::api
