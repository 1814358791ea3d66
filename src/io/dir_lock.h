// DirLock: one writer per directory of durable state. An exclusive flock(2)
// on `<dir>/LOCK`, held for the life of the object (and released by the
// kernel when the process dies, so a kill -9 never leaves a stale lock).
// The file holds the holder's PID so a refused process can name it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/status.h"

namespace sluice::io {

class DirLock {
 public:
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  DirLock(DirLock&& other) noexcept;
  DirLock& operator=(DirLock&& other) noexcept;
  ~DirLock();

  // Takes the lock on `lock_file` (created 0600 if missing) without waiting.
  // FailedPrecondition, naming the holder's PID, when another process (or
  // another DirLock in this one) holds it; `what` names the state in the
  // message ("the data directory /srv/sluice").
  static Result<DirLock> Acquire(const std::filesystem::path& lock_file, const std::string& what);

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace sluice::io
