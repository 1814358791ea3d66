// ShardLog: the durable, append-only record log of one Kinesis shard.
//
// Records get dense offsets 0, 1, 2, ... in append order. Offsets are the
// storage's own coordinates; the Kinesis layer maps them to AWS-style
// sequence numbers (model/sequence_number.h).
//
// On disk a shard is a directory of segment files, each holding a run of
// consecutive records as checksummed frames, plus a sparse index per segment
// for seeking by offset and by arrival time. docs/format/segment.md is the
// byte-level contract.
//
// Durability and visibility:
//   Append() writes the frames to the file (write(2)) and returns the offsets
//   they got. They are NOT yet visible to readers. Sync() makes everything
//   appended so far durable according to the FsyncPolicy and then publishes
//   it: committed_end() advances and Read() can return it. An acknowledged
//   put is one whose offsets are below committed_end().
//
// Recovery: Open() scans the newest segment, cuts a torn or corrupt tail
// (a frame whose length or CRC does not check and no good frame follows),
// and treats everything left as committed. A damaged frame in the middle of
// a segment is skipped (resync to the next good frame) and reported.
//
// Faults: a failed write is cut back at once. After a failed sync nothing is
// published and the log repairs itself before its next append (cut back to
// the last synced size, rewrite from memory, fresh fdatasync); until that
// succeeds Append and Sync return the error. docs/durability.md.
//
// Thread-safety: all methods may be called concurrently. Appends are
// serialized internally; reads never block appends for long (they pread on
// segment files they hold a reference to).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "storage/append_entry.h"

namespace sluice::io {
class FileSystem;
}  // namespace sluice::io

namespace sluice::storage {

class DataQuota;
class FdCache;

enum class FsyncPolicy {
  // fdatasync(2) before publishing: acknowledged data survives power loss.
  kAlways,
  // Publish after write(2): survives a crash or kill -9 of the server (the OS
  // keeps the page cache), not an OS crash or power loss.
  kOsBuffered,
};

struct ShardLogOptions {
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  // A new segment starts when the active one reaches this size...
  uint64_t segment_max_bytes = 64ull << 20;
  // ...or when its first record is older than this, so that retention can
  // delete whole segments close to their expiry.
  int64_t segment_max_age_ms = 60ll * 60 * 1000;
  // One sparse index entry at least every this many bytes of frames.
  uint32_t index_interval_bytes = 4096;
  // Bounds the segment descriptors held open (storage/fd_cache.h); nullptr
  // means FdCache::Default(). Must outlive the log.
  FdCache* fd_cache = nullptr;
  // Charged for every append, refusing it (ResourceExhausted) when the
  // quota is used up (storage/data_quota.h); nullptr means
  // DataQuota::Default(). Must outlive the log.
  DataQuota* data_quota = nullptr;
  // Every file operation of the log (segments, indexes, the directory) goes
  // through this file system; nullptr means io::FileSystem::Default(), the
  // real one. Tests pass an in-memory or power-cutting one
  // (io/fault_injection_file_system.h). Must outlive the log.
  io::FileSystem* fs = nullptr;
};

struct StoredRecord {
  uint64_t offset = 0;
  int64_t arrival_ms = 0;  // ApproximateArrivalTimestamp, ms since epoch
  std::string partition_key;
  std::string data;
};

struct ReadResult {
  std::vector<StoredRecord> records;
  // Offset to continue reading from (one past the last returned record, or
  // the first retained offset if `from` had been trimmed away).
  uint64_t next_offset = 0;
};

class ShardLog {
 public:
  // Opens (creating if absent) the shard log in `dir`, recovering as above.
  static Result<std::unique_ptr<ShardLog>> Open(const std::filesystem::path& dir, const ShardLogOptions& options);
  virtual ~ShardLog() = default;

  // Appends `entries` as consecutive records with arrival time `arrival_ms`
  // (raised to the last record's arrival time if smaller, so arrival times
  // never decrease within a shard). Returns the first offset assigned; the
  // entries get first, first+1, ... On error nothing is published and the
  // log stays consistent (a partial frame is cut on the next Open or
  // overwritten). `owner`, when given, keeps the entries' bytes valid and
  // unchanged for as long as it lives: with FsyncPolicy::kAlways the log
  // then holds it until the records are synced instead of copying them (the
  // copy a repair after a failed fsync writes again). It must not own the
  // log, even indirectly: that would be a cycle while a sync is pending.
  virtual Result<uint64_t> Append(std::span<const AppendEntry> entries, int64_t arrival_ms,
                                  std::shared_ptr<const void> owner = nullptr) = 0;

  // Makes all appended records durable per FsyncPolicy and publishes them.
  // Safe to call from a single group-commit thread while appends continue.
  virtual Status Sync() = 0;
  // True when Sync() waits for the disk (FsyncPolicy::kAlways); false when
  // it only publishes, which is cheap enough to do on any thread.
  virtual bool SyncWaitsForDisk() const = 0;

  // True when Append has written records that Sync has not published yet.
  virtual bool HasUnsynced() const = 0;

  // First offset still retained (records below it were trimmed).
  virtual uint64_t start_offset() const = 0;
  // One past the last published record; readers see [start_offset, committed_end).
  virtual uint64_t committed_end() const = 0;
  // Arrival time of the newest published record, or 0 when empty.
  virtual int64_t last_arrival_ms() const = 0;

  // Reads published records from `from` on: at most `max_records`, and stops
  // before a record that would take the data total over `max_bytes` (but
  // always returns at least one record if any is available). Records with
  // offsets below start_offset() are skipped.
  virtual Result<ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const = 0;

  // First published offset whose arrival time is >= `timestamp_ms`, or
  // committed_end() when none is.
  virtual Result<uint64_t> FindByTime(int64_t timestamp_ms) const = 0;

  // Retention: deletes whole segments all of whose records arrived before
  // `cutoff_ms` (never the active segment's unsynced data), advancing
  // start_offset(). Records of a partly expired segment stay readable; the
  // Kinesis layer hides them by arrival time.
  virtual Status TrimBefore(int64_t cutoff_ms) = 0;

  // Bytes on disk in segment and index files.
  virtual uint64_t DiskBytes() const = 0;
};

}  // namespace sluice::storage
