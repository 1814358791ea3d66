#include "storage/fault_stats.h"

#include <iostream>
#include <utility>

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
  const std::pair<const char*, const std::atomic<uint64_t>*> fields[] = {
      {"write_failures", &c.write_failures}, {"sync_failures", &c.sync_failures}, {"repairs", &c.repairs},
      {"corrupt_frames", &c.corrupt_frames}, {"torn_tails", &c.torn_tails}};
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

}  // namespace sluice::storage
