// SplitShard, MergeShards, UpdateShardCount and UpdateStreamMode. Each checks
// AWS's preconditions, edits a copy of the stream's metadata
// (kinesis/resharding.h), opens the new shards' logs, persists stream.json
// and only then answers. The change takes effect at once; the stream shows
// UPDATING for the configured transition time, during which a second change
// gets ResourceInUseException (reads and writes continue, as on AWS).
#include "kinesis/resharding.h"
#include "base/mutex.h"
#include "kinesis/api/handlers.h"

#include <variant>

namespace sluice::kinesis::api {

namespace {

constexpr int kMaxShardsPerStream = 10000;
constexpr int64_t kMaxWarmThroughputMiBps = 10240;  // 10 GiBps, as UpdateStreamWarmThroughput

ApiError OnDemandRefused(const std::string& op, const StreamMeta& m) {
  return ApiError::Validation(op + " is not supported for stream " + m.name + " in ON_DEMAND mode.");
}

ApiError ShardLimitExceeded(const Context& ctx, int current, int added) {
  return ApiError::LimitExceeded(
      "This request would exceed the shard limit for the account " + ctx.account() + " in " + ctx.region +
      ". Current shard count for the account: " + std::to_string(current) +
      ". Limit: " + std::to_string(ctx.catalog.options().shard_limit) +
      ". Number of additional shards that would have resulted from this request: " + std::to_string(added) + ".");
}

// Takes the shards `next` adds to `current` from the server-wide budget
// (--max-total-shards); the answer to send when it is used up.
ApiResult<ShardBudget::Reservation> ReserveAddedShards(Context& ctx, const StreamMeta& current,
                                                       const StreamMeta& next) {
  auto r = ctx.catalog.shard_budget().Reserve(static_cast<int64_t>(next.shards.size()) -
                                              static_cast<int64_t>(current.shards.size()));
  if (!r.ok()) return ApiError::LimitExceeded(r.status().message());
  return std::move(r).value();
}

// Installs `next` as the stream's metadata (caller holds stream->mu
// exclusively): opens logs of new shards, marks UPDATING for the transition
// time, persists. On failure the old metadata stays.
ApiStatus Install(Context& ctx, Stream& stream, StreamMeta next) REQUIRES(stream.mu) {
  if (ctx.catalog.options().transition_ms > 0) {
    next.status = StreamStatus::kUpdating;
    next.status_due_ms = ctx.catalog.NowMillis() + ctx.catalog.options().transition_ms;
  }
  StreamMeta old = stream.meta();
  stream.meta() = std::move(next);
  Status st = stream.OpenLogsLocked(ctx.catalog.options().log_options);
  if (st.ok()) st = stream.PersistLocked();
  if (!st.ok()) {
    stream.meta() = std::move(old);
    return ApiError::InternalFailure("Persisting the stream change failed: " + st.message());
  }
  return ApiStatus::Ok();
}

// The offset each closing shard ends at: its log's next offset. Appends hold
// the stream lock shared, so none is in flight while we hold it exclusively.
struct EndingOffsets {
  Stream& stream;
  int64_t now;
  Status error;
  uint64_t operator()(uint32_t index) REQUIRES(stream.mu) {
    storage::ShardLog* log = stream.log(index);
    if (!log) {
      error = Status::Internal("no log for shard " + ShardIdFromIndex(index));
      return 0;
    }
    auto next = log->Append({}, now);  // appends nothing; returns the next offset
    if (!next.ok()) {
      error = next.status();
      return 0;
    }
    return *next;
  }
};

// Checks what every shard change needs; the caller holds stream.mu exclusively.
std::optional<ApiError> CheckShardChange(Context& ctx, const Stream& stream, const std::string& op)
    REQUIRES(stream.mu) {
  const StreamMeta& m = stream.meta();
  if (m.status != StreamStatus::kActive) return StreamNotActive(ctx, m);
  if (m.mode == StreamMode::kOnDemand) return OnDemandRefused(op, m);
  return std::nullopt;
}

std::optional<uint32_t> FindShardIndex(const StreamMeta& m, const std::string& id) {
  auto index = ShardIndexFromId(id);
  if (!index || *index >= m.shards.size()) return std::nullopt;
  return index;
}

ApiError AlreadyClosed(const Context& ctx, const StreamMeta& m, uint32_t index) {
  return ApiError::InvalidArgument("Shard " + ShardIdFromIndex(index) + " in stream " + m.name + " under account " +
                                   ctx.account() +
                                   " has already been merged or split, and thus is not eligible for merging or "
                                   "splitting.");
}

}  // namespace

void SplitShard(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string shard_id = *GetString(in, "ShardToSplit");
  std::string key_text = *GetString(in, "NewStartingHashKey");
  auto key = model::ParseHashKey(key_text);
  int account_open = ctx.catalog.OpenShardCount(ctx.region);

  WriterLock stream_lock(ref.stream->mu);
  if (auto error = CheckShardChange(ctx, *ref.stream, "SplitShard")) return reply(*error);
  const StreamMeta& m = ref.stream->meta();
  auto index = FindShardIndex(m, shard_id);
  if (!index) return reply(ShardNotFound(ctx, m.name, shard_id));
  const ShardMeta& shard = m.shards[*index];
  if (!shard.open()) return reply(AlreadyClosed(ctx, m, *index));
  if (account_open + 1 > ctx.catalog.options().shard_limit) return reply(ShardLimitExceeded(ctx, account_open, 1));
  if (!key || *key <= shard.range.start + 1 || *key >= shard.range.end)
    return reply(ApiError::InvalidArgument(
        "NewStartingHashKey " + key_text + " used in SplitShard() on shard " + shard_id + " in stream " + m.name +
        " under account " + ctx.account() + " is not both greater than one plus the shard's StartingHashKey " +
        model::HashKeyToDecimal(shard.range.start) + " and less than the shard's EndingHashKey " +
        model::HashKeyToDecimal(shard.range.end) + "."));

  StreamMeta next = m;
  EndingOffsets ends{*ref.stream, ctx.catalog.NowMillis(), Status::Ok()};
  kinesis::SplitShard(next, *index, *key, ends.now, std::ref(ends));
  if (!ends.error.ok()) return reply(ApiError::InternalFailure("Closing the shard failed: " + ends.error.message()));
  auto reserved = ReserveAddedShards(ctx, m, next);
  if (!reserved.ok()) return reply(reserved.error());
  if (ApiStatus err = Install(ctx, *ref.stream, std::move(next)); !err.ok()) return reply(err.error());
  reserved->Keep();
  stream_lock.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);
  reply(std::string("{}"));
}

