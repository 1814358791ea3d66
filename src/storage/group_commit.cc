#include "storage/group_commit.h"

#include <unordered_map>
#include <utility>

namespace sluice::storage {

GroupCommitter::GroupCommitter() : thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitter::Commit(ShardLog* log, Callback done) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stopping_) {
      pending_.push_back(Pending{log, std::move(done)});
      lock.unlock();
      cv_.notify_one();
      return;
    }
  }
  if (done) done(Status::Unavailable("the server is shutting down"));
}

void GroupCommitter::Run() {
  std::vector<Pending> batch;
  std::unordered_map<ShardLog*, Status> synced;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping and drained
      batch.swap(pending_);
    }
    // One Sync per distinct log; every request in the batch was made after
    // its records were appended, so this Sync covers them.
    synced.clear();
    for (const Pending& p : batch) {
      if (!synced.contains(p.log)) synced.emplace(p.log, p.log->Sync());
    }
    for (Pending& p : batch) {
      if (p.done) p.done(synced.at(p.log));
    }
    batch.clear();
  }
}

}  // namespace sluice::storage
