// ShardBudget: the server-wide bound on shards (--max-total-shards), across
// every region and account. --shard-limit bounds the open shards of one
// region, but the region is any name a client signs with, so without a
// server-wide bound streams in ever more regions would grow the server's
// shard logs (directories, files, recovery time at start) without limit.
//
// It counts shard logs: every shard of every stream, open or closed (a
// closed shard keeps its log until the stream is deleted). CreateStream
// reserves the stream's shards, SplitShard/MergeShards/UpdateShardCount the
// shards they add; a deleted stream gives its shards back.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "base/mutex.h"
#include "base/status.h"

namespace sluice::kinesis {

class ShardBudget {
 public:
  // `max_total` <= 0: unlimited (still counted).
  explicit ShardBudget(int64_t max_total) : max_(max_total) {}
  ShardBudget(const ShardBudget&) = delete;
  ShardBudget& operator=(const ShardBudget&) = delete;

  // Shards taken from the budget; given back on destruction unless Keep()
  // was called (so every failure path of a change releases them).
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& o) noexcept : budget_(o.budget_), shards_(o.shards_) { o.budget_ = nullptr; }
    Reservation& operator=(Reservation&&) = delete;
    ~Reservation() {
      if (budget_) budget_->Release(shards_);
    }
    // The change succeeded: the shards stay counted.
    void Keep() { budget_ = nullptr; }

   private:
    friend class ShardBudget;
    Reservation(ShardBudget* budget, int64_t shards) : budget_(budget), shards_(shards) {}
    ShardBudget* budget_ = nullptr;
    int64_t shards_ = 0;
  };

  // Takes `shards` from the budget, or fails with ResourceExhausted and an
  // AWS-style message (the API answers LimitExceededException with it).
  Result<Reservation> Reserve(int64_t shards);
  void Release(int64_t shards);
  // Sets the count (after loading the streams from disk).
  void Set(int64_t used);

  int64_t used() const;
  int64_t max() const { return max_; }

 private:
  const int64_t max_;
  mutable Mutex mu_;
  int64_t used_ GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::kinesis
