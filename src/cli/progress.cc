#include "cli/progress.h"

#include <cstdio>

namespace sluice::cli {

bool Progress::Due() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return false;
  last_ = now;
  return true;
}

void Progress::UpdateLine(const std::string& line) {
  if (!enabled_ || !Due()) return;
  std::string padded = line;
  if (padded.size() < last_width_) padded.append(last_width_ - padded.size(), ' ');
  last_width_ = line.size();
  std::fprintf(stderr, "\r%s", padded.c_str());
  std::fflush(stderr);
}

void Progress::Update(int64_t queued, const pipeline::ProducerStatsSnapshot& s, const std::string& prefix) {
  if (!enabled_) return;
  std::string bar;
  if (total_ > 0) {
    int filled = static_cast<int>(30.0 * static_cast<double>(s.records_sent) / static_cast<double>(total_));
    bar = "[" + std::string(static_cast<size_t>(std::min(filled, 30)), '#') +
          std::string(static_cast<size_t>(30 - std::min(filled, 30)), ' ') + "] ";
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%llu/%lld sent, %.0f rec/s, %llu retried, %llu failed",
                static_cast<unsigned long long>(s.records_sent), static_cast<long long>(total_ > 0 ? total_ : queued),
                s.records_per_s, static_cast<unsigned long long>(s.entries_retried),
                static_cast<unsigned long long>(s.failed));
  UpdateLine(prefix + bar + buf);
}

void Progress::Finish(int64_t queued, const pipeline::ProducerStatsSnapshot& s) {
  if (!enabled_) return;
  last_ = {};
  Update(queued, s);
  FinishLine();
}

void Progress::FinishLine() {
  if (enabled_) std::fputc('\n', stderr);
}

}  // namespace sluice::cli
