#include "io/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace sluice::io {

namespace fs = std::filesystem;

Status ErrnoStatus(std::string_view what, const fs::path& path) {
  int err = errno;
  std::string msg = std::string(what) + " " + path.string() + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::ResourceExhausted(msg);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IoError(msg);
}

namespace {
Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}
}  // namespace

Status SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  int rc = ::fsync(fd);
  Status st = rc == 0 ? Status::Ok() : ErrnoStatus("fsync directory", dir);
  ::close(fd);
  return st;
}

Status WriteFileAtomically(const fs::path& path, std::string_view contents, mode_t mode) {
  fs::path tmp = path;
  tmp += ".tmp";
  ::unlink(tmp.c_str());  // a leftover would keep its old mode
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("open", tmp);
  Status st = WriteAll(fd, contents, tmp);
  if (st.ok() && ::fdatasync(fd) != 0) st = ErrnoStatus("fdatasync", tmp);
  ::close(fd);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename", tmp);
  return SyncDirectory(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

Result<std::string> ReadFile(const fs::path& path) {
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

Status CreateDirectoriesDurably(const fs::path& dir) {
  std::vector<fs::path> created;
  for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) {
    created.push_back(p);
    if (p == p.parent_path()) break;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("create_directories " + dir.string() + ": " + ec.message());
  for (const auto& p : created) {
    // create_directories uses 0777 less the umask: make each created level private.
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return Status::IoError("chmod " + p.string() + ": " + ec.message());
    fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    SLUICE_RETURN_IF_ERROR(SyncDirectory(parent));
  }
  return Status::Ok();
}

}  // namespace sluice::io