void MergeShards(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string a_id = *GetString(in, "ShardToMerge");
  std::string b_id = *GetString(in, "AdjacentShardToMerge");

  WriterLock stream_lock(ref.stream->mu);
  if (auto error = CheckShardChange(ctx, *ref.stream, "MergeShards")) return reply(*error);
  const StreamMeta& m = ref.stream->meta();
  auto a = FindShardIndex(m, a_id);
  if (!a) return reply(ShardNotFound(ctx, m.name, a_id));
  auto b = FindShardIndex(m, b_id);
  if (!b) return reply(ShardNotFound(ctx, m.name, b_id));
  if (!m.shards[*a].open()) return reply(AlreadyClosed(ctx, m, *a));
  if (!m.shards[*b].open()) return reply(AlreadyClosed(ctx, m, *b));

  StreamMeta next = m;
  EndingOffsets ends{*ref.stream, ctx.catalog.NowMillis(), Status::Ok()};
  if (kinesis::MergeShards(next, *a, *b, ends.now, std::ref(ends)) != ReshardRefusal::kNone)
    return reply(ApiError::InvalidArgument("Shards " + a_id + " and " + b_id + " in stream " + m.name +
                                           " under account " + ctx.account() +
                                           " are not an adjacent pair of shards eligible for merging"));
  if (!ends.error.ok()) return reply(ApiError::InternalFailure("Closing the shards failed: " + ends.error.message()));
  auto reserved = ReserveAddedShards(ctx, m, next);
  if (!reserved.ok()) return reply(reserved.error());
  if (ApiStatus err = Install(ctx, *ref.stream, std::move(next)); !err.ok()) return reply(err.error());
  reserved->Keep();
  stream_lock.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);
  reply(std::string("{}"));
}

