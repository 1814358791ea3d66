// Positions: how far a delivery stream has durably delivered each of its
// source partitions (the DirectPut spool is partition 0; a Kinesis source has
// one partition per shard index). Stored in <stream dir>/positions.json,
// replaced atomically, and advanced only after the objects holding every
// record before the position are durably stored — so a crash replays, never
// skips (at-least-once, as Firehose promises).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>

#include "base/status.h"
#include "io/file_system.h"

namespace sluice::firehose::engine {

class Positions {
 public:
  // The file is read and written through `fs` (nullptr:
  // io::FileSystem::Default(); it must outlive this).
  explicit Positions(std::filesystem::path file, io::FileSystem* fs = nullptr)
      : file_(std::move(file)), fs_(fs ? fs : &io::FileSystem::Default()) {}

  // Loads the file; a missing file means nothing delivered yet.
  Status Load();
  // Writes the file atomically (durable on return).
  Status Save() const;

  bool Has(uint32_t partition) const { return next_.count(partition) != 0; }
  uint64_t Get(uint32_t partition) const;
  void Set(uint32_t partition, uint64_t next_offset) { next_[partition] = next_offset; }
  const std::map<uint32_t, uint64_t>& all() const { return next_; }

 private:
  std::filesystem::path file_;
  io::FileSystem* fs_;
  std::map<uint32_t, uint64_t> next_;  // partition -> first offset not yet delivered
};

}  // namespace sluice::firehose::engine
