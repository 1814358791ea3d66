// MemFileSystem: a FileSystem held in memory, for tests. It needs no disk
// and no cleanup, and it knows what has been made durable:
//   * a file's contents as of its last successful Fdatasync/Fsync;
//   * a directory's entries (creations, renames, unlinks) as of its last
//     successful SyncDir.
// DropUnsynced() throws away everything else, as a power loss would; the
// fault-injecting wrapper (io/fault_injection_file_system.h) decides when.
//
// Paths: absolute ones are used as given; relative ones are taken from "/".
// The file system starts with only "/" (durable). Symlinks, hard links and
// permissions are not modelled (modes are accepted and ignored).
//
// Thread-safety: all methods may be called concurrently (one mutex).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/mutex.h"
#include "io/file_system.h"

namespace sluice::io {

class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem();
  ~MemFileSystem() override;

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

  // What a power loss leaves of a file's bytes beyond its durable length
  // (bytes appended since its last sync; rewrites inside the durable length
  // are always undone).
  enum class Unsynced {
    kDrop,  // gone: the file is back to its durable length (the usual model)
    kKeep,  // all of them reached the disk after all (write-back got there)
    kZero,  // the file's size reached the disk but its data did not (zeros)
  };
  // Simulates a power loss: every handle is closed, every directory's
  // entries go back to those its last SyncDir made durable (undoing newer
  // creations, renames and unlinks), every file's contents to what its last
  // sync made durable (see Unsynced). Files reachable from no durable
  // entry are gone.
  void DropUnsynced(Unsynced unsynced = Unsynced::kDrop);

  // The current (not necessarily durable) contents of a file (tests).
  Result<std::string> Contents(const std::filesystem::path& path);
  // Replaces a file's current contents, creating it (tests: damage).
  Status SetContents(const std::filesystem::path& path, std::string contents);
  // Handles open now.
  size_t open_handles() const;

 private:
  struct Node;
  struct Handle {
    std::shared_ptr<Node> node;
    bool readable = false;
    bool writable = false;
  };
  // The node at `path`, or nullptr with errno set. Needs mu_.
  std::shared_ptr<Node> ResolveLocked(const std::filesystem::path& path) const REQUIRES(mu_);
  // The directory holding `path` and its last component. Needs mu_.
  std::shared_ptr<Node> ResolveParentLocked(const std::filesystem::path& path, std::string* name) const REQUIRES(mu_);
  // The open handle `fd`, or nullptr with errno EBADF. Needs mu_.
  Handle* HandleLocked(int fd) REQUIRES(mu_);

  mutable Mutex mu_;
  std::shared_ptr<Node> root_ GUARDED_BY(mu_);
  std::unordered_map<int, Handle> handles_ GUARDED_BY(mu_);
  int next_fd_ GUARDED_BY(mu_) = 1000;  // far from real descriptors, to catch a mix-up
};

}  // namespace sluice::io
