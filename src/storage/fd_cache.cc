#include "storage/fd_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "io/file_util.h"

namespace sluice::storage {

FdCache::FdCache(size_t max_open) : max_open_(std::max<size_t>(1, max_open)) {}

FdCache::~FdCache() {
  // Files and leases must be gone; close whatever is still cached.
  std::vector<Closing> fds;
  MutexLock lock(mu_);
  for (Entry* e : lru_) {
    fds.push_back({e->fs, e->fd});
    e->fd = -1;
    e->in_lru = false;
  }
  lru_.clear();
  CloseAll(fds);
}

FdCache& FdCache::Default() {
  static FdCache* cache = new FdCache(1024);  // never destroyed: leases may run at exit
  return *cache;
}

void FdCache::SetMaxOpen(size_t max_open) {
  std::vector<Closing> fds;
  {
    MutexLock lock(mu_);
    max_open_ = std::max<size_t>(1, max_open);
    EvictLocked(false, &fds);
  }
  CloseAll(fds);
}

size_t FdCache::max_open() const {
  MutexLock lock(mu_);
  return max_open_;
}

FdCache::Stats FdCache::stats() const {
  MutexLock lock(mu_);
  return Stats{open_, pinned_, max_open_, opens_, evictions_};
}

void FdCache::CloseAll(const std::vector<Closing>& fds) {
  for (const auto& [fs, fd] : fds) fs->Close(fd).IgnoreError();  // a descriptor is closed once; nothing to retry
}

void FdCache::PinLocked(Entry* e) {
  if (e->pins++ == 0) {
    ++pinned_;
    if (e->in_lru) {
      lru_.erase(e->lru_pos);
      e->in_lru = false;
    }
  }
}

void FdCache::UnpinLocked(Entry* e, std::vector<Closing>* out) {
  if (--e->pins > 0) return;
  --pinned_;
  if (e->fd < 0) return;
  if (e->retired) {
    out->push_back({e->fs, e->fd});
    e->fd = -1;
    --open_;
    return;
  }
  e->lru_pos = lru_.insert(lru_.end(), e);
  e->in_lru = true;
  EvictLocked(false, out);
}

void FdCache::EvictLocked(bool all, std::vector<Closing>* out) {
  while (!lru_.empty() && (all || open_ > max_open_)) {
    Entry* victim = lru_.front();
    lru_.pop_front();
    victim->in_lru = false;
    out->push_back({victim->fs, victim->fd});
    victim->fd = -1;
    --open_;
    ++evictions_;
  }
}

FdCache::Lease& FdCache::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    Release();
    cache_ = o.cache_;
    entry_ = std::move(o.entry_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void FdCache::Lease::Release() {
  if (!entry_) return;
  std::vector<Closing> fds;
  {
    MutexLock lock(cache_->mu_);
    cache_->UnpinLocked(entry_.get(), &fds);
  }
  CloseAll(fds);
  entry_.reset();
  fd_ = -1;
}

FdCache::File::File(FdCache* cache, std::filesystem::path path, int flags, io::FileSystem* fs)
    : cache_(cache), entry_(std::make_shared<Entry>()) {
  entry_->fs = fs ? fs : &io::FileSystem::Default();
  entry_->path = std::move(path);
  entry_->flags = flags;
}

FdCache::File::~File() {
  std::vector<Closing> fds;
  {
    MutexLock lock(cache_->mu_);
    entry_->retired = true;
    if (entry_->pins == 0 && entry_->fd >= 0) {
      if (entry_->in_lru) {
        cache_->lru_.erase(entry_->lru_pos);
        entry_->in_lru = false;
      }
      fds.push_back({entry_->fs, entry_->fd});
      entry_->fd = -1;
      --cache_->open_;
    }
  }
  CloseAll(fds);
}

const std::filesystem::path& FdCache::File::path() const { return entry_->path; }

bool FdCache::File::is_open() const {
  MutexLock lock(cache_->mu_);
  return entry_->fd >= 0;
}

Result<FdCache::Lease> FdCache::File::Acquire() {
  {
    MutexLock lock(cache_->mu_);
    if (entry_->fd >= 0) {
      cache_->PinLocked(entry_.get());
      return Lease(cache_, entry_, entry_->fd);
    }
  }
  // Open outside the lock: open(2) may wait for the disk.
  int fd = -1;
  Status failed;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<int> opened = entry_->fs->Open(entry_->path, entry_->flags);
    if (opened.ok()) {
      fd = *opened;
      break;
    }
    failed = opened.status();
    if ((errno != EMFILE && errno != ENFILE) || attempt == 1) break;
    std::vector<Closing> fds;
    {
      MutexLock lock(cache_->mu_);
      cache_->EvictLocked(true, &fds);
    }
    CloseAll(fds);
  }
  if (fd < 0) return failed;
  std::vector<Closing> fds;
  int pinned_fd;
  {
    MutexLock lock(cache_->mu_);
    if (entry_->fd >= 0) {
      fds.push_back({entry_->fs, fd});  // another thread opened it meanwhile
    } else {
      entry_->fd = fd;
      ++cache_->open_;
      ++cache_->opens_;
    }
    cache_->PinLocked(entry_.get());
    pinned_fd = entry_->fd;
    cache_->EvictLocked(false, &fds);
  }
  CloseAll(fds);
  return Lease(cache_, entry_, pinned_fd);
}

FdCache::Lease FdCache::File::Adopt(int fd) {
  std::vector<Closing> fds;
  {
    MutexLock lock(cache_->mu_);
    if (entry_->fd >= 0) {
      fds.push_back({entry_->fs, fd});
    } else {
      entry_->fd = fd;
      ++cache_->open_;
      ++cache_->opens_;
    }
    cache_->PinLocked(entry_.get());
    fd = entry_->fd;
    cache_->EvictLocked(false, &fds);
  }
  CloseAll(fds);
  return Lease(cache_, entry_, fd);
}

}  // namespace sluice::storage
