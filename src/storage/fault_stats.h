// Process-wide counters of storage faults (failed writes and syncs, repairs,
// damaged frames found), and the one place that reports them on stderr.
// The server shows the counters on GET /_sluice/health.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::storage {

struct FaultCounters {
  std::atomic<uint64_t> write_failures{0};  // a pwritev of an append failed (cut back)
  std::atomic<uint64_t> sync_failures{0};   // an fdatasync/fsync before publishing failed
  std::atomic<uint64_t> repairs{0};         // a failed shard log was repaired and took appends again
  std::atomic<uint64_t> corrupt_frames{0};  // damaged frames found in the middle of a segment
  std::atomic<uint64_t> torn_tails{0};      // torn tails cut from an active segment at open
};

FaultCounters& Faults();

// Writes "sluice: storage: <message>" to stderr (one line).
void ReportFault(std::string_view message);

// {"write_failures":N,...}: the counters as a JSON object.
std::string FaultCountersJson();

// {"open_segment_files":N,...}: the default FdCache's and DataQuota's
// figures (storage/fd_cache.h, storage/data_quota.h) as a JSON object.
std::string StorageResourcesJson();

}  // namespace sluice::storage