void UpdateShardCount(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  int64_t target = *GetInt(in, "TargetShardCount");
  int account_open = ctx.catalog.OpenShardCount(ctx.region);

  WriterLock stream_lock(ref.stream->mu);
  if (auto error = CheckShardChange(ctx, *ref.stream, "UpdateShardCount")) return reply(*error);
  const StreamMeta& m = ref.stream->meta();
  const int open = m.OpenShardCount();
  auto counts = [&] {
    return "Current open shard count: " + std::to_string(open) + ", Target shard count: " + std::to_string(target);
  };
  if (target > kMaxShardsPerStream)
    return reply(ApiError::LimitExceeded("Target shard count or number of open shards cannot be greater than " +
                                         std::to_string(kMaxShardsPerStream) + ". " + counts()));
  if (target > int64_t{open} * 2)
    return reply(ApiError::LimitExceeded(
        "UpdateShardCount cannot scale up over double your current open shard count. " + counts()));
  if (target * 2 < open)
    return reply(ApiError::LimitExceeded(
        "UpdateShardCount cannot scale down below half your current open shard count. " + counts()));
  if (target == open)
    return reply(ApiError::InvalidArgument("Target shard count " + std::to_string(target) +
                                           " is the same as the current open shard count of stream " + m.name + "."));
  if (!ctx.catalog.limiter().AdmitScaling(LimiterKey(m), ctx.catalog.NowMillis()))
    return reply(
        ApiError::LimitExceeded("Stream " + m.name + " under account " + ctx.account() + " has already been scaled " +
                                std::to_string(ThroughputLimiter::kScalingsPerDay) + " times in the last 24 hours."));
  int others = account_open - open;
  if (others + target > ctx.catalog.options().shard_limit)
    return reply(ShardLimitExceeded(ctx, account_open, static_cast<int>(target) - open));

  StreamMeta next = m;
  EndingOffsets ends{*ref.stream, ctx.catalog.NowMillis(), Status::Ok()};
  ScaleUniformly(next, static_cast<int>(target), ends.now, std::ref(ends));
  if (!ends.error.ok()) return reply(ApiError::InternalFailure("Closing shards failed: " + ends.error.message()));
  auto reserved = ReserveAddedShards(ctx, m, next);
  if (!reserved.ok()) return reply(reserved.error());
  std::string name = m.name, arn = m.arn();
  if (ApiStatus err = Install(ctx, *ref.stream, std::move(next)); !err.ok()) return reply(err.error());
  reserved->Keep();
  stream_lock.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);

  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("StreamName");
  w.String(name);
  w.Key("CurrentShardCount");
  w.Int(open);
  w.Key("TargetShardCount");
  w.Int64(target);
  w.Key("StreamARN");
  w.String(arn);
  w.EndObject();
  reply(Finish(sb));
}

void UpdateStreamMode(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string mode_name = *GetString(in["StreamModeDetails"], "StreamMode");
  std::optional<StreamMode> mode = ParseStreamMode(mode_name);  // the model's enum: checked
  if (!mode) return reply(ApiError::InvalidArgument("Unknown StreamMode " + mode_name + "."));
  bool to_on_demand = *mode == StreamMode::kOnDemand;
  if (to_on_demand && ctx.catalog.OnDemandStreamCount(ctx.region) >= ctx.catalog.options().on_demand_stream_limit)
    return reply(ApiError::LimitExceeded("This request would exceed the on-demand stream limit of " +
                                         std::to_string(ctx.catalog.options().on_demand_stream_limit) +
                                         " for the account " + ctx.account() + " in " + ctx.region + "."));
  if (!to_on_demand && in.HasMember("WarmThroughputMiBps"))
    return reply(ApiError::Validation("WarmThroughputMiBps can only be specified for streams in ON_DEMAND mode."));
  if (auto warm = GetInt(in, "WarmThroughputMiBps"); warm && *warm > kMaxWarmThroughputMiBps)
    return reply(ApiError::Validation("WarmThroughputMiBps " + std::to_string(*warm) + " exceeds the maximum of " +
                                      std::to_string(kMaxWarmThroughputMiBps) + " MiBps for an on-demand stream."));
  if (in.HasMember("WarmThroughputMiBps") && !CommitmentEnabled(ctx))
    return reply(
        ApiError::Validation("Warm throughput requires MinimumThroughputBillingCommitment to be enabled "
                             "for the account " +
                             ctx.account() + "."));

  WriterLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (m.status != StreamStatus::kActive) return reply(StreamNotActive(ctx, m));
  if (m.mode == *mode)
    return reply(ApiError::InvalidArgument("Stream " + m.name + " under account " + ctx.account() + " is already in " +
                                           mode_name + " mode."));
  if (!ctx.catalog.limiter().AdmitModeSwitch(LimiterKey(m), ctx.catalog.NowMillis()))
    return reply(ApiError::LimitExceeded(
        "Stream " + m.name + " under account " + ctx.account() + " has already switched capacity mode " +
        std::to_string(ThroughputLimiter::kModeSwitchesPerDay) + " times in the last 24 hours."));
  StreamMeta next = m;
  next.mode = *mode;
  if (auto warm = GetInt(in, "WarmThroughputMiBps")) next.warm_throughput_mibps = static_cast<int>(*warm);
  if (!to_on_demand) next.warm_throughput_mibps = 0;
  // The shards stay as they are: AWS keeps the open shards across a mode
  // switch (provisioned streams then start with the on-demand shard count).
  if (ApiStatus err = Install(ctx, *ref.stream, std::move(next)); !err.ok()) return reply(err.error());
  lk.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);
  reply(std::string("{}"));
}

}  // namespace sluice::kinesis::api
