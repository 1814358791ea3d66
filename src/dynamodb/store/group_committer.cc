#include "dynamodb/store/group_committer.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace sluice::dynamodb::store {

GroupCommitter::GroupCommitter(std::unique_ptr<WriterSession> session, GroupCommitLimits limits)
    : session_(std::move(session)), limits_(limits) {
  limits_.max_batch_writes = std::max<size_t>(limits_.max_batch_writes, 1);
  kept_.reserve(limits_.max_batch_writes);
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void GroupCommitter::Submit(Body body, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Request{std::move(body), std::move(done)});
  }
  wake_.notify_one();
}

void GroupCommitter::Run() {
  std::vector<Request> batch;
  batch.reserve(limits_.max_batch_writes);
  for (;;) {
    bool purge = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return !queue_.empty() || stopping_ || (session_->HasPurges() && !purge_paused_); });
      if (queue_.empty() && stopping_) return;
      // Everything queued so far (up to the limit) joins this batch; what
      // arrives meanwhile waits for the next one.
      size_t n = std::min(queue_.size(), limits_.max_batch_writes);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (n > 0) purge_paused_ = false;
      purge = !stopping_ && session_->HasPurges() && !purge_paused_;
    }
    if (!batch.empty()) RunBatch(batch);
    batch.clear();
    // One chunk of a table/index removal between batches: writes wait for
    // at most one chunk.
    if (purge) {
      Status st = session_->PurgeChunk(limits_.purge_chunk_rows);
      std::lock_guard<std::mutex> lock(mu_);
      if (st.ok()) {
        ++purge_chunks_;
      } else {
        purge_paused_ = true;  // retried after the next write, not in a busy loop
      }
    }
  }
}

void GroupCommitter::RunBatch(std::vector<Request>& batch) {
  Status begin = session_->BeginBatch();
  if (!begin.ok()) {
    session_->RollbackBatch();
    for (Request& r : batch) {
      if (r.done) r.done(begin);
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++batches_;
    bodies_ += batch.size();
    return;
  }
  kept_.clear();
  Status lost;  // set when SQLite dropped the whole transaction
  size_t ran = 0;
  for (; ran < batch.size(); ++ran) {
    if (ran > 0 && session_->batch_bytes() >= limits_.max_batch_bytes) break;
    Request& r = batch[ran];
    Status st = lost;
    if (st.ok()) st = session_->BeginBody();
    if (st.ok()) {
      WriteTxn txn = session_->MakeTxn();
      try {
        st = r.body(txn);
      } catch (const std::exception& e) {
        st = Status::Internal(std::string("write body threw: ") + e.what());
      } catch (...) {
        st = Status::Internal("write body threw");
      }
      // A body that ignored a failed statement is still rolled back.
      if (st.ok() && !session_->body_error().ok()) st = session_->body_error();
      if (st.ok()) {
        st = session_->KeepBody();
      } else {
        session_->DropBody();
      }
      if (!session_->in_transaction()) {
        lost = st.ok() ? Status::IoError("dynamodb store: transaction rolled back by SQLite") : st;
        st = lost;
      }
    }
    if (st.ok()) {
      kept_.push_back(std::move(r.done));
    } else if (r.done) {
      r.done(st);  // at once: nothing of this body is in the batch
    }
  }
  if (ran < batch.size()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = batch.size(); i-- > ran;) queue_.push_front(std::move(batch[i]));
  }
  Status commit = lost;
  if (commit.ok()) commit = session_->CommitBatch();
  if (!commit.ok()) session_->RollbackBatch();
  {
    // Counted before the callbacks: whoever a `done` wakes sees this batch.
    std::lock_guard<std::mutex> lock(mu_);
    ++batches_;
    bodies_ += ran;
    largest_batch_ = std::max<uint64_t>(largest_batch_, ran);
  }
  for (Done& done : kept_) {
    if (done) done(commit);
  }
  kept_.clear();
}

uint64_t GroupCommitter::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_;
}

uint64_t GroupCommitter::bodies() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_;
}

uint64_t GroupCommitter::largest_batch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return largest_batch_;
}

uint64_t GroupCommitter::purge_chunks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return purge_chunks_;
}

}  // namespace sluice::dynamodb::store
