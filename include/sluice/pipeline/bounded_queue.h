// BoundedQueue<T>: a multi-producer multi-consumer FIFO bounded both in items
// and in bytes, for back-pressure between the producer thread (generator or
// NDJSON reader) and the sender thread(s): when senders fall behind, Push()
// blocks, so memory stays bounded instead of growing with the backlog.
//
// Bytes are whatever the caller says an item weighs (e.g. RecordRequestBytes).
// An item heavier than max_bytes is admitted only into an empty queue, so it
// cannot block forever.
//
// Close/drain: Close() makes every later Push() fail (returns false, item not
// moved from) and wakes all waiters; Pop() keeps returning the items still
// queued and reports kClosed only once the queue is closed AND empty. So
// "producer: push..., Close(); senders: pop until kClosed" sends everything.
//
// Thread-safety: every method may be called concurrently from any thread.
// Items are moved in and out; the queue owns them while queued.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "sluice/mutex.h"

namespace sluice::pipeline {

template <typename T>
class BoundedQueue {
 public:
  enum class PopStatus { kItem, kTimeout, kClosed };

  // Both limits >= 1 (0 is treated as 1).
  BoundedQueue(size_t max_items, size_t max_bytes)
      : max_items_(max_items ? max_items : 1), max_bytes_(max_bytes ? max_bytes : 1) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Blocks until there is room (or the queue is closed). true = queued and
  // `item` moved from; false = closed, `item` untouched.
  bool Push(T&& item, size_t bytes) {
    MutexLock lock(mu_);
    if (!closed_ && !HasRoom(bytes)) {
      ++waiting_pushers_;
      while (!closed_ && !HasRoom(bytes)) not_full_.Wait(mu_);
      --waiting_pushers_;
    }
    if (closed_) return false;
    Enqueue(std::move(item), bytes);
    lock.Unlock();
    not_empty_.NotifyOne();
    return true;
  }

  // Never blocks: false (item untouched) when full or closed.
  bool TryPush(T&& item, size_t bytes) {
    MutexLock lock(mu_);
    if (closed_ || !HasRoom(bytes)) return false;
    Enqueue(std::move(item), bytes);
    lock.Unlock();
    not_empty_.NotifyOne();
    return true;
  }

  // Blocks until an item is available or the queue is closed and drained.
  PopStatus Pop(T* out) { return PopUntil(std::chrono::steady_clock::time_point::max(), out); }

  // As Pop(), but gives up with kTimeout at `deadline` (e.g. the batcher's
  // linger deadline).
  PopStatus PopUntil(std::chrono::steady_clock::time_point deadline, T* out) {
    MutexLock lock(mu_);
    while (items_.empty()) {
      if (closed_) return PopStatus::kClosed;
      ++waiting_poppers_;
      bool timed_out = false;
      if (deadline == std::chrono::steady_clock::time_point::max()) {
        not_empty_.Wait(mu_);
      } else {
        timed_out = !not_empty_.WaitUntil(mu_, deadline);
      }
      --waiting_poppers_;
      if (timed_out && items_.empty()) return closed_ ? PopStatus::kClosed : PopStatus::kTimeout;
    }
    *out = std::move(items_.front().first);
    bytes_ -= items_.front().second;
    items_.pop_front();
    lock.Unlock();
    not_full_.NotifyAll();  // several small pushers may fit now
    return PopStatus::kItem;
  }

  PopStatus PopFor(std::chrono::milliseconds timeout, T* out) {
    return PopUntil(std::chrono::steady_clock::now() + timeout, out);
  }

  // Idempotent. Items already queued stay poppable.
  void Close() {
    {
      MutexLock lock(mu_);
      closed_ = true;
    }
    not_full_.NotifyAll();
    not_empty_.NotifyAll();
  }

  bool closed() const {
    MutexLock lock(mu_);
    return closed_;
  }
  size_t size() const {
    MutexLock lock(mu_);
    return items_.size();
  }
  size_t bytes() const {
    MutexLock lock(mu_);
    return bytes_;
  }
  // Largest number of items ever queued at once (for the final summary).
  size_t high_water_items() const {
    MutexLock lock(mu_);
    return high_water_;
  }
  // Threads waiting right now in Push() for room, and in Pop()/PopUntil()
  // for an item: a test knows a thread is blocked without sleeping.
  size_t waiting_pushers() const {
    MutexLock lock(mu_);
    return waiting_pushers_;
  }
  size_t waiting_poppers() const {
    MutexLock lock(mu_);
    return waiting_poppers_;
  }
  size_t max_items() const { return max_items_; }
  size_t max_bytes() const { return max_bytes_; }

 private:
  bool HasRoom(size_t bytes) const SLUICE_REQUIRES(mu_) {
    if (items_.empty()) return true;
    return items_.size() < max_items_ && bytes_ + bytes <= max_bytes_;
  }
  void Enqueue(T&& item, size_t bytes) SLUICE_REQUIRES(mu_) {
    items_.emplace_back(std::move(item), bytes);
    bytes_ += bytes;
    if (items_.size() > high_water_) high_water_ = items_.size();
  }

  const size_t max_items_;
  const size_t max_bytes_;
  mutable Mutex mu_;
  CondVar not_full_;
  CondVar not_empty_;
  std::deque<std::pair<T, size_t>> items_ SLUICE_GUARDED_BY(mu_);
  size_t bytes_ SLUICE_GUARDED_BY(mu_) = 0;
  size_t high_water_ SLUICE_GUARDED_BY(mu_) = 0;
  size_t waiting_pushers_ SLUICE_GUARDED_BY(mu_) = 0;
  size_t waiting_poppers_ SLUICE_GUARDED_BY(mu_) = 0;
  bool closed_ SLUICE_GUARDED_BY(mu_) = false;
};

}  // namespace sluice::pipeline
