// Typed requests and results of the Kinesis Data Streams operations the
// client implements. Field names follow the AWS API (snake_case); optional
// members are std::optional and are omitted from the request when empty.
// Blobs (record data) are raw bytes here; base64 is the wire's business.
// Timestamps are milliseconds since the Unix epoch (the wire uses seconds
// with a fraction).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::client::kinesis {

// A stream named by name or by ARN (set exactly one; ARN wins if both are).
struct StreamId {
  std::string name;
  std::string arn;
  static StreamId Name(std::string n) { return {std::move(n), {}}; }
  static StreamId Arn(std::string a) { return {{}, std::move(a)}; }
};

struct HashKeyRange {
  std::string starting_hash_key;  // decimal, 0 .. 2^128-1
  std::string ending_hash_key;
};

struct SequenceNumberRange {
  std::string starting_sequence_number;
  std::optional<std::string> ending_sequence_number;  // set once the shard is closed
};

struct Shard {
  std::string shard_id;
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  HashKeyRange hash_key_range;
  SequenceNumberRange sequence_number_range;
};

// --- CreateStream ---------------------------------------------------------
struct CreateStreamRequest {
  std::string stream_name;
  std::optional<int> shard_count;          // required for PROVISIONED
  std::optional<std::string> stream_mode;  // "PROVISIONED" | "ON_DEMAND"
  std::map<std::string, std::string> tags;
};

// --- DeleteStream ---------------------------------------------------------
struct DeleteStreamRequest {
  StreamId stream;
  std::optional<bool> enforce_consumer_deletion;
};

// --- DescribeStreamSummary ------------------------------------------------
struct StreamSummary {
  std::string stream_name;
  std::string stream_arn;
  std::string stream_status;  // CREATING | DELETING | ACTIVE | UPDATING
  std::string stream_mode;    // from StreamModeDetails; "" if absent
  int retention_period_hours = 0;
  int64_t stream_creation_timestamp_ms = 0;
  int open_shard_count = 0;
  std::optional<int> consumer_count;
  std::string encryption_type;
  std::optional<std::string> key_id;
  // The largest record (data + partition key) the stream takes, KiB; absent
  // from servers that predate UpdateMaxRecordSize (then 1024).
  std::optional<int> max_record_size_kib;
};

// --- ListShards -----------------------------------------------------------
struct ShardFilter {
  // AFTER_SHARD_ID | AT_TRIM_HORIZON | FROM_TRIM_HORIZON | AT_LATEST |
  // AT_TIMESTAMP | FROM_TIMESTAMP
  std::string type;
  std::optional<std::string> shard_id;
  std::optional<int64_t> timestamp_ms;
};

struct ListShardsRequest {
  StreamId stream;                        // not sent with next_token
  std::optional<std::string> next_token;  // continue a listing
  std::optional<std::string> exclusive_start_shard_id;
  std::optional<int> max_results;  // 1..10000
  std::optional<int64_t> stream_creation_timestamp_ms;
  std::optional<ShardFilter> shard_filter;  // not sent with next_token
};

struct ListShardsResult {
  std::vector<Shard> shards;
  std::optional<std::string> next_token;
};

// --- PutRecord ------------------------------------------------------------
struct PutRecordRequest {
  StreamId stream;
  std::string data;  // raw bytes
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
  std::optional<std::string> sequence_number_for_ordering;
};

struct PutRecordResult {
  std::string shard_id;
  std::string sequence_number;
  std::string encryption_type;
};

// --- PutRecords -----------------------------------------------------------
struct PutRecordsEntry {
  std::string data;  // raw bytes
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
};

struct PutRecordsRequest {
  StreamId stream;
  std::vector<PutRecordsEntry> records;  // 1..500
};

// One per request entry, in order: either shard_id + sequence_number, or
// error_code (ProvisionedThroughputExceededException, InternalFailure, ...)
// + error_message.
struct PutRecordsResultEntry {
  std::string shard_id;
  std::string sequence_number;
  std::string error_code;
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct PutRecordsResult {
  int failed_record_count = 0;
  std::vector<PutRecordsResultEntry> records;
  std::string encryption_type;
};

// --- GetShardIterator -----------------------------------------------------
enum class ShardIteratorType { kAtSequenceNumber, kAfterSequenceNumber, kAtTimestamp, kTrimHorizon, kLatest };
const char* ShardIteratorTypeName(ShardIteratorType type);  // "AT_SEQUENCE_NUMBER", ...

struct GetShardIteratorRequest {
  StreamId stream;
  std::string shard_id;
  ShardIteratorType type = ShardIteratorType::kTrimHorizon;
  std::optional<std::string> starting_sequence_number;  // AT_/AFTER_SEQUENCE_NUMBER
  std::optional<int64_t> timestamp_ms;                  // AT_TIMESTAMP
};

struct GetShardIteratorResult {
  std::string shard_iterator;
};

// --- GetRecords -----------------------------------------------------------
struct GetRecordsRequest {
  std::string shard_iterator;
  std::optional<int> limit;  // 1..10000
  std::optional<std::string> stream_arn;
};

struct Record {
  std::string sequence_number;
  int64_t approximate_arrival_timestamp_ms = 0;
  std::string data;  // raw bytes
  std::string partition_key;
  std::string encryption_type;
};

struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  HashKeyRange hash_key_range;
};

struct GetRecordsResult {
  std::vector<Record> records;
  // Absent once the shard is closed and fully read: then child_shards says
  // where to continue.
  std::optional<std::string> next_shard_iterator;
  std::optional<int64_t> millis_behind_latest;
  std::vector<ChildShard> child_shards;
};

struct Empty {};

// --- Enhanced fan-out -------------------------------------------------------
struct StreamConsumer {
  std::string consumer_name;
  std::string consumer_arn;
  std::string consumer_status;  // CREATING | DELETING | ACTIVE
};

struct SubscribeToShardRequest {
  std::string consumer_arn;
  std::string shard_id;
  ShardIteratorType type = ShardIteratorType::kTrimHorizon;  // StartingPosition.Type
  std::optional<std::string> sequence_number;
  std::optional<int64_t> timestamp_ms;
};

// One SubscribeToShardEvent. At the end of a closed shard:
// continuation_sequence_number is absent and child_shards says where to go.
struct SubscribeToShardEvent {
  std::vector<Record> records;
  std::optional<std::string> continuation_sequence_number;
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;
};

}  // namespace sluice::client::kinesis
