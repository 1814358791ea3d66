// Where a delivery stream's records come from, read in-process (no HTTP hop):
// the DirectPut spool, or the shards of the Kinesis source stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace sluice::kinesis {
class StreamCatalog;
}
namespace sluice::storage {
class ShardLog;
}

namespace sluice::firehose::engine {

struct SourceRecord {
  uint32_t partition = 0;  // spool: 0; Kinesis: shard index
  uint64_t offset = 0;     // position within the partition
  int64_t arrival_ms = 0;  // ApproximateArrivalTimestamp
  std::string partition_key;
  std::string data;
};

class Source {
 public:
  virtual ~Source() = default;
  // The partitions to read now. For Kinesis this follows resharding.
  virtual Result<std::vector<uint32_t>> Partitions() = 0;
  // Where reading starts for a partition with no saved position.
  virtual Result<uint64_t> InitialOffset(uint32_t partition) = 0;
  // Reads durable records of `partition` from `offset` (at most max_bytes of
  // data, at least one record when any is available).
  virtual Result<std::vector<SourceRecord>> Read(uint32_t partition, uint64_t offset, size_t max_records,
                                                 size_t max_bytes, uint64_t* next_offset) = 0;
};

// DirectPut: the delivery stream's spool; everything in it is delivered.
std::unique_ptr<Source> SpoolSource(storage::ShardLog* spool);

// KinesisStreamAsSource: every shard of `stream_name` in `region`, starting
// at `start_ms` (the delivery stream's creation: AWS reads from LATEST then);
// shards created later are read from their beginning.
std::unique_ptr<Source> KinesisSource(kinesis::StreamCatalog* catalog, std::string region, std::string stream_name,
                                      int64_t start_ms);

}  // namespace sluice::firehose::engine
