// FaultInjectionFileSystem: a MemFileSystem (io/mem_file_system.h) that can
// lose power, for tests. The shape follows leveldb's FaultInjectionTestEnv:
// the file system remembers what was made durable, and a power cut throws
// away everything else; the test then "reboots" and recovers from what is
// left.
//
// Fault model:
//   * Sync points are the calls that make something durable: Fdatasync,
//     Fsync (a file's contents) and SyncDir (creations, renames and unlinks
//     in a directory). They are counted from construction (or Reboot), so a
//     first run of a workload tells how many it has.
//   * CutPowerAtSync(n) arms a cut just before the n-th sync point (0-based)
//     takes effect: that sync fails, and so does everything after it.
//   * CutPowerAtWrite(n, keep) cuts during the n-th Pwritev: only the first
//     keep(total) bytes of it reach the file (a torn write, e.g. part of a
//     page), and the cut keeps the unsynced tails of all files (kKeep), so
//     the torn bytes are really on "disk" after the reboot.
//   * A cut runs MemFileSystem::DropUnsynced(): file contents go back to
//     their last sync, directory entries to their directory's last SyncDir
//     (unsynced creations, renames and unlinks are undone), handles close.
//   * While the power is off every call fails with EIO (Close succeeds), as
//     the process would be dead; Reboot() turns it back on.
// Not modelled: reordering inside a synced range (a sync is atomic here),
// lost or corrupted synced data (bit rot is the CRC tests' job), metadata
// other than names (sizes of unsynced files follow Unsynced).
//
// Thread-safety: all methods may be called concurrently; calls are
// serialized, so no write can slip in after a cut.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "io/file_system.h"
#include "io/mem_file_system.h"

namespace sluice::io {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(MemFileSystem* base) : base_(base) {}

  Result<int> Open(const std::filesystem::path& path, int flags, mode_t mode = 0600) override;
  Status Close(int fd) override;
  Result<size_t> Pread(int fd, char* dst, size_t n, uint64_t pos) override;
  Result<size_t> Pwritev(int fd, const iovec* iov, int cnt, uint64_t pos) override;
  Status Fdatasync(int fd) override;
  Status Fsync(int fd) override;
  Status Ftruncate(int fd, uint64_t size) override;
  Result<uint64_t> FileSize(int fd) override;
  Result<uint64_t> FileSizeAt(const std::filesystem::path& path) override;
  bool Exists(const std::filesystem::path& path) override;
  Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status Unlink(const std::filesystem::path& path) override;
  Status Mkdir(const std::filesystem::path& path, mode_t mode = 0700) override;
  Status SyncDir(const std::filesystem::path& dir) override;
  Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) override;

  // Cuts the power now (see the fault model).
  void CutPower(MemFileSystem::Unsynced unsynced = MemFileSystem::Unsynced::kDrop);
  // Cuts the power just before sync point `n` (0-based since construction
  // or the last Reboot) takes effect.
  void CutPowerAtSync(uint64_t n, MemFileSystem::Unsynced unsynced = MemFileSystem::Unsynced::kDrop);
  // Cuts the power during Pwritev number `n` (0-based, same counting), of
  // whose `total` bytes only keep(total) (clamped) are written.
  void CutPowerAtWrite(uint64_t n, std::function<size_t(size_t total)> keep);
  // Power back on: counters restart at 0, nothing is armed, every call works.
  void Reboot();

  bool powered_off() const;
  uint64_t sync_points() const;  // sync points reached so far
  uint64_t writes() const;       // Pwritev calls so far
  // "fdatasync <path>" / "syncdir <path>" for each sync point so far (reports).
  std::vector<std::string> sync_log() const;

 private:
  // EIO while the power is off. Needs mu_.
  Status DeadLocked(std::string_view what) const REQUIRES(mu_);
  // Counts a sync point and cuts the power if it is the armed one; false
  // when the call must fail. Needs mu_.
  bool SyncPointLocked(std::string what) REQUIRES(mu_);
  void CutLocked(MemFileSystem::Unsynced unsynced) REQUIRES(mu_);

  MemFileSystem* const base_;
  mutable Mutex mu_;  // held across each call into base_
  bool off_ GUARDED_BY(mu_) = false;
  uint64_t syncs_ GUARDED_BY(mu_) = 0;
  uint64_t writes_ GUARDED_BY(mu_) = 0;
  std::optional<uint64_t> cut_at_sync_ GUARDED_BY(mu_);
  MemFileSystem::Unsynced cut_unsynced_ GUARDED_BY(mu_) = MemFileSystem::Unsynced::kDrop;
  std::optional<uint64_t> cut_at_write_ GUARDED_BY(mu_);
  std::function<size_t(size_t)> cut_keep_ GUARDED_BY(mu_);
  std::vector<std::string> sync_log_ GUARDED_BY(mu_);
  std::unordered_map<int, std::string> names_ GUARDED_BY(mu_);  // open handle -> path (for sync_log)
};

}  // namespace sluice::io
