#include "io/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "io/file_system.h"

namespace sluice::io {

namespace fs = std::filesystem;

Status ErrnoStatus(std::string_view what, const fs::path& path) {
  int err = errno;
  std::string msg = std::string(what) + " " + path.string() + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::ResourceExhausted(msg);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IoError(msg);
}

Status SyncDirectory(FileSystem& fsys, const fs::path& dir) { return fsys.SyncDir(dir); }
Status SyncDirectory(const fs::path& dir) { return SyncDirectory(FileSystem::Default(), dir); }

Status WriteFileAtomically(FileSystem& fsys, const fs::path& path, std::string_view contents, mode_t mode) {
  fs::path tmp = path;
  tmp += ".tmp";
  fsys.Unlink(tmp).IgnoreError();  // a leftover would keep its old mode; usually there is none
  Result<int> fd = fsys.Open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (!fd.ok()) return fd.status();
  Status st = PwritevFull(fsys, *fd, {iovec{const_cast<char*>(contents.data()), contents.size()}}, 0, tmp);
  if (st.ok()) st = OnPath(fsys.Fdatasync(*fd), tmp);
  fsys.Close(*fd).IgnoreError();  // after fdatasync a close error loses nothing
  if (!st.ok()) {
    fsys.Unlink(tmp).IgnoreError();  // the write's error is the one to report
    return st;
  }
  SLUICE_RETURN_IF_ERROR(fsys.Rename(tmp, path));
  return SyncDirectory(fsys, path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

Status WriteFileAtomically(const fs::path& path, std::string_view contents, mode_t mode) {
  return WriteFileAtomically(FileSystem::Default(), path, contents, mode);
}

namespace {
// read(2) until end of file: unlike pread it also works on pipes and
// character devices (e.g. a credentials file given as /dev/fd/3).
Result<std::string> ReadFilePosix(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = ErrnoStatus("read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}
}  // namespace

Result<std::string> ReadFile(FileSystem& fsys, const fs::path& path) {
  if (&fsys == &FileSystem::Default()) return ReadFilePosix(path);
  Result<int> fd = fsys.Open(path, O_RDONLY);
  if (!fd.ok()) return fd.status();
  std::string out;
  char buf[65536];
  Status st;
  for (;;) {
    Result<size_t> n = fsys.Pread(*fd, buf, sizeof buf, out.size());
    if (!n.ok()) {
      st = OnPath(n.status(), path);
      break;
    }
    if (*n == 0) break;
    out.append(buf, *n);
  }
  fsys.Close(*fd).IgnoreError();  // read-only: a close error loses nothing
  if (!st.ok()) return st;
  return out;
}

Result<std::string> ReadFile(const fs::path& path) { return ReadFilePosix(path); }

Status CreateDirectoriesDurably(FileSystem& fsys, const fs::path& dir) {
  // The missing levels, deepest first.
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty() && !fsys.Exists(p); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (Status st = fsys.Mkdir(*it, 0700); !st.ok() && errno != EEXIST) return st;  // EEXIST: a race, fine
    fs::path parent = it->parent_path().empty() ? fs::path(".") : it->parent_path();
    SLUICE_RETURN_IF_ERROR(SyncDirectory(fsys, parent));
  }
  return Status::Ok();
}

Status CreateDirectoriesDurably(const fs::path& dir) { return CreateDirectoriesDurably(FileSystem::Default(), dir); }

}  // namespace sluice::io
