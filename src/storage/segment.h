// Segment: one segment file (<base>.log) of a shard log plus its in-memory
// sparse index (persisted as <base>.idx once the segment is sealed).
//
// Thread-safety: state(), Seek*(), EnsureOpen(), DiskBytes() may be called
// from any thread. Append() and WriteIndex() must not run concurrently with
// each other (the ShardLog serializes them under its append mutex).
//
// Descriptors: the .log file's descriptor is managed by an FdCache
// (storage/fd_cache.h). Readers pread through the lease EnsureOpen() gives
// them, which keeps the descriptor open while they hold it; an idle segment
// holds none and is re-opened on its next read or append. A segment with
// appends not yet covered by a successful Sync() (FsyncPolicy::kAlways)
// keeps its descriptor pinned until that Sync, so the fdatasync runs on the
// descriptor the writes went through. Remove() pins the descriptor for good
// (an unlinked file can't be re-opened), so a reader holding a shared_ptr
// keeps working after the files were unlinked.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "io/file_system.h"
#include "storage/append_entry.h"
#include "storage/fd_cache.h"
#include "storage/segment_format.h"

namespace sluice::storage {

// Buffered sequential reader of frames through pread(2).
class FrameReader {
 public:
  enum class Outcome {
    kFrame,  // *frame holds the next frame (valid until the next call)
    kEnd,    // position() reached `limit` exactly at a frame boundary
    kTorn,   // the next frame extends beyond `limit` (or the file is shorter)
    kBad,    // length field out of range or CRC mismatch
  };
  // Reads frames of `fd` (a handle of `fs`, which must outlive the reader)
  // starting at byte `position`, never past byte `limit`.
  FrameReader(io::FileSystem& fs, int fd, uint64_t position, uint64_t limit);
  // Non-ok only for I/O errors.
  Status Next(format::FrameView* frame, Outcome* outcome);
  // Start of the next unread frame.
  uint64_t position() const { return pos_; }

 private:
  Status Fill(uint64_t need, bool* available);

  io::FileSystem* fs_;
  int fd_;
  uint64_t pos_;
  uint64_t limit_;
  std::string buf_;
  uint64_t buf_start_;  // file position of buf_[0]
};

// A consistent snapshot of a segment's bookkeeping.
struct SegmentState {
  uint64_t base_offset = 0;
  uint64_t end_offset = 0;  // one past the last record written to the file
  uint64_t size = 0;        // bytes of the .log file (header + frames)
  bool has_records = false;
  int64_t first_arrival_ms = 0;
  int64_t last_arrival_ms = 0;
};

class Segment {
 public:
  // Creates <dir>/<base>.log holding only the file header (O_EXCL, not
  // synced: the caller fdatasyncs it and the directory before relying on it).
  // `keep_unsynced`: keep a copy of every byte written since the last
  // successful Sync() so that Repair() can rewrite it (FsyncPolicy::kAlways).
  // `cache` manages the descriptor (nullptr: FdCache::Default()) and every
  // file operation goes through `fs` (nullptr: io::FileSystem::Default(); it
  // must outlive the segment); the same holds for RecoverActive() and
  // LoadSealed().
  static Result<std::shared_ptr<Segment>> Create(const std::filesystem::path& dir, uint64_t base_offset,
                                                 uint32_t index_interval_bytes, bool keep_unsynced = false,
                                                 FdCache* cache = nullptr, io::FileSystem* fs = nullptr);

  // Recovers the newest segment: a missing/invalid file header is treated as a
  // torn creation and reset; every frame is scanned. A damaged frame followed
  // by good frames is skipped (resync, reported, see Resync()); a damaged or
  // incomplete frame with no good frame after it is a torn tail and the file
  // is cut (ftruncate + fdatasync) there. *truncated tells whether anything
  // was cut. Opened read-write.
  static Result<std::shared_ptr<Segment>> RecoverActive(const std::filesystem::path& dir, uint64_t base_offset,
                                                        uint32_t index_interval_bytes, bool* truncated,
                                                        bool keep_unsynced = false, FdCache* cache = nullptr,
                                                        io::FileSystem* fs = nullptr);

  // Loads a sealed segment whose records end at `end_offset` (the next
  // segment's base) from its .idx, without touching the .log beyond a stat.
  // A missing, short or inconsistent index is rebuilt by scanning the .log
  // and rewritten if the scan was clean. A damaged segment (bad header or
  // frame) is never truncated: reads of its damaged range return Corruption.
  // `later_arrival_ms` (first arrival of the next segment, if known) bounds
  // the arrival times of a damaged segment. *rebuilt tells whether it scanned.
  static Result<std::shared_ptr<Segment>> LoadSealed(const std::filesystem::path& dir, uint64_t base_offset,
                                                     uint64_t end_offset, std::optional<int64_t> later_arrival_ms,
                                                     uint32_t index_interval_bytes, bool* rebuilt,
                                                     FdCache* cache = nullptr, io::FileSystem* fs = nullptr);

  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Appends one frame per entry (offsets first_offset, first_offset+1, ...)
  // at the end of the file with pwritev (one call per up to 512 records).
  // On failure the file is cut back to its previous size; *cut_failed is set
  // when even that failed (the file tail is then unknown). With
  // keep_unsynced, `owner` (when given) keeps the entries' bytes alive until
  // they are synced; without it they are copied.
  Status Append(uint64_t first_offset, int64_t arrival_ms, std::span<const AppendEntry> entries, bool* cut_failed,
                std::shared_ptr<const void> owner = nullptr);

  // Writes the .idx file describing the current contents. Not fsynced: an
  // index that does not check is rebuilt on the next open.
  Status WriteIndex();

  // fdatasync(2) of the .log file. On success the bytes written before the
  // call count as synced (their kept copy is dropped).
  Status Sync();

