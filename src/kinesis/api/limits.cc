// DescribeLimits and UpdateMaxRecordSize.
#include "kinesis/api/handlers.h"

namespace sluice::kinesis::api {

void DescribeLimits(Context& ctx, const rapidjson::Value&, Reply reply) {
  const auto& o = ctx.catalog.options();
  reply("{\"ShardLimit\":" + std::to_string(o.shard_limit) +
        ",\"OpenShardCount\":" + std::to_string(ctx.catalog.OpenShardCount(ctx.region)) +
        ",\"OnDemandStreamCount\":" + std::to_string(ctx.catalog.OnDemandStreamCount(ctx.region)) +
        ",\"OnDemandStreamCountLimit\":" + std::to_string(o.on_demand_stream_limit) + "}");
}

void UpdateMaxRecordSize(Context& ctx, const rapidjson::Value& in, Reply reply) {
  if (!GetString(in, "StreamARN"))
    return reply(
        ApiError::Validation("1 validation error detected: Value null at 'streamARN' failed to satisfy "
                             "constraint: Member must not be null"));
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  int64_t kib = *GetInt(in, "MaxRecordSizeInKiB");
  WriterLock lk(ref.stream->mu);
  StreamMeta& m = ref.stream->meta();
  if (m.status != StreamStatus::kActive) return reply(StreamNotActive(ctx, m));
  int old = m.max_record_size_kib;
  m.max_record_size_kib = static_cast<int>(kib);
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    m.max_record_size_kib = old;
    return reply(ApiError::InternalFailure("Persisting the record size limit failed: " + st.message()));
  }
  reply(std::string("{}"));
}

}  // namespace sluice::kinesis::api
