// GroupCommitter: the table store's one writer thread. Queued bodies are run
// in batches: one transaction per batch, one SAVEPOINT per body, one COMMIT
// (one WAL sync) per batch, then each kept body's `done` (TableStore's
// contract, table_store.h). Between batches it removes deleted tables and
// dropped indexes a chunk at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/status.h"
#include "dynamodb/store/writer_session.h"

namespace sluice::dynamodb::store {

struct GroupCommitLimits {
  size_t max_batch_writes = 512;
  size_t max_batch_bytes = 8u << 20;
  size_t purge_chunk_rows = 2000;
};

class GroupCommitter {
 public:
  using Body = std::function<Status(WriteTxn&)>;
  using Done = std::function<void(Status)>;

  // Starts the writer thread, which owns `session` from now on.
  GroupCommitter(std::unique_ptr<WriterSession> session, GroupCommitLimits limits);
  // Commits what is queued, then stops the thread.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void Submit(Body body, Done done);

  uint64_t batches() const;
  uint64_t bodies() const;
  uint64_t largest_batch() const;
  uint64_t purge_chunks() const;

 private:
  struct Request {
    Body body;
    Done done;
  };

  void Run();
  // Runs `batch` as one group commit; bodies the byte limit left out are
  // put back at the front of the queue.
  void RunBatch(std::vector<Request>& batch);

  std::unique_ptr<WriterSession> session_;
  GroupCommitLimits limits_;
  std::vector<Done> kept_;  // writer thread: the dones waiting for the COMMIT

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  bool purge_paused_ = false;  // after a failed chunk, until the next write
  uint64_t batches_ = 0;
  uint64_t bodies_ = 0;
  uint64_t largest_batch_ = 0;
  uint64_t purge_chunks_ = 0;

  std::thread thread_;
};

}  // namespace sluice::dynamodb::store
