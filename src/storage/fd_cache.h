// FdCache: a bounded, process-wide set of open segment descriptors.
//
// Every shard keeps its segment files, but only the ones in use hold a
// descriptor. A File names one file (path and open flags); Acquire() hands
// out a Lease, opening the file again if it was closed. While a lease lives
// the descriptor is *pinned*: it is never closed under it. Unpinned open
// descriptors form an LRU list, and whenever more than max_open() are open
// the least recently used unpinned ones are closed. So idle shards hold no
// descriptor, and the descriptors the cache keeps stay below max_open() plus
// what is pinned at that moment (the bound is soft: a pin is never refused
// for lack of room, so a burst of readers can go over it briefly).
//
// Callers pin what must not be closed: a segment with writes not yet covered
// by fdatasync (a sync on a new descriptor could miss an earlier write-back
// error), a segment whose files were unlinked (it can't be reopened).
//
// Thread-safety: all methods may be called concurrently. A Lease may outlive
// its File (the descriptor is then closed when the last lease goes), but not
// the FdCache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "io/file_system.h"

namespace sluice::storage {

class FdCache {
  struct Entry;

 public:
  // `max_open`: descriptors kept open when unpinned (at least 1).
  explicit FdCache(size_t max_open);
  ~FdCache();
  FdCache(const FdCache&) = delete;
  FdCache& operator=(const FdCache&) = delete;

  // The cache shard logs use unless ShardLogOptions names another. Its
  // budget is 1024 until SetMaxOpen() (the server sets --max-open-files).
  static FdCache& Default();

  void SetMaxOpen(size_t max_open);
  size_t max_open() const;

  struct Stats {
    size_t open = 0;    // descriptors open now (pinned or not)
    size_t pinned = 0;  // files with at least one lease
    size_t max_open = 0;
    uint64_t opens = 0;      // open(2) calls made (first opens and re-opens)
    uint64_t evictions = 0;  // descriptors closed to stay within max_open
  };
  Stats stats() const;

  class Lease {
   public:
    Lease() = default;
    ~Lease() { Release(); }
    Lease(Lease&& o) noexcept : cache_(o.cache_), entry_(std::move(o.entry_)), fd_(o.fd_) { o.fd_ = -1; }
    Lease& operator=(Lease&& o) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // The pinned descriptor, or -1 for an empty lease.
    int fd() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Unpins now (the lease becomes empty).
    void Release();

   private:
    friend class FdCache;
    Lease(FdCache* cache, std::shared_ptr<Entry> entry, int fd) : cache_(cache), entry_(std::move(entry)), fd_(fd) {}
    FdCache* cache_ = nullptr;
    std::shared_ptr<Entry> entry_;
    int fd_ = -1;
  };

  // One file whose descriptor the cache manages. `flags` are open(2) flags
  // for re-opening (O_CLOEXEC is added; O_CREAT/O_EXCL must not be given).
  // The file is opened and closed through `fs` (nullptr:
  // io::FileSystem::Default()), which must outlive every lease.
  class File {
   public:
    File(FdCache* cache, std::filesystem::path path, int flags, io::FileSystem* fs = nullptr);
    // Closes the descriptor, or lets the last lease close it.
    ~File();
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    // Pins the descriptor, opening the file if it is closed. When open(2)
    // fails with EMFILE/ENFILE every unpinned descriptor is closed and it is
    // tried once more. Errors carry errno's text (NotFound for ENOENT).
    Result<Lease> Acquire();
    // Hands the cache a descriptor the caller opened for this file (e.g.
    // with O_CREAT|O_EXCL) while the file has none open; returns it pinned.
    Lease Adopt(int fd);
    // True while a descriptor is open (pinned or cached).
    bool is_open() const;
    const std::filesystem::path& path() const;

   private:
    FdCache* cache_;
    std::shared_ptr<Entry> entry_;
  };

 private:
  // A descriptor to close and the file system it belongs to.
  using Closing = std::pair<io::FileSystem*, int>;

  struct Entry {
    io::FileSystem* fs = nullptr;
    std::filesystem::path path;
    int flags = 0;
    int fd = -1;
    int pins = 0;
    bool retired = false;  // its File is gone: close at the last unpin
    bool in_lru = false;
    std::list<Entry*>::iterator lru_pos;
  };

  // Pins `e` (open). Needs mu_.
  void PinLocked(Entry* e) REQUIRES(mu_);
  // Unpins; closes or caches. Needs mu_; descriptors to close go to `out`.
  void UnpinLocked(Entry* e, std::vector<Closing>* out) REQUIRES(mu_);
  // Closes LRU unpinned descriptors while more than max_open_ are open
  // (`all`: every unpinned one). Needs mu_.
  void EvictLocked(bool all, std::vector<Closing>* out) REQUIRES(mu_);
  static void CloseAll(const std::vector<Closing>& fds);

  // Also guards every Entry's fields (pins, fd, LRU place).
  mutable Mutex mu_;
  size_t max_open_ GUARDED_BY(mu_);
  size_t open_ GUARDED_BY(mu_) = 0;
  size_t pinned_ GUARDED_BY(mu_) = 0;
  uint64_t opens_ GUARDED_BY(mu_) = 0;
  uint64_t evictions_ GUARDED_BY(mu_) = 0;
  std::list<Entry*> lru_ GUARDED_BY(mu_);  // unpinned open entries, least recently used first
};

}  // namespace sluice::storage