  // After a failed write or sync, when the file's tail can't be trusted:
  // cuts the file back to the bytes synced before (ftruncate), writes the
  // kept copy of everything appended since again, and fdatasyncs that when
  // `sync`. It never re-syncs the pages whose sync failed: they were cut
  // away. On error the file is cut back again and Repair can be retried.
  // Must not run concurrently with Append() or Sync().
  Status Repair(bool sync);

  // Called when the frame expected for record `bad_offset` at byte
  // `bad_position` does not check (reads and recovery): finds the next good
  // frame after it (length, CRC and an offset in [bad_offset, end_offset),
  // followed by another good frame or the end of the file) by scanning byte
  // by byte. Reports the damage once (stderr and Faults().corrupt_frames)
  // and remembers the answer. nullopt when no good frame follows (asked
  // again with a larger `end_offset`, it looks again).
  // Non-ok only for I/O errors (not remembered).
  Result<std::optional<format::IndexEntry>> Resync(uint64_t bad_offset, uint64_t bad_position,
                                                   uint64_t end_offset) const;

  // Pins the .log's descriptor into *lease, opening the file if it is
  // closed, and checks its header the first time. Corruption (sticky) when
  // the header is bad; *lease is then still filled, so the frames after the
  // header can be searched. Other errors leave *lease empty.
  Status EnsureOpen(FdCache::Lease* lease) const;

  // Unlinks the .log and .idx files; the descriptor is opened first and
  // stays open (pinned) for as long as the Segment lives.
  Status Remove();
  // True while the .log has a descriptor open (tests and health figures).
  bool HoldsDescriptor() const { return file_->is_open(); }

  SegmentState state() const;
  // The index entry of the frame at or before `offset` (the first frame's
  // entry when `offset` precedes it, or {base, header end} when empty).
  format::IndexEntry Seek(uint64_t offset) const;
  // The last index entry whose arrival is < `timestamp_ms`, or nullopt when
  // the first record already arrived at or after it (or there is none).
  std::optional<format::IndexEntry> SeekTime(int64_t timestamp_ms) const;

  uint64_t base_offset() const { return base_offset_; }
  // The file system the segment's files live in (for FrameReader).
  io::FileSystem& fs() const { return *fs_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  const std::filesystem::path& index_path() const { return index_path_; }
  // Bytes of the .log plus the .idx (if written).
  uint64_t DiskBytes() const;

 private:
  Segment(const std::filesystem::path& dir, uint64_t base_offset, uint32_t index_interval_bytes, FdCache* cache,
          io::FileSystem* fs, int open_flags);
  bool LoadIndexFile(uint64_t end_offset, uint64_t log_size);
  // Scans frames from the header on, building the index; skips damaged
  // frames that good frames follow (Resync) and stops at a bad/torn frame
  // with none after it, or at `stop_offset`. Returns the position after the
  // last good frame. `fd` is the .log's (pinned) descriptor.
  Result<uint64_t> ScanAndIndex(int fd, uint64_t file_size, uint64_t stop_offset);
  // The descriptor Sync()/Repair() write through: the dirty pin's, or a new
  // lease. Needs mu_ not held.
  Result<int> WriteDescriptor(FdCache::Lease* lease) EXCLUDES(mu_);
  void AddFrameLocked(uint64_t offset, uint64_t position, uint64_t frame_size, int64_t arrival_ms) REQUIRES(mu_);

  io::FileSystem* const fs_;
  const uint64_t base_offset_;
  const uint32_t index_interval_bytes_;
  const std::filesystem::path log_path_;
  const std::filesystem::path index_path_;

  const std::unique_ptr<FdCache::File> file_;  // the .log's descriptor

  mutable Mutex mu_;
  mutable bool header_checked_ GUARDED_BY(mu_) = false;
  mutable Status open_status_ GUARDED_BY(mu_);  // sticky Corruption for a bad header
  // Held from the first append not yet synced (keep_unsynced_) until a Sync
  // covers every append; only Append() sets it, only Sync()/Repair() clear it.
  FdCache::Lease dirty_pin_ GUARDED_BY(mu_);
  FdCache::Lease removed_pin_ GUARDED_BY(mu_);  // set by Remove()
  std::vector<format::IndexEntry> entries_ GUARDED_BY(mu_);
  uint64_t size_ GUARDED_BY(mu_) = 0;
  uint64_t end_offset_ GUARDED_BY(mu_) = 0;
  int64_t first_arrival_ms_ GUARDED_BY(mu_) = 0;
  int64_t last_arrival_ms_ GUARDED_BY(mu_) = 0;
  uint64_t bytes_since_index_ GUARDED_BY(mu_) = 0;
  uint64_t index_file_bytes_ GUARDED_BY(mu_) = 0;

  // Repair bookkeeping: bytes [0, synced_size_) were synced (or, without
  // keep_unsynced_, written); unsynced_ holds the appends after them, one
  // chunk per Append, so synced_size_ + sum(chunk sizes) == size_.
  struct UnsyncedChunk {
    std::vector<iovec> pieces;          // the bytes written, in file order
    std::shared_ptr<const void> owner;  // keeps every piece alive
  };
  bool keep_unsynced_ = false;  // set before the segment is shared, then read-only
  uint64_t synced_size_ GUARDED_BY(mu_) = 0;
  std::vector<UnsyncedChunk> unsynced_ GUARDED_BY(mu_);

  // Damage found so far: expected offset of a bad frame -> the next good
  // frame, or none up to `end_offset` (the active segment may still grow).
  struct ResyncResult {
    std::optional<format::IndexEntry> next;
    uint64_t end_offset = 0;
  };
  mutable std::map<uint64_t, ResyncResult> resyncs_;
};

}  // namespace sluice::storage
