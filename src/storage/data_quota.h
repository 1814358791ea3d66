// DataQuota: an optional bound on the bytes the server stores in its data
// directory (--max-data-bytes), so appends are refused with a clear error
// before the disk fills up.
//
// Usage is tracked incrementally: every writer of bulk data (shard log and
// spool appends, S3 object and part files) Charge()s the bytes before it
// writes them and Release()s them when the write fails or the file is
// deleted. Metadata (stream.json, index.db, .idx files) is not charged per
// write; it and every deletion no writer reports (a deleted stream's
// directory) are picked up by Recount(), which walks the directory once at
// startup and then every few seconds in the background (never per request).
// Between recounts the figure can only be too high, never too low, except for
// metadata written meanwhile.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <thread>

#include "base/mutex.h"
#include "base/status.h"

namespace sluice::storage {

class DataQuota {
 public:
  DataQuota() = default;
  ~DataQuota();  // StopRecounting()
  DataQuota(const DataQuota&) = delete;
  DataQuota& operator=(const DataQuota&) = delete;

  // The quota the server's shard logs and object store charge.
  static DataQuota& Default();

  // 0 = unlimited (usage is still tracked).
  void SetLimit(uint64_t limit_bytes) { limit_.store(limit_bytes, std::memory_order_relaxed); }
  uint64_t limit() const { return limit_.load(std::memory_order_relaxed); }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }

  // Adds `bytes` to the usage unless that takes it over the limit, in which
  // case nothing is added and the answer is ResourceExhausted with a message
  // naming the quota (the callers pass it to the client).
  Status Charge(uint64_t bytes);
  // Adds without checking (small metadata that must be written anyway).
  void Add(uint64_t bytes) {
    used_.fetch_add(bytes, std::memory_order_relaxed);
    charged_.fetch_add(bytes, std::memory_order_relaxed);
  }
  // Gives back bytes charged before (failed write, deleted file). Never
  // goes below 0.
  void Release(uint64_t bytes);

  // Sets the usage to the size of the regular files under `dir` (symlinks
  // are not followed). Errors (a file vanishing meanwhile) are skipped.
  void Recount(const std::filesystem::path& dir);
  // Recount(dir) every `period` on a background thread until
  // StopRecounting(). Replaces a previous recounting thread.
  void StartRecounting(const std::filesystem::path& dir, std::chrono::milliseconds period);
  void StopRecounting();

  // True when `status` is a refusal of Charge() (not a disk error).
  static bool IsQuotaRefusal(const Status& status);

 private:
  std::atomic<uint64_t> limit_{0};
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> charged_{0};   // every Charge/Add ever (for Recount)
  std::atomic<uint64_t> released_{0};  // every Release ever

  Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // the recounting thread: Start/StopRecounting only
};

}  // namespace sluice::storage
