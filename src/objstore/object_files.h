// ObjectFiles: the files under the store's root that hold object and part
// bytes (docs/format/objects.md, "Layout"), apart from the index.
//
//  * Names: an object's file is objects/<hh>/<h40>-<gen16>, h40 the first 40
//    hex digits of SHA-256(bucket NUL key) and hh its first two; a part's is
//    parts/<upload-id>-<part-number>-<gen16>. gen16 is a per-process-random,
//    incrementing generation, so every write gets a file of its own. No name
//    is made from a key's characters.
//  * Writing: tmp/<name>.tmp (0600), filled, fdatasync'd, renamed into place,
//    its directory fsync'd (no syncs when !fsync). The bytes are charged to
//    the data quota (storage/data_quota.h) first: a full quota is
//    Unavailable and nothing is written. Returns the name relative to root.
//  * Removing releases the bytes from the quota; the orphan sweep removes
//    every file under objects/, parts/ and tmp/ that the index does not
//    name, never following a symlink.
//
// Thread-safe: writes of different names may run concurrently; what names
// a file (the index) is the caller's business.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/status.h"

namespace sluice::objstore {

class ObjectFiles {
 public:
  // Writes the file's bytes to `fd`; `path` is for error messages.
  using Fill = std::function<Status(int fd, const std::filesystem::path& path)>;

  ObjectFiles(std::filesystem::path root, bool fsync);

  // Creates root, objects/, parts/ and tmp/ durably if missing (the
  // objects/<hh> fan-out directories are made on first use).
  Status CreateDirectories();

  // A new file for an object of (bucket, key), `size` bytes written by `fill`.
  Result<std::string> WriteObject(std::string_view bucket, std::string_view key, uint64_t size, const Fill& fill);
  // A new file for part `part_number` of `upload_id` (32 hex digits).
  Result<std::string> WritePart(std::string_view upload_id, int part_number, std::string_view data);

  // Reads `n` bytes at `offset` of file `rel` into *out (resized to n).
  // NotFound when the file does not exist (replaced meanwhile), Corruption
  // when it is shorter than asked.
  Status Read(const std::string& rel, uint64_t offset, uint64_t n, std::string* out) const;
  // Appends the first `size` bytes of file `rel` to `fd` (writing `path`).
  // NotFound when `rel` does not exist.
  Status CopyInto(int fd, const std::filesystem::path& path, const std::string& rel, uint64_t size) const;

  // Unlinks file `rel` (nothing when empty or absent) and releases its bytes
  // from the data quota.
  void Remove(const std::string& rel);
  // Removes every file under objects/<hh>/, parts/ and tmp/ whose name
  // relative to root is not in `referenced`. A directory that cannot be swept
  // is left for next time.
  void SweepOrphans(const std::unordered_set<std::string>& referenced);

  // A fresh 64-bit number (also seeds upload ids).
  uint64_t NextGeneration();

  // Writes all of `data` to `fd`; `path` is for error messages.
  static Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path);

 private:
  Result<std::string> Write(const std::string& subdir, const std::string& stem, uint64_t size, const Fill& fill);
  Result<std::string> WriteCharged(const std::string& subdir, const std::string& stem, const Fill& fill);

  const std::filesystem::path root_;
  const bool fsync_;
  std::mutex generation_mu_;
  uint64_t generation_ = 0;
};

}  // namespace sluice::objstore
