// KplAggregator: packs small producer records into KPL aggregated records
// (codec/kpl_aggregation.h), the way the Kinesis Producer Library does, so
// that one Kinesis record carries many user records.
//
// Records are grouped by the shard they hash to (MD5 of the partition key, or
// the explicit hash key) under the shard map given at construction, so every
// user record of an aggregated record belongs to the shard that stores it.
// The aggregated record takes the first user record's partition key and, as
// its ExplicitHashKey, that record's hash key: Kinesis routes it exactly
// where the first user record would have gone. A group is emitted when adding
// the next record would take it over max_bytes (the whole encoded record:
// magic, protobuf and MD5), when it holds max_records, or when linger_ms have
// passed since its first record. A record too large to share (over max_bytes
// on its own) passes through unaggregated. Order is kept per shard, hence per
// partition key.
//
// Thread-safety: none; the owner serialises calls (the producer's batch thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/clock.h"
#include "sluice/pipeline/record.h"

namespace sluice::pipeline {

struct KplAggregatorOptions {
  size_t max_bytes = 51'200;            // the KPL's AggregationMaxSize default
  size_t max_records = 4'294'967'295u;  // the KPL's AggregationMaxCount default
  int64_t linger_ms = 100;
};

// The open shards' hash-key ranges, as ListShards reports them (decimal).
struct ShardRange {
  std::string shard_id;
  std::string starting_hash_key;
  std::string ending_hash_key;
};

class KplAggregator {
 public:
  // `clock` must outlive the aggregator. With no shard ranges every record
  // goes to one group (a stream with one shard).
  KplAggregator(KplAggregatorOptions options, std::vector<ShardRange> shards, const Clock* clock);
  ~KplAggregator();
  KplAggregator(KplAggregator&&) noexcept;

  // Adds a user record; appends to `ready` the records this completes.
  void Add(Record record, std::vector<Record>* ready);
  // Groups whose linger time has passed.
  void Poll(std::vector<Record>* ready);
  // Everything buffered.
  void Flush(std::vector<Record>* ready);
  // Earliest linger deadline of a buffered group, if any.
  std::optional<int64_t> NextDeadlineMs() const;

 private:
  struct Group;
  size_t ShardIndexOf(const Record& record) const;
  void Emit(Group& group, std::vector<Record>* ready);

  KplAggregatorOptions options_;
  const Clock* clock_;
  std::vector<std::pair<unsigned __int128, unsigned __int128>> ranges_;
  std::map<size_t, Group> groups_;  // by shard index
};

}  // namespace sluice::pipeline
