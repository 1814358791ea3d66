#include "io/mem_file_system.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "io/file_util.h"

namespace sluice::io {

namespace fs = std::filesystem;

struct MemFileSystem::Node {
  bool dir = false;
  std::string data;                                      // file: current contents
  std::string synced;                                    // file: contents as of the last sync
  std::map<std::string, std::shared_ptr<Node>> entries;  // dir: current
  std::map<std::string, std::shared_ptr<Node>> durable;  // dir: as of the last SyncDir
};

namespace {

// errno set to `err`, then the Status for it.
Status Fail(int err, std::string_view what, const fs::path& path) {
  errno = err;
  Status st = ErrnoStatus(what, path);
  errno = err;
  return st;
}

Status FailFd(int err, std::string_view what) {
  Status st = Fail(err, what, "");
  // ErrnoStatus wrote "what : text"; handle errors read "what: text".
  std::string m = st.message();
  if (size_t at = m.find(" :"); at != std::string::npos) m.erase(at, 1);
  errno = err;
  return Status(st.code(), m);
}

// Components of `path` below "/", "." and ".." resolved lexically.
std::vector<std::string> Components(const fs::path& path) {
  fs::path p = (path.is_absolute() ? path : fs::path("/") / path).lexically_normal();
  std::vector<std::string> out;
  for (const fs::path& c : p.relative_path()) {
    std::string s = c.string();
    if (!s.empty() && s != ".") out.push_back(s);
  }
  return out;
}

}  // namespace

MemFileSystem::MemFileSystem() : root_(std::make_shared<Node>()) { root_->dir = true; }
MemFileSystem::~MemFileSystem() = default;

std::shared_ptr<MemFileSystem::Node> MemFileSystem::ResolveLocked(const fs::path& path) const {
  std::shared_ptr<Node> n = root_;
  for (const std::string& c : Components(path)) {
    if (!n->dir) {
      errno = ENOTDIR;
      return nullptr;
    }
    auto it = n->entries.find(c);
    if (it == n->entries.end()) {
      errno = ENOENT;
      return nullptr;
    }
    n = it->second;
  }
  return n;
}

std::shared_ptr<MemFileSystem::Node> MemFileSystem::ResolveParentLocked(const fs::path& path, std::string* name) const {
  std::vector<std::string> parts = Components(path);
  if (parts.empty()) {
    errno = EBUSY;  // "/" itself
    return nullptr;
  }
  *name = parts.back();
  std::shared_ptr<Node> n = root_;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto it = n->entries.find(parts[i]);
    if (it == n->entries.end()) {
      errno = ENOENT;
      return nullptr;
    }
    n = it->second;
    if (!n->dir) {
      errno = ENOTDIR;
      return nullptr;
    }
  }
  return n;
}

MemFileSystem::Handle* MemFileSystem::HandleLocked(int fd) {
  auto it = handles_.find(fd);
  if (it == handles_.end()) {
    errno = EBADF;
    return nullptr;
  }
  return &it->second;
}

Result<int> MemFileSystem::Open(const fs::path& path, int flags, mode_t) {
  MutexLock lock(mu_);
  std::string name;
  std::shared_ptr<Node> parent = ResolveParentLocked(path, &name);
  if (!parent) return Fail(errno, "open", path);
  std::shared_ptr<Node> node;
  if (auto it = parent->entries.find(name); it != parent->entries.end()) {
    if ((flags & O_CREAT) && (flags & O_EXCL)) return Fail(EEXIST, "open", path);
    node = it->second;
    if (node->dir) return Fail(EISDIR, "open", path);
  } else {
    if (!(flags & O_CREAT)) return Fail(ENOENT, "open", path);
    node = std::make_shared<Node>();
    parent->entries[name] = node;
  }
  int acc = flags & O_ACCMODE;
  Handle h{node, acc == O_RDONLY || acc == O_RDWR, acc == O_WRONLY || acc == O_RDWR};
  if ((flags & O_TRUNC) && h.writable) node->data.clear();
  int fd = next_fd_++;
  handles_[fd] = std::move(h);
  return fd;
}

