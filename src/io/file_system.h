// FileSystem: the seam under every durable writer (shard logs, metadata
// files). Production code uses FileSystem::Default(), plain POSIX calls
// behind one virtual call each; tests substitute an in-memory file system
// (io/mem_file_system.h) or one that simulates power loss
// (io/fault_injection_file_system.h).
//
// Files are named by descriptors ("handles"): small non-negative ints that
// the implementation hands out. For the POSIX one they are real descriptors;
// for the test ones they mean nothing to the kernel and must only be passed
// back to the FileSystem that opened them.
//
// Errors: every call reports failure as a Status carrying errno's text
// (io::ErrnoStatus: ResourceExhausted for ENOSPC/EDQUOT, NotFound for
// ENOENT, IoError otherwise) and leaves errno set to the cause, so callers
// that act on a specific errno (EMFILE, EEXIST, ENOENT) can still do so.
// Calls taking a path name it in the message ("open /a/b: ..."); calls
// taking a handle only name the operation ("fdatasync: ..."): OnPath() adds
// the file's name. EINTR is retried inside. None throws.
//
// Durability contract (what the test implementations model): bytes written
// to a file are durable once an Fdatasync/Fsync of that file succeeds; a
// creation, rename or unlink is durable once a SyncDir of its parent
// directory succeeds. Until then a power loss may undo it.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::io {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The real file system (POSIX). Never destroyed.
  static FileSystem& Default();

  // open(2): `flags` are O_RDONLY/O_WRONLY/O_RDWR plus O_CREAT, O_EXCL,
  // O_TRUNC (O_CLOEXEC is implied); `mode` applies to a created file.
  virtual Result<int> Open(const std::filesystem::path& path, int flags, mode_t mode = 0600) = 0;
  // close(2). The handle is gone even when this fails.
  virtual Status Close(int fd) = 0;

  // One pread(2): reads up to n bytes at `pos`; 0 at end of file.
  virtual Result<size_t> Pread(int fd, char* dst, size_t n, uint64_t pos) = 0;
  // One pwritev(2) of `cnt` pieces at `pos`; may write less than asked.
  virtual Result<size_t> Pwritev(int fd, const iovec* iov, int cnt, uint64_t pos) = 0;

  // fdatasync(2) / fsync(2) of a file: its contents become durable.
  virtual Status Fdatasync(int fd) = 0;
  virtual Status Fsync(int fd) = 0;
  // ftruncate(2).
  virtual Status Ftruncate(int fd, uint64_t size) = 0;
  // The file's size (fstat(2)).
  virtual Result<uint64_t> FileSize(int fd) = 0;

  // The size of the file at `path` (stat(2)).
  virtual Result<uint64_t> FileSizeAt(const std::filesystem::path& path) = 0;
  // True when `path` names a file or directory (lstat(2) succeeds).
  virtual bool Exists(const std::filesystem::path& path) = 0;
  // rename(2), replacing `to` if it exists.
  virtual Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // unlink(2) of a file.
  virtual Status Unlink(const std::filesystem::path& path) = 0;
  // mkdir(2) of one level, then chmod to exactly `mode` (the umask can't
  // widen nor narrow it). errno EEXIST when it exists.
  virtual Status Mkdir(const std::filesystem::path& path, mode_t mode = 0700) = 0;
  // fsync(2) of a directory: creations, renames and unlinks in it become durable.
  virtual Status SyncDir(const std::filesystem::path& dir) = 0;
  // Names in a directory (no "." or ".."), in no particular order.
  virtual Result<std::vector<std::string>> ListDir(const std::filesystem::path& dir) = 0;
};

// `st` ("op: text") with `path` named: "op <path>: text". Ok stays Ok.
Status OnPath(const Status& st, const std::filesystem::path& path);

// Convenience loops over the single calls above; errors name `path`.

// preads exactly n bytes unless end of file comes first; *got is what was read.
Status PreadFull(FileSystem& fsys, int fd, char* dst, size_t n, uint64_t pos, size_t* got,
                 const std::filesystem::path& path);
// pwritevs every piece at `pos` (splitting at IOV_MAX, resuming after short writes).
Status PwritevFull(FileSystem& fsys, int fd, std::vector<iovec> iov, uint64_t pos, const std::filesystem::path& path);

}  // namespace sluice::io
