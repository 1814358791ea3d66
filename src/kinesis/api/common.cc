#include "codec/base64.h"
#include "kinesis/api/context.h"
#include "model/arn.h"
#include "model/sequence_number.h"

namespace sluice::kinesis::api {

ApiError StreamNotFound(const Context& ctx, const std::string& name) {
  return ApiError::ResourceNotFound("Stream " + name + " under account " + ctx.account() + " not found.");
}

ApiError StreamNotActive(const Context& ctx, const StreamMeta& meta) {
  return ApiError::ResourceInUse("Stream " + meta.name + " under account " + ctx.account() +
                                 " not ACTIVE, instead in state " + std::string(StatusName(meta.status)));
}

ApiError ShardNotFound(const Context& ctx, const std::string& stream, const std::string& shard_id) {
  return ApiError::ResourceNotFound("Shard " + shard_id + " in stream " + stream + " under account " + ctx.account() +
                                    " does not exist");
}

std::string LimiterKey(const StreamMeta& meta) {
  return meta.region + "/" + meta.name + "/" + std::to_string(meta.created_ms);
}

ApiError ThroughputExceeded(const Context& ctx, const StreamMeta& meta, uint32_t shard) {
  return ApiError{"ProvisionedThroughputExceededException", "Rate exceeded for shard " + ShardIdFromIndex(shard) +
                                                                " in stream " + meta.name + " under account " +
                                                                ctx.account() + "."};
}

bool AcceptsData(StreamStatus s) { return s == StreamStatus::kActive || s == StreamStatus::kUpdating; }

StreamRef ResolveStream(Context& ctx, const rapidjson::Value& in) {
  auto name = GetString(in, "StreamName");
  auto arn = GetString(in, "StreamARN");
  std::string region = ctx.region;
  if (arn) {
    auto parsed = model::ParseStreamArn(*arn);
    if (!parsed || !parsed->consumer.empty())
      return {nullptr, ApiError::InvalidArgument("Invalid StreamARN " + *arn + ".")};
    if (name && *name != parsed->stream_name)
      return {nullptr, ApiError::InvalidArgument("StreamARN " + *arn + " and StreamName " + *name +
                                                 " do not refer to the same stream.")};
    if (parsed->account != ctx.account()) return {nullptr, StreamNotFound(ctx, parsed->stream_name)};
    region = parsed->region;
    name = parsed->stream_name;
  }
  if (!name) return {nullptr, ApiError::InvalidArgument("Either StreamName or StreamARN must be provided.")};
  auto stream = ctx.catalog.Find(region, *name);
  if (!stream) return {nullptr, StreamNotFound(ctx, *name)};
  return {stream, std::nullopt};
}

StreamRef ResolveResource(Context& ctx, const rapidjson::Value& in) {
  std::string arn = *GetString(in, "ResourceARN");
  auto parsed = model::ParseStreamArn(arn);
  if (!parsed) return {nullptr, ApiError::InvalidArgument("Invalid ResourceARN " + arn + ".")};
  if (!parsed->consumer.empty()) return {nullptr, ApiError::ResourceNotFound("Consumer " + arn + " not found.")};
  if (parsed->account != ctx.account()) return {nullptr, StreamNotFound(ctx, parsed->stream_name)};
  auto stream = ctx.catalog.Find(parsed->region, parsed->stream_name);
  if (!stream) return {nullptr, StreamNotFound(ctx, parsed->stream_name)};
  return {stream, std::nullopt};
}

void WriteTimestamp(JsonWriter& w, int64_t ms) { w.Double(static_cast<double>(ms) / 1000.0); }

void WriteShard(JsonWriter& w, const StreamMeta& meta, const ShardMeta& shard) {
  w.StartObject();
  w.Key("ShardId");
  w.String(ShardIdFromIndex(shard.index));
  if (shard.parent) {
    w.Key("ParentShardId");
    w.String(ShardIdFromIndex(*shard.parent));
  }
  if (shard.adjacent_parent) {
    w.Key("AdjacentParentShardId");
    w.String(ShardIdFromIndex(*shard.adjacent_parent));
  }
  WriteHashKeyRange(w, shard.range);
  w.Key("SequenceNumberRange");
  w.StartObject();
  w.Key("StartingSequenceNumber");
  // The shard's first sequence number; it does not move when retention trims.
  w.String(model::FormatSequenceNumber({meta.epoch_s(), shard.index, 0}));
  if (shard.ending_offset) {
    w.Key("EndingSequenceNumber");
    uint64_t last = *shard.ending_offset > 0 ? *shard.ending_offset - 1 : 0;
    w.String(model::FormatSequenceNumber({meta.epoch_s(), shard.index, last}));
  }
  w.EndObject();
  w.EndObject();
}

void WriteHashKeyRange(JsonWriter& w, const model::HashKeyRange& range) {
  w.Key("HashKeyRange");
  w.StartObject();
  w.Key("StartingHashKey");
  w.String(model::HashKeyToDecimal(range.start));
  w.Key("EndingHashKey");
  w.String(model::HashKeyToDecimal(range.end));
  w.EndObject();
}

void WriteStreamModeDetails(JsonWriter& w, const StreamMeta& meta) {
  w.Key("StreamModeDetails");
  w.StartObject();
  w.Key("StreamMode");
  w.String(std::string(StreamModeName(meta.mode)));
  w.EndObject();
}

std::string Finish(const rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }

}  // namespace sluice::kinesis::api

