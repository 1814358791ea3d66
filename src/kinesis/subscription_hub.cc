#include "kinesis/subscription_hub.h"

#include <vector>

namespace sluice::kinesis {

using SteadyClock = std::chrono::steady_clock;

SubscriptionHub::SubscriptionHub() : thread_([this] { Run(); }) {}

SubscriptionHub::~SubscriptionHub() { Stop(); }

void SubscriptionHub::Stop() {
  {
    MutexLock lk(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

uint64_t SubscriptionHub::Wait(const void* key, SteadyClock::time_point deadline, Wake wake) {
  MutexLock lk(mu_);
  if (stopping_) {
    lk.Unlock();
    wake(true);
    return 0;
  }
  uint64_t id = next_id_++;
  parked_.emplace(id, Parked{key, deadline, std::move(wake)});
  by_key_.emplace(key, id);
  lk.Unlock();
  cv_.NotifyAll();  // the earliest deadline may have changed
  return id;
}

void SubscriptionHub::Cancel(uint64_t id) {
  MutexLock lk(mu_);
  auto it = parked_.find(id);
  if (it == parked_.end()) return;
  auto [lo, hi] = by_key_.equal_range(it->second.key);
  for (auto k = lo; k != hi; ++k)
    if (k->second == id) {
      by_key_.erase(k);
      break;
    }
  parked_.erase(it);
}

void SubscriptionHub::Notify(const void* key) {
  {
    MutexLock lk(mu_);
    auto [lo, hi] = by_key_.equal_range(key);
    if (lo == hi) return;
    for (auto k = lo; k != hi; ++k) {
      auto it = parked_.find(k->second);
      due_.emplace_back(std::move(it->second.wake), false);
      parked_.erase(it);
    }
    by_key_.erase(lo, hi);
  }
  cv_.NotifyAll();
}

bool SubscriptionHub::Claim(const std::string& consumer_shard, std::chrono::milliseconds min_gap,
                            std::function<void()> end) {
  std::function<void()> previous;
  {
    MutexLock lk(mu_);
    auto now = SteadyClock::now();
    auto it = claims_.find(consumer_shard);
    if (it != claims_.end()) {
      if (now - it->second.started < min_gap) return false;
      previous = std::move(it->second.end);
    }
    claims_[consumer_shard] = Claimed{now, std::move(end)};
  }
  if (previous) previous();
  return true;
}

void SubscriptionHub::Run() {
  std::vector<std::pair<Wake, bool>> run;
  MutexLock lk(mu_);
  for (;;) {
    // Move what is due (notified, or past its deadline) out, run it unlocked.
    auto now = SteadyClock::now();
    for (auto it = parked_.begin(); it != parked_.end();) {
      if (it->second.deadline <= now || stopping_) {
        auto [lo, hi] = by_key_.equal_range(it->second.key);
        for (auto k = lo; k != hi; ++k)
          if (k->second == it->first) {
            by_key_.erase(k);
            break;
          }
        due_.emplace_back(std::move(it->second.wake), true);
        it = parked_.erase(it);
      } else {
        ++it;
      }
    }
    run.swap(due_);
    if (run.empty()) {
      if (stopping_) return;
      auto next = SteadyClock::time_point::max();
      for (const auto& [id, p] : parked_) next = std::min(next, p.deadline);
      if (next == SteadyClock::time_point::max()) cv_.Wait(mu_);
      else cv_.WaitUntil(mu_, next);
      continue;
    }
    lk.Unlock();
    for (auto& [wake, timed_out] : run) wake(timed_out);
    run.clear();
    lk.Lock();
  }
}

}  // namespace sluice::kinesis
