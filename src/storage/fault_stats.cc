#include "storage/fault_stats.h"

#include <iostream>
#include <utility>

#include "storage/data_quota.h"
#include "storage/fd_cache.h"

namespace sluice::storage {

FaultCounters& Faults() {
  static FaultCounters counters;
  return counters;
}

void ReportFault(std::string_view message) {
  std::string line = "sluice: storage: ";
  line += message;
  line += '\n';
  std::cerr << line << std::flush;
}

std::string FaultCountersJson() {
  const FaultCounters& c = Faults();
  const std::pair<const char*, const std::atomic<uint64_t>*> fields[] = {{"write_failures", &c.write_failures},
                                                                         {"sync_failures", &c.sync_failures},
                                                                         {"repairs", &c.repairs},
                                                                         {"corrupt_frames", &c.corrupt_frames},
                                                                         {"torn_tails", &c.torn_tails}};
  std::string out = "{";
  for (const auto& [name, value] : fields) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    out += std::to_string(value->load(std::memory_order_relaxed));
  }
  out += '}';
  return out;
}

std::string StorageResourcesJson() {
  FdCache::Stats f = FdCache::Default().stats();
  const DataQuota& q = DataQuota::Default();
  return "{\"open_segment_files\":" + std::to_string(f.open) + ",\"pinned_segment_files\":" + std::to_string(f.pinned) +
         ",\"max_open_files\":" + std::to_string(f.max_open) + ",\"segment_opens\":" + std::to_string(f.opens) +
         ",\"segment_evictions\":" + std::to_string(f.evictions) + ",\"data_bytes\":" + std::to_string(q.used()) +
         ",\"max_data_bytes\":" + std::to_string(q.limit()) + "}";
}

}  // namespace sluice::storage