Status MemFileSystem::Close(int fd) {
  MutexLock lock(mu_);
  if (handles_.erase(fd) == 0) return FailFd(EBADF, "close");
  return Status::Ok();
}

Result<size_t> MemFileSystem::Pread(int fd, char* dst, size_t n, uint64_t pos) {
  MutexLock lock(mu_);
  Handle* h = HandleLocked(fd);
  if (!h || !h->readable) return FailFd(EBADF, "pread");
  const std::string& d = h->node->data;
  if (pos >= d.size()) return size_t{0};
  size_t got = std::min<uint64_t>(n, d.size() - pos);
  std::copy_n(d.data() + pos, got, dst);
  return got;
}

Result<size_t> MemFileSystem::Pwritev(int fd, const iovec* iov, int cnt, uint64_t pos) {
  MutexLock lock(mu_);
  Handle* h = HandleLocked(fd);
  if (!h || !h->writable) return FailFd(EBADF, "pwritev");
  std::string& d = h->node->data;
  size_t total = 0;
  for (int i = 0; i < cnt; ++i) total += iov[i].iov_len;
  if (d.size() < pos + total) d.resize(pos + total, '\0');
  for (int i = 0; i < cnt; ++i) {
    std::copy_n(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len, d.data() + pos);
    pos += iov[i].iov_len;
  }
  return total;
}

Status MemFileSystem::Fdatasync(int fd) {
  MutexLock lock(mu_);
  Handle* h = HandleLocked(fd);
  if (!h) return FailFd(EBADF, "fdatasync");
  h->node->synced = h->node->data;
  return Status::Ok();
}

Status MemFileSystem::Fsync(int fd) {
  MutexLock lock(mu_);
  Handle* h = HandleLocked(fd);
  if (!h) return FailFd(EBADF, "fsync");
  h->node->synced = h->node->data;
  return Status::Ok();
}

Status MemFileSystem::Ftruncate(int fd, uint64_t size) {
  MutexLock lock(mu_);
  Handle* h = HandleLocked(fd);
  if (!h || !h->writable) return FailFd(h ? EINVAL : EBADF, "ftruncate");
  h->node->data.resize(size, '\0');
  return Status::Ok();
}

Result<uint64_t> MemFileSystem::FileSize(int fd) {
  MutexLock lock(mu_);
  Handle* h = HandleLocked(fd);
  if (!h) return FailFd(EBADF, "fstat");
  return static_cast<uint64_t>(h->node->data.size());
}

Result<uint64_t> MemFileSystem::FileSizeAt(const fs::path& path) {
  MutexLock lock(mu_);
  std::shared_ptr<Node> n = ResolveLocked(path);
  if (!n) return Fail(errno, "stat", path);
  return static_cast<uint64_t>(n->dir ? 4096 : n->data.size());
}

bool MemFileSystem::Exists(const fs::path& path) {
  MutexLock lock(mu_);
  return ResolveLocked(path) != nullptr;
}

Status MemFileSystem::Rename(const fs::path& from, const fs::path& to) {
  MutexLock lock(mu_);
  std::string from_name, to_name;
  std::shared_ptr<Node> from_dir = ResolveParentLocked(from, &from_name);
  if (!from_dir) return Fail(errno, "rename", from);
  auto it = from_dir->entries.find(from_name);
  if (it == from_dir->entries.end()) return Fail(ENOENT, "rename", from);
  std::shared_ptr<Node> to_dir = ResolveParentLocked(to, &to_name);
  if (!to_dir) return Fail(errno, "rename", from);
  std::shared_ptr<Node> node = it->second;
  if (auto old = to_dir->entries.find(to_name); old != to_dir->entries.end()) {
    if (old->second == node) return Status::Ok();
    if (old->second->dir != node->dir) return Fail(node->dir ? ENOTDIR : EISDIR, "rename", from);
    if (old->second->dir && !old->second->entries.empty()) return Fail(ENOTEMPTY, "rename", from);
  }
  from_dir->entries.erase(it);
  to_dir->entries[to_name] = std::move(node);
  return Status::Ok();
}

