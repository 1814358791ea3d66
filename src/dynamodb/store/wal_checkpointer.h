// WalCheckpointer: copies the WAL back into the database file on a thread of
// its own (PASSIVE checkpoints: never blocks the writer or readers), so the
// writer's commits never pay for a checkpoint's page writes and fsync. The
// writer connection's WAL hook wakes it when the WAL has grown past a
// threshold (automatic checkpoints are off on the writer).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "dynamodb/store/sqlite_db.h"

namespace sluice::dynamodb::store {

class WalCheckpointer {
 public:
  // Starts the thread; `connection` is its own connection to the database.
  WalCheckpointer(std::unique_ptr<Connection> connection, int threshold_pages);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Installs the WAL hook on the writer connection `writer`; the hook must
  // be removed (or `writer` closed) before this object is destroyed.
  void Watch(sqlite3* writer);

  uint64_t checkpoints() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* name, int wal_pages);
  void Run();

  std::unique_ptr<Connection> conn_;
  int threshold_pages_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace sluice::dynamodb::store
