// GetShardIterator: turns one of the five iterator types into an opaque,
// signed position (kinesis/tokens.h).
#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "kinesis/resharding.h"
#include "kinesis/tokens.h"
#include "model/sequence_number.h"

namespace sluice::kinesis::api {

void GetShardIterator(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string shard_id = *GetString(in, "ShardId");
  std::string type = *GetString(in, "ShardIteratorType");
  std::optional<IteratorType> kind = ParseIteratorType(type);  // the model's enum: checked
  if (!kind) return reply(ApiError::InvalidArgument("Unknown ShardIteratorType " + type + "."));
  auto starting = GetString(in, "StartingSequenceNumber");
  auto timestamp = GetTimestampMs(in, "Timestamp");
  bool by_sequence = *kind == IteratorType::kAtSequenceNumber || *kind == IteratorType::kAfterSequenceNumber;
  if (by_sequence && !starting)
    return reply(
        ApiError::InvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                                  "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                  "StartingSequenceNumber. Request specified " +
                                  type + " and no StartingSequenceNumber."));
  if (!by_sequence && starting)
    return reply(
        ApiError::InvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                                  "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                  "StartingSequenceNumber. Request specified " +
                                  type + " and also a StartingSequenceNumber."));
  if (*kind == IteratorType::kAtTimestamp && !timestamp)
    return reply(
        ApiError::InvalidArgument("Must specify timestampInMillis parameter for iterator of type "
                                  "AT_TIMESTAMP. Current request has no timestamp parameter."));
  if (*kind != IteratorType::kAtTimestamp && timestamp)
    return reply(
        ApiError::InvalidArgument("Must specify timestampInMillis parameter only for iterator of type "
                                  "AT_TIMESTAMP. Current request has ShardIteratorType " +
                                  type + "."));

  ReaderLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (!AcceptsData(m.status)) return reply(StreamNotFound(ctx, m.name));
  auto index = ShardIndexFromId(shard_id);
  if (!index || *index >= m.shards.size()) return reply(ShardNotFound(ctx, m.name, shard_id));
  const ShardMeta& shard = m.shards[*index];
  if (ShardExpired(shard, ctx.catalog.RetentionCutoff(m, ctx.catalog.NowMillis())))
    return reply(ShardNotFound(ctx, m.name, shard_id));
  storage::ShardLog* log = ref.stream->log(*index);
  if (!ctx.catalog.limiter().AdmitIterator(LimiterKey(m), *index, ctx.catalog.NowMillis()))
    return reply(ThroughputExceeded(ctx, m, *index));
  auto offset = StartingOffset(ctx, m, *index, log, *kind, starting, timestamp);
  if (!offset.ok()) return reply(offset.error());
  IteratorPosition pos{m.region, m.name, m.created_ms, *index, *offset, ctx.catalog.NowMillis()};
  reply("{\"ShardIterator\":\"" + EncodeShardIterator(pos, ctx.catalog.token_key()) + "\"}");
}

}  // namespace sluice::kinesis::api
