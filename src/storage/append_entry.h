// AppendEntry: one record handed to a shard log (storage/shard_log.h) and
// on to the segment that frames it (storage/segment.h). A header of its own
// so that the segment does not include its owner.
#pragma once

#include <string_view>

namespace sluice::storage {

// One record to append. Views must stay valid during the Append call.
struct AppendEntry {
  std::string_view partition_key;  // 1..256 bytes (validated by the caller)
  std::string_view data;           // 0..10 MiB
};

}  // namespace sluice::storage
