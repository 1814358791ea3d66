#include "io/dir_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/file_util.h"

namespace sluice::io {

namespace fs = std::filesystem;

namespace {

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

Status RelativeError(const fs::path& relative) {
  return Status::InvalidArgument("not a plain relative path below the data directory: " + relative.string());
}

// Opens the directory `name` inside `dirfd` without following a symlink.
Result<Fd> OpenChildDir(int dirfd, const std::string& name, const fs::path& shown) {
  Fd next(::openat(dirfd, name.c_str(), kDirFlags));
  if (next.get() >= 0) return next;
  if (errno == ELOOP || errno == ENOTDIR)
    return Status::InvalidArgument("not a directory (a symlink?): " + shown.string());
  return ErrnoStatus("open directory", shown);
}

// Opens root/relative as a directory, every component of `relative` without
// following symlinks. ENOENT is reported as NotFound. With `create`, missing
// components are made (0700), each creation synced in its parent.
Result<Fd> OpenDirBeneath(const fs::path& root, const fs::path& relative, bool create = false) {
  Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return ErrnoStatus("open directory", root);
  fs::path walked = root;
  for (const auto& part : relative) {
    std::string name = part.string();
    if (!IsPlainComponent(name)) return RelativeError(relative);
    walked /= name;
    bool created = create && ::mkdirat(dir.get(), name.c_str(), 0700) == 0;
    if (create && !created && errno != EEXIST) return ErrnoStatus("mkdir", walked);
    auto next = OpenChildDir(dir.get(), name, walked);
    if (!next.ok()) return next.status();
    if (created && ::fsync(dir.get()) != 0) return ErrnoStatus("fsync directory", walked.parent_path());
    dir = std::move(next).value();
  }
  return dir;
}

Result<std::vector<std::string>> Names(int dirfd, const fs::path& shown) {
  int copy = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) return ErrnoStatus("open directory", shown);
  DIR* d = ::fdopendir(copy);  // owns `copy`
  if (!d) {
    Status st = ErrnoStatus("fdopendir", shown);
    ::close(copy);
    return st;
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  Status st = errno != 0 ? ErrnoStatus("readdir", shown) : Status::Ok();
  ::closedir(d);
  if (!st.ok()) return st;
  return names;
}

DirEntry::Kind KindAt(int dirfd, const std::string& name, bool* exists) {
  struct stat st {};
  *exists = ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!*exists) return DirEntry::Kind::kOther;
  if (S_ISDIR(st.st_mode)) return DirEntry::Kind::kDirectory;
  if (S_ISLNK(st.st_mode)) return DirEntry::Kind::kSymlink;
  if (S_ISREG(st.st_mode)) return DirEntry::Kind::kFile;
  return DirEntry::Kind::kOther;
}

// Removes `name` inside `dirfd`: a directory with all it holds, anything
// else (a symlink included) by unlinking the entry itself.
Status RemoveAt(int dirfd, const std::string& name, const fs::path& shown) {
  bool exists = false;
  DirEntry::Kind kind = KindAt(dirfd, name, &exists);
  if (!exists) return errno == ENOENT ? Status::Ok() : ErrnoStatus("stat", shown);
  if (kind == DirEntry::Kind::kDirectory) {
    Fd sub(::openat(dirfd, name.c_str(), kDirFlags));
    if (sub.get() < 0) return ErrnoStatus("open directory", shown);
    auto names = Names(sub.get(), shown);
    if (!names.ok()) return names.status();
    for (const auto& n : *names) SLUICE_RETURN_IF_ERROR(RemoveAt(sub.get(), n, shown / n));
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return ErrnoStatus("rmdir", shown);
    return Status::Ok();
  }
  if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return ErrnoStatus("unlink", shown);
  return Status::Ok();
}

}  // namespace

bool IsPlainComponent(std::string_view c) {
  return !c.empty() && c != "." && c != ".." && c.size() <= NAME_MAX && c.find('/') == std::string_view::npos &&
         c.find('\0') == std::string_view::npos;
}

Status RemoveTreeBeneath(const fs::path& root, const fs::path& relative) {
  if (relative.empty() || relative.is_absolute()) return RelativeError(relative);
  auto parent = OpenDirBeneath(root, relative.parent_path());
  if (!parent.ok()) return parent.status().code() == StatusCode::kNotFound ? Status::Ok() : parent.status();
  std::string last = relative.filename().string();
  if (!IsPlainComponent(last)) return RelativeError(relative);
  SLUICE_RETURN_IF_ERROR(RemoveAt(parent->get(), last, root / relative));
  if (::fsync(parent->get()) != 0) return ErrnoStatus("fsync directory", root / relative.parent_path());
  return Status::Ok();
}

Status RemoveFilesBeneath(const fs::path& root, const fs::path& relative,
                          const std::function<bool(std::string_view)>& keep) {
  if (relative.is_absolute()) return RelativeError(relative);
  auto dir = OpenDirBeneath(root, relative);
  if (!dir.ok()) return dir.status().code() == StatusCode::kNotFound ? Status::Ok() : dir.status();
  auto names = Names(dir->get(), root / relative);
  if (!names.ok()) return names.status();
  bool removed = false;
  for (const auto& n : *names) {
    bool exists = false;
    if (KindAt(dir->get(), n, &exists) == DirEntry::Kind::kDirectory || !exists) continue;
    if (keep && keep(n)) continue;
    if (::unlinkat(dir->get(), n.c_str(), 0) != 0 && errno != ENOENT) return ErrnoStatus("unlink", root / relative / n);
    removed = true;
  }
  if (removed && ::fsync(dir->get()) != 0) return ErrnoStatus("fsync directory", root / relative);
  return Status::Ok();
}

Status CreateDirectoriesBeneath(const fs::path& root, const fs::path& relative) {
  if (relative.is_absolute()) return RelativeError(relative);
  auto dir = OpenDirBeneath(root, relative, /*create=*/true);
  return dir.ok() ? Status::Ok() : dir.status();
}

Result<std::vector<DirEntry>> ListBeneath(const fs::path& root, const fs::path& relative) {
  if (relative.is_absolute()) return RelativeError(relative);
  auto dir = OpenDirBeneath(root, relative);
  if (!dir.ok()) {
    if (dir.status().code() == StatusCode::kNotFound) return std::vector<DirEntry>{};
    return dir.status();
  }
  auto names = Names(dir->get(), root / relative);
  if (!names.ok()) return names.status();
  std::vector<DirEntry> out;
  for (auto& n : *names) {
    bool exists = false;
    DirEntry::Kind kind = KindAt(dir->get(), n, &exists);
    if (exists) out.push_back(DirEntry{std::move(n), kind});
  }
  return out;
}

}  // namespace sluice::io
