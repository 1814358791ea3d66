// Helpers shared by the storage unit tests (header-only; tests only).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/shard_log.h"

namespace sluice::storage::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() / ("sluice-storage-test-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(now) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Segment files of a shard directory, oldest first.
inline std::vector<std::filesystem::path> SegmentFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline void TruncateFile(const std::filesystem::path& p, uint64_t size) { std::filesystem::resize_file(p, size); }

// XORs one byte of a file at `pos` with 0xFF.
inline void FlipByte(const std::filesystem::path& p, uint64_t pos) {
  int fd = ::open(p.c_str(), O_RDWR);
  char c = 0;
  (void)!::pread(fd, &c, 1, static_cast<off_t>(pos));
  c = static_cast<char>(c ^ 0xFF);
  (void)!::pwrite(fd, &c, 1, static_cast<off_t>(pos));
  ::close(fd);
}

}  // namespace sluice::storage::testing
