// DedupWindow: the consumer's in-memory set of recently seen event ids,
// bounded by count and by age, evicting oldest first (insertion order).
// SeenOrInsert() is O(1) amortised.
//
// Persistence: the window remembers what changed since its contents were
// last made durable (ids inserted, previously durable ids evicted), so
// CheckpointStore::Commit() writes only that delta, in the same SQLite
// transaction as the checkpoints, then calls AcknowledgeDelta().
//
// Age: an id inserted at t is evicted by any call at now_ms >= t + max_age_ms.
// Eviction walks from the oldest insertion and stops at the first id still
// young enough, so with a clock that steps backwards some ids may outlive
// max_age_ms until the entries inserted before them are evicted; the count
// bound always holds.
//
// Thread-safety: none; one consumer thread owns a window (or guard it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sluice::pipeline {

struct DedupWindowOptions {
  size_t max_entries = 100'000;    // >= 1
  int64_t max_age_ms = 3'600'000;  // >= 1 (1 h)
};

struct DedupEntry {
  std::string event_id;
  int64_t first_seen_ms = 0;
};

// What to write so the durable copy matches the window: delete `evicted`,
// then insert `inserted` (in that order: an id can be evicted and inserted
// again within one delta).
struct DedupDelta {
  std::vector<DedupEntry> inserted;  // oldest first
  std::vector<std::string> evicted;
  uint64_t end_seq = 0;      // for AcknowledgeDelta
  size_t evicted_count = 0;  // for AcknowledgeDelta
};

class DedupWindow {
 public:
  explicit DedupWindow(DedupWindowOptions options = {});
  DedupWindow(DedupWindow&&) noexcept;
  DedupWindow& operator=(DedupWindow&&) noexcept;
  DedupWindow(const DedupWindow&) = delete;
  DedupWindow& operator=(const DedupWindow&) = delete;

  // true = `id` is in the window (a duplicate; nothing changes). false = it
  // was not: it is now inserted with first_seen = now_ms. Evicts expired
  // entries first and the oldest entries beyond max_entries after.
  bool SeenOrInsert(std::string_view id, int64_t now_ms);
  bool Contains(std::string_view id) const { return index_.count(id) != 0; }
  // Evicts the entries that are too old at now_ms.
  void EvictExpired(int64_t now_ms);

  // Adds an entry that is already durable (loading); it is not part of the
  // next delta. Call only before the first SeenOrInsert(), oldest first; a
  // duplicate id is ignored; the count bound applies (the oldest restored
  // entries are evicted, and that eviction is part of the next delta).
  void Restore(std::string id, int64_t first_seen_ms);

  // Changes since the last acknowledged delta. Does not modify the window.
  DedupDelta PendingDelta() const;
  // Marks `delta` (from PendingDelta(), with no window change in between) durable.
  void AcknowledgeDelta(const DedupDelta& delta);
  bool has_pending_changes() const;

  size_t size() const { return entries_.size(); }
  uint64_t evictions() const { return evictions_; }
  const DedupWindowOptions& options() const { return options_; }

 private:
  struct Entry {
    std::string id;
    int64_t first_seen_ms;
    uint64_t seq;
  };
  void EvictFront();

  DedupWindowOptions options_;
  // Entries in insertion order; std::deque keeps element addresses stable on
  // push_back/pop_front, so index_ can view the ids in place.
  std::deque<Entry> entries_;
  std::unordered_set<std::string_view> index_;
  uint64_t next_seq_ = 0;
  uint64_t durable_seq_ = 0;                  // entries with seq < durable_seq_ are durable
  std::vector<std::string> evicted_durable_;  // durable ids evicted since the last acknowledge
  uint64_t evictions_ = 0;
};

}  // namespace sluice::pipeline
