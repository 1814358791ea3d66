// GroupCommitter: makes appended records durable in batches, one log at a
// time per log and many logs at once. A Commit() for a log with no sync in
// flight queues a sync of that log for the next free sync thread; commits
// that arrive while that log is syncing wait for the log's next sync, which
// starts as soon as the current one ends. Distinct logs never wait for each
// other, so shards are synced concurrently (on the disks measured here, four
// fdatasyncs at once take about as long as one).
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "storage/shard_log.h"

namespace sluice::storage {

class GroupCommitter {
 public:
  // `done` is invoked on a sync thread once every record that `log` had
  // appended before Commit() was called is durable and published, or with
  // the error that prevented it. It must not block for long. A log whose
  // Sync() does not wait for the disk (FsyncPolicy::kOsBuffered) is
  // published at once and `done` runs before Commit() returns.
  using Callback = std::function<void(const Status&)>;

  // `parallel_syncs`: how many logs are synced at once (sync threads).
  explicit GroupCommitter(int parallel_syncs = 4);
  ~GroupCommitter();  // Stop()
  // Finishes every queued request (running its callback), then stops the
  // threads. Idempotent. Commit() after Stop() fails the request at once.
  void Stop();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // `log` must stay alive until `done` has run.
  void Commit(ShardLog* log, Callback done);

 private:
  // Per log with commits outstanding; erased when it has none.
  struct LogState {
    std::vector<Callback> waiting;  // covered by the log's next sync
    bool syncing = false;           // a sync thread is in log->Sync()
    bool queued = false;            // the log is in ready_
  };
  void SyncThread() EXCLUDES(mu_);

  Mutex mu_;
  CondVar cv_;
  std::unordered_map<ShardLog*, LogState> logs_ GUARDED_BY(mu_);
  std::deque<ShardLog*> ready_ GUARDED_BY(mu_);  // logs whose next sync may start now
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace sluice::storage
