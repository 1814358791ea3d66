// The POSIX FileSystem (FileSystem::Default()) and the loops shared by all.
#include "io/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/file_util.h"

namespace sluice::io {

namespace fs = std::filesystem;

namespace {

// ErrnoStatus for a handle: "op: text".
Status FdErrno(std::string_view what) {
  int err = errno;
  std::string msg = std::string(what) + ": " + std::strerror(err);
  Status st = (err == ENOSPC || err == EDQUOT) ? Status::ResourceExhausted(msg)
              : err == ENOENT                  ? Status::NotFound(msg)
                                               : Status::IoError(msg);
  errno = err;
  return st;
}

Status PathErrno(std::string_view what, const fs::path& path) {
  int err = errno;
  Status st = ErrnoStatus(what, path);
  errno = err;
  return st;
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<int> Open(const fs::path& path, int flags, mode_t mode) override {
    int fd;
    do {
      fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return PathErrno("open", path);
    return fd;
  }
  Status Close(int fd) override {
    // Never retried: on Linux the descriptor is gone even after EINTR.
    if (::close(fd) != 0 && errno != EINTR) return FdErrno("close");
    return Status::Ok();
  }
  Result<size_t> Pread(int fd, char* dst, size_t n, uint64_t pos) override {
    for (;;) {
      ssize_t r = ::pread(fd, dst, n, static_cast<off_t>(pos));
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return FdErrno("pread");
    }
  }
  Result<size_t> Pwritev(int fd, const iovec* iov, int cnt, uint64_t pos) override {
    for (;;) {
      ssize_t r = ::pwritev(fd, iov, cnt, static_cast<off_t>(pos));
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return FdErrno("pwritev");
    }
  }
  Status Fdatasync(int fd) override { return ::fdatasync(fd) == 0 ? Status::Ok() : FdErrno("fdatasync"); }
  Status Fsync(int fd) override { return ::fsync(fd) == 0 ? Status::Ok() : FdErrno("fsync"); }
  Status Ftruncate(int fd, uint64_t size) override {
    for (;;) {
      if (::ftruncate(fd, static_cast<off_t>(size)) == 0) return Status::Ok();
      if (errno != EINTR) return FdErrno("ftruncate");
    }
  }
  Result<uint64_t> FileSize(int fd) override {
    struct stat sb;
    if (::fstat(fd, &sb) != 0) return FdErrno("fstat");
    return static_cast<uint64_t>(sb.st_size);
  }
  Result<uint64_t> FileSizeAt(const fs::path& path) override {
    struct stat sb;
    if (::stat(path.c_str(), &sb) != 0) return PathErrno("stat", path);
    return static_cast<uint64_t>(sb.st_size);
  }
  bool Exists(const fs::path& path) override {
    struct stat sb;
    return ::lstat(path.c_str(), &sb) == 0;
  }
  Status Rename(const fs::path& from, const fs::path& to) override {
    return ::rename(from.c_str(), to.c_str()) == 0 ? Status::Ok() : PathErrno("rename", from);
  }
  Status Unlink(const fs::path& path) override {
    return ::unlink(path.c_str()) == 0 ? Status::Ok() : PathErrno("unlink", path);
  }
  Status Mkdir(const fs::path& path, mode_t mode) override {
    if (::mkdir(path.c_str(), mode) != 0) return PathErrno("mkdir", path);
    // mkdir(2) applies the umask: set exactly `mode`.
    if (::chmod(path.c_str(), mode) != 0) return PathErrno("chmod", path);
    return Status::Ok();
  }
  Status SyncDir(const fs::path& dir) override {
    int fd;
    do {
      fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return PathErrno("open directory", dir);
    Status st = ::fsync(fd) == 0 ? Status::Ok() : PathErrno("fsync directory", dir);
    int err = errno;
    ::close(fd);
    errno = err;
    return st;
  }
  Result<std::vector<std::string>> ListDir(const fs::path& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return PathErrno("opendir", dir);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      struct dirent* e = ::readdir(d);
      if (!e) break;
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    Status st = errno != 0 ? PathErrno("readdir", dir) : Status::Ok();
    ::closedir(d);
    if (!st.ok()) return st;
    return names;
  }
};

}  // namespace

FileSystem& FileSystem::Default() {
  static PosixFileSystem* fs = new PosixFileSystem();  // never destroyed: used at exit
  return *fs;
}

Status OnPath(const Status& st, const fs::path& path) {
  if (st.ok()) return st;
  const std::string& m = st.message();
  size_t colon = m.find(':');
  if (colon == std::string::npos) return Status(st.code(), m + " (" + path.string() + ")");
  return Status(st.code(), m.substr(0, colon) + " " + path.string() + m.substr(colon));
}

Status PreadFull(FileSystem& fsys, int fd, char* dst, size_t n, uint64_t pos, size_t* got, const fs::path& path) {
  *got = 0;
  while (*got < n) {
    Result<size_t> r = fsys.Pread(fd, dst + *got, n - *got, pos + *got);
    if (!r.ok()) return OnPath(r.status(), path);
    if (*r == 0) break;
    *got += *r;
  }
  return Status::Ok();
}

Status PwritevFull(FileSystem& fsys, int fd, std::vector<iovec> iov, uint64_t pos, const fs::path& path) {
  constexpr size_t kMaxIov = IOV_MAX;
  size_t i = 0;
  while (i < iov.size()) {
    if (iov[i].iov_len == 0) {
      ++i;
      continue;
    }
    int cnt = static_cast<int>(std::min(kMaxIov, iov.size() - i));
    Result<size_t> r = fsys.Pwritev(fd, &iov[i], cnt, pos);
    if (!r.ok()) return OnPath(r.status(), path);
    if (*r == 0) return Status::IoError("pwritev wrote nothing to " + path.string());
    pos += *r;
    size_t left = *r;
    while (i < iov.size() && left >= iov[i].iov_len) {
      left -= iov[i].iov_len;
      ++i;
    }
    if (left > 0) {
      iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
      iov[i].iov_len -= left;
    }
  }
  return Status::Ok();
}

}  // namespace sluice::io
