#include "storage/group_commit.h"

#include <algorithm>
#include <latch>
#include <utility>

namespace sluice::storage {

GroupCommitter::GroupCommitter(int parallel_syncs) {
  // Threads start last, once every member they use exists.
  for (int i = 1; i < std::max(1, parallel_syncs); ++i) workers_.emplace_back([this] { SyncWorker(); });
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    work_stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
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

void GroupCommitter::SyncWorker() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(work_mu_);
      work_cv_.wait(lock, [this] { return work_stopping_ || !work_.empty(); });
      if (work_.empty()) return;
      task = std::move(work_.back());
      work_.pop_back();
    }
    task();
  }
}

void GroupCommitter::Run() {
  std::vector<Pending> batch;
  std::vector<ShardLog*> logs;
  std::vector<Status> results;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping and drained
      batch.swap(pending_);
    }
    // One Sync per distinct log; every request in the batch was made after
    // its records were appended, so this Sync covers them.
    logs.clear();
    for (const Pending& p : batch)
      if (std::find(logs.begin(), logs.end(), p.log) == logs.end()) logs.push_back(p.log);
    results.assign(logs.size(), Status::Ok());
    size_t helpers = std::min(logs.size() - 1, workers_.size());
    std::latch helped(static_cast<std::ptrdiff_t>(helpers));
    if (helpers > 0) {
      {
        std::lock_guard<std::mutex> lock(work_mu_);
        for (size_t i = 1; i <= helpers; ++i)
          work_.push_back([&, i] {
            results[i] = logs[i]->Sync();
            helped.count_down();
          });
      }
      work_cv_.notify_all();
    }
    results[0] = logs[0]->Sync();
    for (size_t i = helpers + 1; i < logs.size(); ++i) results[i] = logs[i]->Sync();
    helped.wait();
    for (Pending& p : batch) {
      size_t i = static_cast<size_t>(std::find(logs.begin(), logs.end(), p.log) - logs.begin());
      if (p.done) p.done(results[i]);
    }
    batch.clear();
  }
}

}  // namespace sluice::storage
