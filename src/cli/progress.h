// A one-line progress display for terminals (redrawn at most 5 times a
// second on stderr); does nothing when disabled, e.g. when stderr is a file.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "sluice/pipeline/stats.h"

namespace sluice::cli {

class Progress {
 public:
  Progress(bool enabled, int64_t total) : enabled_(enabled), total_(total) {}
  // `prefix` goes before the counts, e.g. "server unreachable, retrying (3 s) | ".
  void Update(int64_t queued, const pipeline::ProducerStatsSnapshot& s, const std::string& prefix = "");
  void UpdateLine(const std::string& line);
  void Finish(int64_t queued, const pipeline::ProducerStatsSnapshot& s);
  void FinishLine();

 private:
  bool Due();
  bool enabled_;
  int64_t total_;
  std::chrono::steady_clock::time_point last_{};
  size_t last_width_ = 0;
};

}  // namespace sluice::cli