Status MemFileSystem::Unlink(const fs::path& path) {
  MutexLock lock(mu_);
  std::string name;
  std::shared_ptr<Node> dir = ResolveParentLocked(path, &name);
  if (!dir) return Fail(errno, "unlink", path);
  auto it = dir->entries.find(name);
  if (it == dir->entries.end()) return Fail(ENOENT, "unlink", path);
  if (it->second->dir) return Fail(EISDIR, "unlink", path);
  dir->entries.erase(it);
  return Status::Ok();
}

Status MemFileSystem::Mkdir(const fs::path& path, mode_t) {
  MutexLock lock(mu_);
  std::string name;
  std::shared_ptr<Node> dir = ResolveParentLocked(path, &name);
  if (!dir) return Fail(errno == EBUSY ? EEXIST : errno, "mkdir", path);
  if (dir->entries.count(name)) return Fail(EEXIST, "mkdir", path);
  auto node = std::make_shared<Node>();
  node->dir = true;
  dir->entries[name] = std::move(node);
  return Status::Ok();
}

Status MemFileSystem::SyncDir(const fs::path& dir) {
  MutexLock lock(mu_);
  std::shared_ptr<Node> n = ResolveLocked(dir);
  if (!n) return Fail(errno, "open directory", dir);
  if (!n->dir) return Fail(ENOTDIR, "open directory", dir);
  n->durable = n->entries;
  return Status::Ok();
}

Result<std::vector<std::string>> MemFileSystem::ListDir(const fs::path& dir) {
  MutexLock lock(mu_);
  std::shared_ptr<Node> n = ResolveLocked(dir);
  if (!n) return Fail(errno, "opendir", dir);
  if (!n->dir) return Fail(ENOTDIR, "opendir", dir);
  std::vector<std::string> names;
  for (const auto& [name, child] : n->entries) names.push_back(name);
  return names;
}

void MemFileSystem::DropUnsynced(Unsynced unsynced) {
  MutexLock lock(mu_);
  handles_.clear();
  std::set<Node*> seen;
  std::vector<std::shared_ptr<Node>> todo{root_};
  while (!todo.empty()) {
    std::shared_ptr<Node> n = std::move(todo.back());
    todo.pop_back();
    if (!seen.insert(n.get()).second) continue;
    if (n->dir) {
      n->entries = n->durable;
      for (const auto& [name, child] : n->entries) todo.push_back(child);
      continue;
    }
    const size_t durable = n->synced.size();
    switch (unsynced) {
      case Unsynced::kDrop: n->data = n->synced; break;
      case Unsynced::kKeep:
        // Appended bytes survive; rewrites inside the durable length don't.
        if (n->data.size() > durable) {
          n->data = n->synced + n->data.substr(durable);
        } else {
          n->data = n->synced;
        }
        break;
      case Unsynced::kZero:
        n->data = n->synced + std::string(n->data.size() > durable ? n->data.size() - durable : 0, '\0');
        break;
    }
    n->synced = n->data;
  }
}

Result<std::string> MemFileSystem::Contents(const fs::path& path) {
  MutexLock lock(mu_);
  std::shared_ptr<Node> n = ResolveLocked(path);
  if (!n) return Fail(errno, "open", path);
  if (n->dir) return Fail(EISDIR, "open", path);
  return n->data;
}

Status MemFileSystem::SetContents(const fs::path& path, std::string contents) {
  Result<int> fd = Open(path, O_WRONLY | O_CREAT);
  if (!fd.ok()) return fd.status();
  {
    MutexLock lock(mu_);
    handles_[*fd].node->data = std::move(contents);
  }
  return Close(*fd);
}

size_t MemFileSystem::open_handles() const {
  MutexLock lock(mu_);
  return handles_.size();
}

}  // namespace sluice::io
