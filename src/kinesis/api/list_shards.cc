// ListShards: the stream's shards, filtered by ShardFilter and paged by
// ExclusiveStartShardId / MaxResults / NextToken (which expires after 300 s).
#include <algorithm>

#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "kinesis/resharding.h"
#include "kinesis/tokens.h"

namespace sluice::kinesis::api {

namespace {
struct Filter {
  std::string type;
  std::optional<std::string> shard_id;
  std::optional<int64_t> timestamp_ms;
};

bool OpenAt(const ShardMeta& s, int64_t t, int64_t stream_created_ms) {
  int64_t at = std::max(t, stream_created_ms);
  return s.created_ms <= at && (!s.closed_ms || *s.closed_ms > at);
}

bool Keep(const Filter& f, const StreamMeta& m, const ShardMeta& s, int64_t trim_horizon) {
  if (f.type == "AFTER_SHARD_ID") return ShardIdFromIndex(s.index) > *f.shard_id;
  if (f.type == "AT_TRIM_HORIZON") return OpenAt(s, trim_horizon, m.created_ms);
  if (f.type == "FROM_TRIM_HORIZON") return !s.closed_ms || *s.closed_ms >= trim_horizon;
  if (f.type == "AT_LATEST") return s.open();
  if (f.type == "AT_TIMESTAMP") return OpenAt(s, *f.timestamp_ms, m.created_ms);
  if (f.type == "FROM_TIMESTAMP") return !s.closed_ms || *s.closed_ms >= *f.timestamp_ms;
  return true;
}
}  // namespace

void ListShards(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto token_text = GetString(in, "NextToken");
  auto start_after = GetString(in, "ExclusiveStartShardId");
  std::shared_ptr<Stream> stream;
  std::optional<int64_t> token_created_ms;
  if (token_text) {
    if (GetString(in, "StreamName") || GetString(in, "StreamARN"))
      return reply(ApiError::InvalidArgument("NextToken and StreamName cannot be provided together."));
    if (start_after)
      return reply(ApiError::InvalidArgument("NextToken and ExclusiveStartShardId cannot be provided together."));
    auto t = DecodePageToken(*token_text, ctx.catalog.token_key());
    if (!t.ok() || t->kind != kListShardsPage) return reply(ApiError::InvalidArgument("Invalid ShardId in NextToken."));
    if (ctx.catalog.NowMillis() - t->issued_ms > kNextTokenLifetimeMs)
      return reply(
          ApiError::ExpiredNextToken("The timestamp (" + std::to_string(t->issued_ms) + ") in NextToken has expired."));
    stream = ctx.catalog.Find(ctx.region, t->stream_name);
    if (!stream) return reply(StreamNotFound(ctx, t->stream_name));
    token_created_ms = t->stream_created_ms;
    start_after = t->after;
  } else {
    auto ref = ResolveStream(ctx, in);
    if (ref.error) return reply(*ref.error);
    stream = ref.stream;
  }

  Filter filter;
  if (auto it = in.FindMember("ShardFilter"); it != in.MemberEnd() && it->value.IsObject()) {
    filter.type = *GetString(it->value, "Type");
    filter.shard_id = GetString(it->value, "ShardId");
    filter.timestamp_ms = GetTimestampMs(it->value, "Timestamp");
    if (filter.type == "AFTER_SHARD_ID" && !filter.shard_id)
      return reply(ApiError::InvalidArgument("Must specify ShardId in ShardFilter of type AFTER_SHARD_ID."));
    if (filter.type != "AFTER_SHARD_ID" && filter.shard_id)
      return reply(ApiError::InvalidArgument("ShardId can only be specified in ShardFilter of type AFTER_SHARD_ID."));
    bool needs_ts = filter.type == "AT_TIMESTAMP" || filter.type == "FROM_TIMESTAMP";
    if (needs_ts && !filter.timestamp_ms)
      return reply(ApiError::InvalidArgument("Must specify Timestamp in ShardFilter of type " + filter.type + "."));
    if (!needs_ts && filter.timestamp_ms)
      return reply(
          ApiError::InvalidArgument("Timestamp can only be specified in ShardFilter of type AT_TIMESTAMP or "
                                    "FROM_TIMESTAMP."));
  }
  // "If you specify a value greater than 1000, at most 1000 results are returned."
  int64_t max_results = std::min<int64_t>(GetInt(in, "MaxResults").value_or(1000), 1000);
  int64_t now = ctx.catalog.NowMillis();

  ReaderLock lk(stream->mu);
  const StreamMeta& m = stream->meta();
  if (token_created_ms && *token_created_ms != m.created_ms) return reply(StreamNotFound(ctx, m.name));
  if (auto created = GetTimestampMs(in, "StreamCreationTimestamp"); created && *created / 1000 != m.created_ms / 1000)
    return reply(StreamNotFound(ctx, m.name));
  if (m.status == StreamStatus::kCreating)
    return reply(ApiError::ResourceInUse("Stream " + m.name + " under account " + ctx.account() +
                                         " is in CREATING state and cannot be listed."));

  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Shards");
  w.StartArray();
  int64_t written = 0;
  bool more = false;
  std::string last;
  for (const auto& shard : m.shards) {
    std::string id = ShardIdFromIndex(shard.index);
    if (start_after && id <= *start_after) continue;
    if (ShardExpired(shard, ctx.catalog.RetentionCutoff(m, now))) continue;  // nothing of it is left
    if (!filter.type.empty() && !Keep(filter, m, shard, ctx.catalog.RetentionCutoff(m, now))) continue;
    if (written == max_results) {
      more = true;
      break;
    }
    WriteShard(w, m, shard);
    last = id;
    ++written;
  }
  w.EndArray();
  if (more) {
    w.Key("NextToken");
    w.String(EncodePageToken({kListShardsPage, m.name, m.created_ms, last, now}, ctx.catalog.token_key()));
  }
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
