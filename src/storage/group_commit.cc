#include "storage/group_commit.h"

#include <algorithm>
#include <utility>

namespace sluice::storage {

GroupCommitter::GroupCommitter(int parallel_syncs) {
  // Threads start last, once every member they use exists.
  for (int i = 0; i < std::max(1, parallel_syncs); ++i) threads_.emplace_back([this] { SyncThread(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.NotifyAll();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void GroupCommitter::Commit(ShardLog* log, Callback done) {
  {
    MutexLock lock(mu_);
    if (!stopping_ && !log->SyncWaitsForDisk()) {
      // Publishing only: cheaper here than a hand-off to a sync thread.
      lock.Unlock();
      Status status = log->Sync();
      if (done) done(status);
      return;
    }
    if (!stopping_) {
      LogState& state = logs_[log];
      state.waiting.push_back(std::move(done));
      if (state.syncing || state.queued) return;  // the log's next sync covers it
      state.queued = true;
      ready_.push_back(log);
      lock.Unlock();
      cv_.NotifyOne();
      return;
    }
  }
  if (done) done(Status::Unavailable("the server is shutting down"));
}

void GroupCommitter::SyncThread() {
  std::vector<Callback> batch;
  MutexLock lock(mu_);
  for (;;) {
    while (!stopping_ && ready_.empty()) cv_.Wait(mu_);
    if (ready_.empty()) return;  // stopping, and nothing left to sync
    ShardLog* log = ready_.front();
    ready_.pop_front();
    LogState& state = logs_[log];
    state.queued = false;
    state.syncing = true;
    batch.swap(state.waiting);
    lock.Unlock();

    // Every commit in `batch` was made after its records were appended, so
    // this Sync covers them.
    Status status = log->Sync();
    for (Callback& done : batch)
      if (done) done(status);
    batch.clear();

    lock.Lock();
    LogState& after = logs_[log];  // rehashing may have moved it
    after.syncing = false;
    if (!after.waiting.empty()) {
      after.queued = true;
      ready_.push_back(log);
      cv_.NotifyOne();
    } else {
      logs_.erase(log);
    }
  }
}

}  // namespace sluice::storage
