#include "io/fault_injection_file_system.h"

#include <cerrno>

namespace sluice::io {

namespace fs = std::filesystem;

Status FaultInjectionFileSystem::DeadLocked(std::string_view what) const {
  errno = EIO;
  return Status::IoError(std::string(what) + ": Input/output error (power is off)");
}

void FaultInjectionFileSystem::CutLocked(MemFileSystem::Unsynced unsynced) {
  if (off_) return;
  base_->DropUnsynced(unsynced);
  off_ = true;
  names_.clear();
}

bool FaultInjectionFileSystem::SyncPointLocked(std::string what) {
  if (off_) return false;
  uint64_t n = syncs_++;
  sync_log_.push_back(std::move(what));
  if (cut_at_sync_ && *cut_at_sync_ == n) {
    CutLocked(cut_unsynced_);
    return false;
  }
  return true;
}

Result<int> FaultInjectionFileSystem::Open(const fs::path& path, int flags, mode_t mode) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("open " + path.string());
  Result<int> fd = base_->Open(path, flags, mode);
  if (fd.ok()) names_[*fd] = path.string();
  return fd;
}

Status FaultInjectionFileSystem::Close(int fd) {
  MutexLock lock(mu_);
  names_.erase(fd);
  if (off_) return Status::Ok();  // the cut closed every handle
  return base_->Close(fd);
}

Result<size_t> FaultInjectionFileSystem::Pread(int fd, char* dst, size_t n, uint64_t pos) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("pread");
  return base_->Pread(fd, dst, n, pos);
}

Result<size_t> FaultInjectionFileSystem::Pwritev(int fd, const iovec* iov, int cnt, uint64_t pos) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("pwritev");
  uint64_t n = writes_++;
  if (cut_at_write_ && *cut_at_write_ == n) {
    size_t total = 0;
    for (int i = 0; i < cnt; ++i) total += iov[i].iov_len;
    size_t keep = std::min(total, cut_keep_ ? cut_keep_(total) : 0);
    std::vector<iovec> part;
    for (int i = 0; i < cnt && keep > 0; ++i) {
      size_t len = std::min(keep, iov[i].iov_len);
      part.push_back({iov[i].iov_base, len});
      keep -= len;
    }
    if (!part.empty())
      base_->Pwritev(fd, part.data(), static_cast<int>(part.size()), pos)
          .IgnoreError();  // the torn part, as far as it gets
    CutLocked(MemFileSystem::Unsynced::kKeep);
    return DeadLocked("pwritev");
  }
  return base_->Pwritev(fd, iov, cnt, pos);
}

Status FaultInjectionFileSystem::Fdatasync(int fd) {
  MutexLock lock(mu_);
  auto name = names_.find(fd);
  if (!SyncPointLocked("fdatasync " + (name == names_.end() ? std::string("?") : name->second)))
    return DeadLocked("fdatasync");
  return base_->Fdatasync(fd);
}

Status FaultInjectionFileSystem::Fsync(int fd) {
  MutexLock lock(mu_);
  auto name = names_.find(fd);
  if (!SyncPointLocked("fsync " + (name == names_.end() ? std::string("?") : name->second))) return DeadLocked("fsync");
  return base_->Fsync(fd);
}

Status FaultInjectionFileSystem::Ftruncate(int fd, uint64_t size) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("ftruncate");
  return base_->Ftruncate(fd, size);
}

Result<uint64_t> FaultInjectionFileSystem::FileSize(int fd) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("fstat");
  return base_->FileSize(fd);
}

Result<uint64_t> FaultInjectionFileSystem::FileSizeAt(const fs::path& path) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("stat " + path.string());
  return base_->FileSizeAt(path);
}

bool FaultInjectionFileSystem::Exists(const fs::path& path) {
  MutexLock lock(mu_);
  if (off_) {
    errno = EIO;
    return false;
  }
  return base_->Exists(path);
}

Status FaultInjectionFileSystem::Rename(const fs::path& from, const fs::path& to) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("rename " + from.string());
  return base_->Rename(from, to);
}

Status FaultInjectionFileSystem::Unlink(const fs::path& path) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("unlink " + path.string());
  return base_->Unlink(path);
}

Status FaultInjectionFileSystem::Mkdir(const fs::path& path, mode_t mode) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("mkdir " + path.string());
  return base_->Mkdir(path, mode);
}

Status FaultInjectionFileSystem::SyncDir(const fs::path& dir) {
  MutexLock lock(mu_);
  if (!SyncPointLocked("syncdir " + dir.string())) return DeadLocked("fsync directory " + dir.string());
  return base_->SyncDir(dir);
}

Result<std::vector<std::string>> FaultInjectionFileSystem::ListDir(const fs::path& dir) {
  MutexLock lock(mu_);
  if (off_) return DeadLocked("opendir " + dir.string());
  return base_->ListDir(dir);
}

void FaultInjectionFileSystem::CutPower(MemFileSystem::Unsynced unsynced) {
  MutexLock lock(mu_);
  CutLocked(unsynced);
}

void FaultInjectionFileSystem::CutPowerAtSync(uint64_t n, MemFileSystem::Unsynced unsynced) {
  MutexLock lock(mu_);
  cut_at_sync_ = n;
  cut_unsynced_ = unsynced;
}

void FaultInjectionFileSystem::CutPowerAtWrite(uint64_t n, std::function<size_t(size_t)> keep) {
  MutexLock lock(mu_);
  cut_at_write_ = n;
  cut_keep_ = std::move(keep);
}

void FaultInjectionFileSystem::Reboot() {
  MutexLock lock(mu_);
  off_ = false;
  syncs_ = writes_ = 0;
  cut_at_sync_.reset();
  cut_at_write_.reset();
  cut_keep_ = nullptr;
  sync_log_.clear();
  names_.clear();
}

bool FaultInjectionFileSystem::powered_off() const {
  MutexLock lock(mu_);
  return off_;
}

uint64_t FaultInjectionFileSystem::sync_points() const {
  MutexLock lock(mu_);
  return syncs_;
}

uint64_t FaultInjectionFileSystem::writes() const {
  MutexLock lock(mu_);
  return writes_;
}

std::vector<std::string> FaultInjectionFileSystem::sync_log() const {
  MutexLock lock(mu_);
  return sync_log_;
}

}  // namespace sluice::io
