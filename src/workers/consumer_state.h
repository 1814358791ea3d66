// Consumer::ShardState: what the consumer's loops (polling, consumer.cc, and
// enhanced fan-out, consumer_efo.cc) know of one shard. Internal.
#pragma once

#include <cstdint>
#include <string>

#include "sluice/consumer.h"

namespace sluice::workers {

struct Consumer::ShardState {
  std::string shard_id;
  std::string parent_shard_id;
  std::string iterator;            // empty: get one (from the checkpoint) before polling
  std::string last_sequence;       // last record processed or skipped
  uint64_t last_sub_sequence = 0;  // its last user record, when aggregated
  bool finished = false;
  int64_t next_poll_ms = 0;
};

}  // namespace sluice::workers