namespace sluice::kinesis::api {

std::optional<IteratorType> ParseIteratorType(std::string_view s) {
  if (s == "AT_SEQUENCE_NUMBER") return IteratorType::kAtSequenceNumber;
  if (s == "AFTER_SEQUENCE_NUMBER") return IteratorType::kAfterSequenceNumber;
  if (s == "TRIM_HORIZON") return IteratorType::kTrimHorizon;
  if (s == "LATEST") return IteratorType::kLatest;
  if (s == "AT_TIMESTAMP") return IteratorType::kAtTimestamp;
  return std::nullopt;
}

ApiResult<uint64_t> StartingOffset(Context& ctx, const StreamMeta& m, uint32_t index, storage::ShardLog* log,
                                   IteratorType type, const std::optional<std::string>& starting,
                                   const std::optional<int64_t>& timestamp) {
  const ShardMeta& shard = m.shards[index];
  const std::string shard_id = ShardIdFromIndex(index);
  uint64_t end = shard.ending_offset.value_or(log->committed_end());
  uint64_t offset = 0;
  if (type == IteratorType::kTrimHorizon) {
    // The oldest record still within the retention period.
    int64_t cutoff = ctx.catalog.RetentionCutoff(m, ctx.catalog.NowMillis());
    auto first_kept = log->FindByTime(cutoff);
    offset = std::max(log->start_offset(), first_kept.ok() ? std::min(*first_kept, end) : 0);
  } else if (type == IteratorType::kLatest) {
    offset = end;
  } else if (type == IteratorType::kAtTimestamp) {
    auto found = log->FindByTime(timestamp.value_or(0));
    if (!found.ok()) return ApiError::InternalFailure(found.status().message());
    offset = std::min(*found, end);
  } else {
    auto pos = model::ParseSequenceNumber(starting.value_or(""));
    if (!pos || pos->stream_epoch_s != m.epoch_s())
      return ApiError::InvalidArgument(
          "Invalid StartingSequenceNumber. It encodes a sequence number that was "
          "not issued by stream " +
          m.name + ".");
    if (pos->shard_index != index)
      return ApiError::InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                                       ShardIdFromIndex(pos->shard_index) +
                                       ", while it was used in a call to a shard with " + shard_id);
    offset = pos->offset + (type == IteratorType::kAfterSequenceNumber ? 1 : 0);
    if (offset > end)
      return ApiError::InvalidArgument("StartingSequenceNumber " + *starting + " used on shard " + shard_id +
                                       " in stream " + m.name + " under account " + ctx.account() +
                                       " is invalid because it did not come from this stream.");
  }
  return offset;
}

void WriteRecord(JsonWriter& w, const StreamMeta& m, uint32_t shard, const storage::StoredRecord& r, std::string* b64) {
  w.StartObject();
  w.Key("SequenceNumber");
  w.String(model::FormatSequenceNumber({m.epoch_s(), shard, r.offset}));
  w.Key("ApproximateArrivalTimestamp");
  WriteTimestamp(w, r.arrival_ms);
  w.Key("Data");
  // base64 never needs JSON escaping: write it verbatim, quotes included.
  b64->assign(1, '"');
  codec::Base64Encode(r.data, b64);
  b64->push_back('"');
  w.RawValue(b64->data(), b64->size(), rapidjson::kStringType);
  w.Key("PartitionKey");
  w.String(r.partition_key.data(), static_cast<rapidjson::SizeType>(r.partition_key.size()));
  w.EndObject();
}

void WriteChildShards(JsonWriter& w, const StreamMeta& m, uint32_t parent) {
  w.Key("ChildShards");
  w.StartArray();
  for (const auto& s : m.shards) {
    if (s.parent != parent && s.adjacent_parent != parent) continue;
    w.StartObject();
    w.Key("ShardId");
    w.String(ShardIdFromIndex(s.index));
    w.Key("ParentShards");
    w.StartArray();
    if (s.parent) w.String(ShardIdFromIndex(*s.parent));
    if (s.adjacent_parent) w.String(ShardIdFromIndex(*s.adjacent_parent));
    w.EndArray();
    WriteHashKeyRange(w, s.range);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace sluice::kinesis::api
