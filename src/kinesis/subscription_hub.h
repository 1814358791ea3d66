// SubscriptionHub: what enhanced fan-out subscriptions (SubscribeToShard)
// wait on. A subscription with nothing to send parks a wake-up on its shard's
// log; the put path calls Notify(log) once records are durable, so records
// are pushed within a thread hand-off of their commit instead of a poll
// interval; a deadline (heartbeat, end of the 5-minute subscription) wakes
// it otherwise. Wake-ups run on the hub's own thread, never on the caller's.
//
// It also keeps the (consumer, shard) registry behind AWS's rules: a second
// SubscribeToShard within 5 s of a successful one is refused; a later one
// takes over, ending the earlier subscription.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "base/mutex.h"

namespace sluice::kinesis {

class SubscriptionHub {
 public:
  // `timed_out`: woken by the deadline rather than by Notify.
  using Wake = std::function<void(bool timed_out)>;

  SubscriptionHub();
  ~SubscriptionHub();  // Stop()
  // Runs every parked wake-up as timed out, then ends the thread. Idempotent.
  void Stop();

  // Parks `wake` until Notify(key) or the steady-clock deadline. Returns an
  // id for Cancel. After Stop(), `wake` runs at once on the caller's thread.
  uint64_t Wait(const void* key, std::chrono::steady_clock::time_point deadline, Wake wake);
  // Drops a parked wake-up (no call); no-op when it already ran.
  void Cancel(uint64_t id);
  // Wakes everything parked on `key`. Cheap when nothing is.
  void Notify(const void* key);

  // The (consumer ARN, shard) registry. Claim returns false when a
  // subscription for it started less than `min_gap` ago; otherwise it ends
  // the previous one (calling its `end`) and records `end` for this one.
  bool Claim(const std::string& consumer_shard, std::chrono::milliseconds min_gap, std::function<void()> end);

 private:
  struct Parked {
    const void* key;
    std::chrono::steady_clock::time_point deadline;
    Wake wake;
  };
  void Run() EXCLUDES(mu_);

  Mutex mu_;
  CondVar cv_;
  std::map<uint64_t, Parked> parked_ GUARDED_BY(mu_);
  std::multimap<const void*, uint64_t> by_key_ GUARDED_BY(mu_);
  std::vector<std::pair<Wake, bool>> due_ GUARDED_BY(mu_);  // to run on the thread
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  bool stopping_ GUARDED_BY(mu_) = false;
  struct Claimed {
    std::chrono::steady_clock::time_point started;
    std::function<void()> end;
  };
  std::map<std::string, Claimed> claims_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace sluice::kinesis
