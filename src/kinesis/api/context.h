// What every Kinesis action handler receives, and the helpers they share.
// A handler validates what the model cannot express, acts on the catalog and
// answers exactly once through `reply` — synchronously, or later from the
// group-commit thread for writes.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "kinesis/catalog.h"
#include "protocol/api_error.h"
#include "protocol/json_input.h"

namespace sluice::kinesis::api {

using protocol::ApiError;
using protocol::ApiResult;
using protocol::ApiStatus;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

using protocol::Outcome;
using protocol::Reply;

struct Context {
  StreamCatalog& catalog;
  std::string region;
  const std::string& account() const { return catalog.options().account; }
};

using Handler = void (*)(Context& ctx, const rapidjson::Value& input, Reply reply);

// --- input helpers (the shape validator already checked types) ---
using protocol::GetBool;
using protocol::GetInt;
using protocol::GetString;
using protocol::GetTimestampMs;

// The stream named by StreamName and/or StreamARN in `in`, or the AWS error
// (ResourceNotFoundException, InvalidArgumentException).
struct StreamRef {
  std::shared_ptr<Stream> stream;
  std::optional<ApiError> error;
};
StreamRef ResolveStream(Context& ctx, const rapidjson::Value& in);
// The stream named by ResourceARN, which must be a stream ARN (a consumer
// ARN gives ResourceNotFound; see ResolveConsumer for those).
StreamRef ResolveResource(Context& ctx, const rapidjson::Value& in);

ApiError StreamNotFound(const Context& ctx, const std::string& name);
// ResourceInUseException for a stream that must be ACTIVE but is not.
ApiError StreamNotActive(const Context& ctx, const StreamMeta& meta);
ApiError ShardNotFound(const Context& ctx, const std::string& stream, const std::string& shard_id);
// The consumer named by ConsumerARN, or by StreamARN + ConsumerName, or the
// AWS error (ResourceNotFoundException, InvalidArgumentException).
struct ConsumerRef {
  std::shared_ptr<Stream> stream;
  std::string consumer;  // its name
  std::optional<ApiError> error;
};
ConsumerRef ResolveConsumer(Context& ctx, const rapidjson::Value& in);
ConsumerRef ResolveConsumerArn(Context& ctx, const std::string& consumer_arn);

// Identifies a stream to the ThroughputLimiter (a re-created stream of the
// same name starts with fresh buckets).
std::string LimiterKey(const StreamMeta& meta);
// ProvisionedThroughputExceededException for `shard`.
ApiError ThroughputExceeded(const Context& ctx, const StreamMeta& meta, uint32_t shard);
// Streams that accept reads and writes: ACTIVE or UPDATING.
bool AcceptsData(StreamStatus s);

// --- output helpers ---
void WriteTimestamp(JsonWriter& w, int64_t ms);  // epoch seconds with ms fraction
void WriteShard(JsonWriter& w, const StreamMeta& meta, const ShardMeta& shard);
void WriteStreamModeDetails(JsonWriter& w, const StreamMeta& meta);
void WriteHashKeyRange(JsonWriter& w, const model::HashKeyRange& range);
std::string Finish(const rapidjson::StringBuffer& sb);

// GetShardIterator's ShardIteratorType and SubscribeToShard's
// StartingPosition.Type; nullopt for any other string.
enum class IteratorType { kAtSequenceNumber, kAfterSequenceNumber, kTrimHorizon, kLatest, kAtTimestamp };
std::optional<IteratorType> ParseIteratorType(std::string_view s);

// The log offset a starting position names (AT_/AFTER_SEQUENCE_NUMBER with
// `sequence`, TRIM_HORIZON, LATEST, AT_TIMESTAMP with `timestamp_ms`), or the
// error AWS gives for a sequence number of another stream or shard.
ApiResult<uint64_t> StartingOffset(Context& ctx, const StreamMeta& m, uint32_t index, storage::ShardLog* log,
                                   IteratorType type, const std::optional<std::string>& sequence,
                                   const std::optional<int64_t>& timestamp_ms);
// One record as GetRecords and SubscribeToShard answer it. `b64` is scratch
// space reused across calls.
void WriteRecord(JsonWriter& w, const StreamMeta& m, uint32_t shard, const storage::StoredRecord& r, std::string* b64);
// "ChildShards": the shards whose parent or adjacent parent is `parent`.
void WriteChildShards(JsonWriter& w, const StreamMeta& m, uint32_t parent);

// Every action, looked up by operation name; nullptr when not implemented.
Handler FindHandler(std::string_view operation);

}  // namespace sluice::kinesis::api
