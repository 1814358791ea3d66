#include "sluice/pipeline/dedup_window.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace sluice::pipeline {

DedupWindow::DedupWindow(DedupWindowOptions options) : options_(options) {
  if (options_.max_entries < 1) options_.max_entries = 1;
  if (options_.max_age_ms < 1) options_.max_age_ms = 1;
}

// Moving a deque moves its block map, not its elements, so the string_views
// in index_ stay valid.
DedupWindow::DedupWindow(DedupWindow&&) noexcept = default;
DedupWindow& DedupWindow::operator=(DedupWindow&&) noexcept = default;

void DedupWindow::EvictFront() {
  Entry& e = entries_.front();
  index_.erase(std::string_view(e.id));
  if (e.seq < durable_seq_) evicted_durable_.push_back(std::move(e.id));
  entries_.pop_front();
  ++evictions_;
}

void DedupWindow::EvictExpired(int64_t now_ms) {
  while (!entries_.empty() && now_ms - entries_.front().first_seen_ms >= options_.max_age_ms) EvictFront();
}

bool DedupWindow::SeenOrInsert(std::string_view id, int64_t now_ms) {
  EvictExpired(now_ms);
  if (index_.count(id) != 0) return true;
  entries_.push_back(Entry{std::string(id), now_ms, next_seq_++});
  index_.insert(std::string_view(entries_.back().id));
  while (entries_.size() > options_.max_entries) EvictFront();
  return false;
}

void DedupWindow::Restore(std::string id, int64_t first_seen_ms) {
  assert(next_seq_ == durable_seq_ && "Restore() after SeenOrInsert()");
  if (index_.count(id) != 0) return;
  entries_.push_back(Entry{std::move(id), first_seen_ms, next_seq_++});
  index_.insert(std::string_view(entries_.back().id));
  durable_seq_ = next_seq_;
  while (entries_.size() > options_.max_entries) EvictFront();
}

DedupDelta DedupWindow::PendingDelta() const {
  DedupDelta d;
  d.end_seq = next_seq_;
  d.evicted = evicted_durable_;
  d.evicted_count = evicted_durable_.size();
  // Entries not yet durable form the tail of the deque (seq increases along it).
  size_t first = entries_.size();
  while (first > 0 && entries_[first - 1].seq >= durable_seq_) --first;
  d.inserted.reserve(entries_.size() - first);
  for (size_t i = first; i < entries_.size(); ++i) d.inserted.push_back({entries_[i].id, entries_[i].first_seen_ms});
  return d;
}

void DedupWindow::AcknowledgeDelta(const DedupDelta& d) {
  durable_seq_ = std::max(durable_seq_, d.end_seq);
  const size_t n = std::min(d.evicted_count, evicted_durable_.size());
  evicted_durable_.erase(evicted_durable_.begin(), evicted_durable_.begin() + static_cast<ptrdiff_t>(n));
}

bool DedupWindow::has_pending_changes() const {
  return !evicted_durable_.empty() || (!entries_.empty() && entries_.back().seq >= durable_seq_);
}

}  // namespace sluice::pipeline
