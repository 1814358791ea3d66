#include "objstore/object_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "io/dir_tree.h"
#include "io/file_util.h"
#include "objstore/digest.h"
#include "storage/data_quota.h"

namespace sluice::objstore {

namespace fs = std::filesystem;

namespace {

Status PreadAll(int fd, char* out, uint64_t n, uint64_t offset, const fs::path& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return io::ErrnoStatus("read", path);
    }
    if (r == 0) return Status::Corruption("object file " + path.string() + " is shorter than its index entry");
    out += r;
    n -= static_cast<uint64_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

}  // namespace

ObjectFiles::ObjectFiles(fs::path root, bool fsync) : root_(std::move(root)), fsync_(fsync) {
  std::random_device rd;
  generation_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

Status ObjectFiles::CreateDirectories() {
  SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(root_));
  for (const char* d : {"objects", "parts", "tmp"}) SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(root_ / d));
  // The 256 fan-out directories objects/<hh> are made on first use
  // (WriteCharged), so that a fresh server starts in milliseconds.
  return Status::Ok();
}

uint64_t ObjectFiles::NextGeneration() {
  std::lock_guard<std::mutex> l(generation_mu_);
  return ++generation_;
}

Status ObjectFiles::WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io::ErrnoStatus("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> ObjectFiles::WriteObject(std::string_view bucket, std::string_view key, uint64_t size,
                                             const Fill& fill) {
  std::string h = Sha256Hex(std::string(bucket) + std::string(1, '\0') + std::string(key));
  return Write("objects/" + h.substr(0, 2), h.substr(0, 40), size, fill);
}

Result<std::string> ObjectFiles::WritePart(std::string_view upload_id, int part_number, std::string_view data) {
  return Write("parts", std::string(upload_id) + "-" + std::to_string(part_number), data.size(),
               [&](int fd, const fs::path& p) { return WriteAll(fd, data, p); });
}

Result<std::string> ObjectFiles::Write(const std::string& subdir, const std::string& stem, uint64_t size,
                                       const Fill& fill) {
  // --max-data-bytes: refused before anything is written (503 for S3).
  storage::DataQuota& quota = storage::DataQuota::Default();
  if (Status q = quota.Charge(size); !q.ok()) return Status::Unavailable(q.message());
  Result<std::string> rel = WriteCharged(subdir, stem, fill);
  if (!rel.ok()) quota.Release(size);
  return rel;
}

Result<std::string> ObjectFiles::WriteCharged(const std::string& subdir, const std::string& stem, const Fill& fill) {
  char genhex[17];
  std::snprintf(genhex, sizeof genhex, "%016llx", static_cast<unsigned long long>(NextGeneration()));
  std::string name = stem + "-" + genhex;
  fs::path tmp = root_ / "tmp" / (name + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io::ErrnoStatus("create", tmp);
  Status st = fill(fd, tmp);
  if (st.ok() && fsync_ && ::fdatasync(fd) != 0) st = io::ErrnoStatus("fdatasync", tmp);
  ::close(fd);
  std::string rel = subdir + "/" + name;
  fs::path final_path = root_ / rel;
  if (st.ok()) {
    fs::path dir = root_ / subdir;
    if (::mkdir(dir.c_str(), 0700) == 0) {
      // A new fan-out directory: its entry must be durable before files in it are.
      if (fsync_) st = io::SyncDirectory(dir.parent_path());
    } else if (errno != EEXIST) {
      st = io::ErrnoStatus("mkdir", dir);
    }
  }
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) st = io::ErrnoStatus("rename", tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (fsync_) {
    Status ds = io::SyncDirectory(root_ / subdir);
    if (!ds.ok()) {
      ::unlink(final_path.c_str());
      return ds;
    }
  }
  return rel;
}

Status ObjectFiles::Read(const std::string& rel, uint64_t offset, uint64_t n, std::string* out) const {
  fs::path p = root_ / rel;
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io::ErrnoStatus("open", p);  // NotFound for ENOENT
  out->resize(n);
  Status st = PreadAll(fd, out->data(), n, offset, p);
  ::close(fd);
  return st;
}

Status ObjectFiles::CopyInto(int fd, const fs::path& path, const std::string& rel, uint64_t size) const {
  fs::path in = root_ / rel;
  int ifd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
  if (ifd < 0) return io::ErrnoStatus("open", in);  // NotFound for ENOENT
  std::vector<char> buf(1 << 20);
  uint64_t off = 0;
  Status st;
  while (st.ok() && off < size) {
    uint64_t n = std::min<uint64_t>(buf.size(), size - off);
    st = PreadAll(ifd, buf.data(), n, off, in);
    if (st.ok()) st = WriteAll(fd, std::string_view(buf.data(), n), path);
    off += n;
  }
  ::close(ifd);
  return st;
}

void ObjectFiles::Remove(const std::string& rel) {
  if (rel.empty()) return;
  fs::path p = root_ / rel;
  struct stat sb;
  bool known = ::lstat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode);
  if (::unlink(p.c_str()) == 0 && known) storage::DataQuota::Default().Release(static_cast<uint64_t>(sb.st_size));
}

void ObjectFiles::SweepOrphans(const std::unordered_set<std::string>& referenced) {
  // Symlinks are never followed (io/dir_tree.h): a directory that is a
  // symlink is not swept, and an entry that is one is removed itself (its
  // target stays).
  auto sweep = [&](const fs::path& rel) {
    (void)io::RemoveFilesBeneath(
        root_, rel, [&](std::string_view name) { return referenced.count((rel / std::string(name)).string()) > 0; });
  };
  if (auto fanout = io::ListBeneath(root_, "objects"); fanout.ok()) {
    for (const auto& hh : *fanout)
      if (hh.kind == io::DirEntry::Kind::kDirectory) sweep(fs::path("objects") / hh.name);
  }
  for (const char* d : {"parts", "tmp"}) sweep(d);
}

}  // namespace sluice::objstore
