// CreateStream and DeleteStream.
#include "base/mutex.h"
#include "kinesis/api/context.h"
#include "kinesis/api/handlers.h"
#include "model/arn.h"

namespace sluice::kinesis::api {

void CreateStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  StreamMeta meta;
  meta.region = ctx.region;
  meta.account = ctx.account();
  meta.name = *GetString(in, "StreamName");
  if (auto it = in.FindMember("StreamModeDetails"); it != in.MemberEnd() && it->value.IsObject()) {
    std::string mode_name = *GetString(it->value, "StreamMode");
    std::optional<StreamMode> mode = ParseStreamMode(mode_name);  // the model's enum: checked
    if (!mode) return reply(ApiError::InvalidArgument("Unknown StreamMode " + mode_name + "."));
    meta.mode = *mode;
  }
  auto shard_count = GetInt(in, "ShardCount");
  int shards = 0;
  if (meta.mode == StreamMode::kOnDemand) {
    if (shard_count)
      return reply(ApiError::Validation("ShardCount must not be specified for streams in ON_DEMAND mode."));
    shards = 4;  // AWS starts on-demand streams with 4 MiB/s of write capacity
  } else {
    if (!shard_count)
      return reply(
          ApiError::Validation("1 validation error detected: Value null at 'shardCount' failed to satisfy "
                               "constraint: Member must not be null for streams in PROVISIONED mode"));
    shards = static_cast<int>(*shard_count);
  }
  if (auto kib = GetInt(in, "MaxRecordSizeInKiB")) meta.max_record_size_kib = static_cast<int>(*kib);
  if (auto it = in.FindMember("Tags"); it != in.MemberEnd() && it->value.IsObject()) {
    if (it->value.MemberCount() > 50)
      return reply(ApiError::InvalidArgument("Failed to create stream " + meta.name + " under account " + meta.account +
                                             " because a stream cannot have more than 50 tags."));
    for (auto t = it->value.MemberBegin(); t != it->value.MemberEnd(); ++t)
      meta.tags[t->name.GetString()] = t->value.IsString() ? t->value.GetString() : "";
  }
  if (shards > ctx.catalog.options().shard_limit)
    return reply(ApiError::LimitExceeded(
        "This request would exceed the shard limit for the account " + meta.account + " in " + meta.region +
        ". Current shard count for the account: " + std::to_string(ctx.catalog.OpenShardCount(meta.region)) +
        ". Limit: " + std::to_string(ctx.catalog.options().shard_limit) + "."));
  auto ranges = model::EvenHashKeyRanges(shards);
  for (int i = 0; i < shards; ++i) {
    ShardMeta s;
    s.index = static_cast<uint32_t>(i);
    s.range = ranges[i];
    meta.shards.push_back(s);
  }
  auto created = ctx.catalog.Create(std::move(meta));
  if (!created.ok()) {
    const Status& st = created.status();
    if (st.code() == StatusCode::kAlreadyExists) return reply(ApiError::ResourceInUse(st.message()));
    if (st.code() == StatusCode::kResourceExhausted && st.message().find("limit") != std::string::npos)
      return reply(ApiError::LimitExceeded(st.message()));
    return reply(ApiError::InternalFailure("Creating the stream failed: " + st.message()));
  }
  reply(std::string("{}"));
}

void DeleteStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  {
    ReaderLock lk(ref.stream->mu);
    if (ref.stream->meta().status == StreamStatus::kDeleting)
      return reply(StreamNotFound(ctx, ref.stream->meta().name));
    // Registered consumers block a deletion unless EnforceConsumerDeletion.
    if (!ref.stream->meta().consumers.empty() && !GetBool(in, "EnforceConsumerDeletion").value_or(false))
      return reply(ApiError::ResourceInUse("Stream " + ref.stream->meta().name + " under account " + ctx.account() +
                                           " has registered consumers; set EnforceConsumerDeletion to delete it."));
  }
  Status st = ctx.catalog.Delete(ref.stream);
  if (!st.ok()) return reply(ApiError::InternalFailure("Deleting the stream failed: " + st.message()));
  reply(std::string("{}"));
}

}  // namespace sluice::kinesis::api
