// GroupCommitter: one background thread that makes appended records durable in
// batches. Requests that arrive while an fdatasync is running are served by
// the next one, so many concurrent puts share each disk flush.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/status.h"
#include "storage/shard_log.h"

namespace sluice::storage {

class GroupCommitter {
 public:
  // `done` is invoked on the committer thread once every record that `log`
  // had appended before Commit() was called is durable and published, or
  // with the error that prevented it. It must not block for long.
  using Callback = std::function<void(const Status&)>;

  GroupCommitter();
  ~GroupCommitter();  // Stop()
  // Finishes every queued request (running its callback), then stops the
  // thread. Idempotent. Commit() after Stop() fails the request at once.
  void Stop();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // `log` must stay alive until `done` has run.
  void Commit(ShardLog* log, Callback done);

 private:
  void Run();

  struct Pending {
    ShardLog* log;
    Callback done;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::storage
