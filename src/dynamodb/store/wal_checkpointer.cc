#include "dynamodb/store/wal_checkpointer.h"

#include <algorithm>
#include <utility>

namespace sluice::dynamodb::store {

WalCheckpointer::WalCheckpointer(std::unique_ptr<Connection> connection, int threshold_pages)
    : conn_(std::move(connection)), threshold_pages_(std::max(threshold_pages, 1)) {
  thread_ = std::thread([this] { Run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::Watch(sqlite3* writer) { sqlite3_wal_hook(writer, &WalCheckpointer::OnCommit, this); }

int WalCheckpointer::OnCommit(void* self, sqlite3* /*db*/, const char* /*name*/, int wal_pages) {
  auto* me = static_cast<WalCheckpointer*>(self);
  if (wal_pages >= me->threshold_pages_) {
    {
      std::lock_guard<std::mutex> lock(me->mu_);
      me->wanted_ = true;
    }
    me->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
    }
    // PASSIVE copies what no reader still needs and never waits; a later
    // commit wakes us again if the WAL is still long. The writer restarts
    // the WAL from its beginning once a checkpoint has copied all of it.
    int log = 0;
    int copied = 0;
    sqlite3_wal_checkpoint_v2(conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    std::lock_guard<std::mutex> lock(mu_);
    ++checkpoints_;
  }
}

uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

}  // namespace sluice::dynamodb::store
