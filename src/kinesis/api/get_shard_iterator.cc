// GetShardIterator: turns one of the five iterator types into an opaque,
// signed position (kinesis/tokens.h).
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
  auto starting = GetString(in, "StartingSequenceNumber");
  auto timestamp = GetTimestampMs(in, "Timestamp");
  bool by_sequence = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
  if (by_sequence && !starting)
    return reply(ApiError::InvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                                           "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                           "StartingSequenceNumber. Request specified " + type +
                                           " and no StartingSequenceNumber."));
  if (!by_sequence && starting)
    return reply(ApiError::InvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                                           "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                           "StartingSequenceNumber. Request specified " + type +
                                           " and also a StartingSequenceNumber."));
  if (type == "AT_TIMESTAMP" && !timestamp)
    return reply(ApiError::InvalidArgument("Must specify timestampInMillis parameter for iterator of type "
                                           "AT_TIMESTAMP. Current request has no timestamp parameter."));
  if (type != "AT_TIMESTAMP" && timestamp)
    return reply(ApiError::InvalidArgument("Must specify timestampInMillis parameter only for iterator of type "
                                           "AT_TIMESTAMP. Current request has ShardIteratorType " + type + "."));

  std::shared_lock lk(ref.stream->mu);
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
  uint64_t end = shard.ending_offset.value_or(log->committed_end());

  uint64_t offset = 0;
  if (type == "TRIM_HORIZON") {
    // The oldest record still within the retention period.
    int64_t cutoff = ctx.catalog.RetentionCutoff(m, ctx.catalog.NowMillis());
    auto first_kept = log->FindByTime(cutoff);
    offset = std::max(log->start_offset(), first_kept.ok() ? std::min(*first_kept, end) : 0);
  } else if (type == "LATEST") {
    offset = end;
  } else if (type == "AT_TIMESTAMP") {
    auto found = log->FindByTime(*timestamp);
    if (!found.ok()) return reply(ApiError::InternalFailure(found.status().message()));
    offset = std::min(*found, end);
  } else {
    auto pos = model::ParseSequenceNumber(*starting);
    if (!pos || pos->stream_epoch_s != m.epoch_s())
      return reply(ApiError::InvalidArgument("Invalid StartingSequenceNumber. It encodes a sequence number that was "
                                             "not issued by stream " + m.name + "."));
    if (pos->shard_index != *index)
      return reply(ApiError::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                             ShardIdFromIndex(pos->shard_index) +
                                             ", while it was used in a call to a shard with " + shard_id));
    offset = pos->offset + (type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
    if (offset > end)
      return reply(ApiError::InvalidArgument("StartingSequenceNumber " + *starting + " used in GetShardIterator on "
                                             "shard " + shard_id + " in stream " + m.name + " under account " +
                                             ctx.account() + " is invalid because it did not come from this stream."));
  }
  IteratorPosition pos{m.region, m.name, m.created_ms, *index, offset, ctx.catalog.NowMillis()};
  reply("{\"ShardIterator\":\"" + EncodeShardIterator(pos, ctx.catalog.token_key()) + "\"}");
}

}  // namespace sluice::kinesis::api
