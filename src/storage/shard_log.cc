// ShardLog implementation: a directory of Segments (segment.h), the newest of
// which is the active one appends go to.
//
// Locks, always taken in this order:
//   sync_mu_      one Sync() at a time
//   mu_           appends; guards active_, dirty_, dir_dirty_, failed_, ...
//   segments_mu_  the segment list (shared for readers)
//   Segment::mu_  a segment's own bookkeeping
// Readers only take segments_mu_ (shared) and segment locks briefly, then
// pread without locks; they are bounded by the committed_end_ atomic.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>

#include "base/mutex.h"
#include "io/file_system.h"
#include "io/file_util.h"
#include "storage/data_quota.h"
#include "storage/fault_stats.h"
#include "storage/segment.h"
#include "storage/segment_format.h"
#include "storage/shard_log.h"

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {

class ShardLogImpl final : public ShardLog {
 public:
  ShardLogImpl(fs::path dir, const ShardLogOptions& options) : dir_(std::move(dir)), options_(options) {}

  Status Recover();

  Result<uint64_t> Append(std::span<const AppendEntry> entries, int64_t arrival_ms,
                          std::shared_ptr<const void> owner) override;
  Status Sync() override;
  bool SyncWaitsForDisk() const override { return options_.fsync == FsyncPolicy::kAlways; }
  bool HasUnsynced() const override {
    return next_offset_.load(std::memory_order_acquire) > committed_end_.load(std::memory_order_acquire);
  }
  uint64_t start_offset() const override { return start_offset_.load(std::memory_order_acquire); }
  uint64_t committed_end() const override { return committed_end_.load(std::memory_order_acquire); }
  int64_t last_arrival_ms() const override { return last_arrival_.load(std::memory_order_acquire); }
  Result<ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const override;
  Result<uint64_t> FindByTime(int64_t timestamp_ms) const override;
  Status TrimBefore(int64_t cutoff_ms) override;
  uint64_t DiskBytes() const override;

 private:
  // The segment holding `offset` and the offset its records end at (the next
  // segment's base, or UINT64_MAX for the active one). nullptr when `offset`
  // precedes the first retained segment.
  std::shared_ptr<Segment> FindSegment(uint64_t offset, uint64_t* segment_end) const;
  // Seals the active segment and starts a new one at next_offset_. Needs mu_.
  Status RollLocked() REQUIRES(mu_);
  // Marks the log failed after a write/sync error that left a file's tail
  // in doubt. Needs mu_.
  void FailLocked(const Status& cause) REQUIRES(mu_);
  // Repairs a failed log: Segment::Repair() of every segment written since
  // the last good Sync, the directory fsync if one was created, then
  // publishes everything appended. Needs sync_mu_ and mu_.
  Status RepairLocked() REQUIRES(sync_mu_, mu_);
  bool KeepUnsynced() const { return options_.fsync == FsyncPolicy::kAlways; }
  DataQuota& Quota() const { return options_.data_quota ? *options_.data_quota : DataQuota::Default(); }
  io::FileSystem& Fs() const { return options_.fs ? *options_.fs : io::FileSystem::Default(); }

  const fs::path dir_;
  const ShardLogOptions options_;

  Mutex sync_mu_ ACQUIRED_BEFORE(mu_);

  mutable Mutex mu_;
  std::shared_ptr<Segment> active_ GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Segment>> dirty_ GUARDED_BY(mu_);  // written since the last Sync
  bool dir_dirty_ GUARDED_BY(mu_) = false;                       // a segment file was created
  int64_t last_appended_arrival_ GUARDED_BY(mu_) = 0;
  Status failed_ GUARDED_BY(mu_);  // set: Append and Sync repair first (RepairLocked)

  mutable SharedMutex segments_mu_;
  std::vector<std::shared_ptr<Segment>> segments_ GUARDED_BY(segments_mu_);  // ascending base; back() is active_

  std::atomic<uint64_t> next_offset_{0};
  std::atomic<uint64_t> committed_end_{0};
  std::atomic<uint64_t> start_offset_{0};
  std::atomic<int64_t> last_arrival_{0};
};

Status ShardLogImpl::Recover() {
  SLUICE_RETURN_IF_ERROR(io::CreateDirectoriesDurably(Fs(), dir_));
  std::vector<uint64_t> bases;
  std::vector<uint64_t> index_bases;
  Result<std::vector<std::string>> names = Fs().ListDir(dir_);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (auto b = format::ParseSegmentFileName(name)) bases.push_back(*b);
    if (auto b = format::ParseIndexFileName(name)) index_bases.push_back(*b);
  }
  std::sort(bases.begin(), bases.end());
  // An index without its log is left over from an interrupted trim.
  for (uint64_t b : index_bases) {
    if (!std::binary_search(bases.begin(), bases.end(), b)) {
      Fs().Unlink(dir_ / format::IndexFileName(b)).IgnoreError();  // tried again on the next Open
    }
  }

  std::vector<std::shared_ptr<Segment>> segs(bases.size());
  if (bases.empty()) {
    Result<std::shared_ptr<Segment>> seg =
        Segment::Create(dir_, 0, options_.index_interval_bytes, KeepUnsynced(), options_.fd_cache, options_.fs);
    if (!seg.ok()) return seg.status();
    SLUICE_RETURN_IF_ERROR((*seg)->Sync());
    SLUICE_RETURN_IF_ERROR(io::SyncDirectory(Fs(), dir_));
    segs.push_back(*seg);
  } else {
    bool truncated = false;
    Result<std::shared_ptr<Segment>> newest = Segment::RecoverActive(
        dir_, bases.back(), options_.index_interval_bytes, &truncated, KeepUnsynced(), options_.fd_cache, options_.fs);
    if (!newest.ok()) return newest.status();
    segs.back() = *newest;
    std::optional<int64_t> later;
    if (SegmentState s = segs.back()->state(); s.has_records) later = s.first_arrival_ms;
    for (size_t i = bases.size() - 1; i-- > 0;) {
      bool rebuilt = false;
      Result<std::shared_ptr<Segment>> seg = Segment::LoadSealed(
          dir_, bases[i], bases[i + 1], later, options_.index_interval_bytes, &rebuilt, options_.fd_cache, options_.fs);
      if (!seg.ok()) return seg.status();
      segs[i] = *seg;
      if (SegmentState s = segs[i]->state(); s.has_records) later = s.first_arrival_ms;
    }
  }

  int64_t last_arrival = 0;
  for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
    if (SegmentState s = (*it)->state(); s.has_records) {
      last_arrival = s.last_arrival_ms;
      break;
    }
  }
  uint64_t end = segs.back()->state().end_offset;
  // Not shared yet: the locks only satisfy the analysis.
  MutexLock lock(mu_);
  WriterLock segments_lock(segments_mu_);
  active_ = segs.back();
  last_appended_arrival_ = last_arrival;
  start_offset_.store(segs.front()->base_offset());
  next_offset_.store(end);
  committed_end_.store(end);
  last_arrival_.store(last_arrival);
  segments_ = std::move(segs);
  return Status::Ok();
}

void ShardLogImpl::FailLocked(const Status& cause) {
  if (failed_.ok()) {
    ReportFault("shard log " + dir_.string() + " refuses appends until repaired: " + cause.message());
    failed_ = Status(cause.code(), "shard log " + dir_.string() + " failed: " + cause.message());
  }
}

Status ShardLogImpl::RepairLocked() {
  const bool sync = options_.fsync == FsyncPolicy::kAlways;
  for (const auto& seg : dirty_) {
    Status st = seg->Repair(sync);
    if (!st.ok()) return Status(st.code(), "repairing shard log " + dir_.string() + ": " + st.message());
  }
  // A directory entry is metadata, which the file system journals: unlike a
  // file's dirty pages, it is not dropped by a failed fsync, so syncing the
  // directory again is meaningful.
  if (sync && dir_dirty_) {
    Status st = io::SyncDirectory(Fs(), dir_);
    if (!st.ok()) return Status(st.code(), "repairing shard log " + dir_.string() + ": " + st.message());
  }
  dirty_.clear();
  dir_dirty_ = false;
  failed_ = Status::Ok();
  // Everything appended is durable again: rewritten from memory and synced.
  last_arrival_.store(last_appended_arrival_, std::memory_order_release);
  committed_end_.store(next_offset_.load(std::memory_order_relaxed), std::memory_order_release);
  Faults().repairs.fetch_add(1, std::memory_order_relaxed);
  ReportFault("shard log " + dir_.string() + " repaired; appends resume at offset " +
              std::to_string(next_offset_.load(std::memory_order_relaxed)));
  return Status::Ok();
}

Result<uint64_t> ShardLogImpl::Append(std::span<const AppendEntry> entries, int64_t arrival_ms,
                                      std::shared_ptr<const void> owner) {
  uint64_t batch_bytes = 0;
  for (const AppendEntry& e : entries) {
    if (e.partition_key.size() > std::numeric_limits<uint16_t>::max()) {
      return Status::InvalidArgument("partition key too long");
    }
    uint64_t frame = format::FrameSize(e.partition_key.size(), e.data.size());
    if (frame - format::kFrameHeaderSize > format::kMaxBodySize) {
      return Status::InvalidArgument("record too large");
    }
    batch_bytes += frame;
  }
  MutexLock lock(mu_);
  if (!failed_.ok()) {
    lock.Unlock();
    {
      MutexLock sync_lock(sync_mu_);
      MutexLock repair_lock(mu_);
      if (!failed_.ok()) SLUICE_RETURN_IF_ERROR(RepairLocked());
    }
    lock.Lock();
    if (!failed_.ok()) return failed_;
  }
  uint64_t first = next_offset_.load(std::memory_order_relaxed);
  if (entries.empty()) return first;
  // Offsets never wrap: a log whose next offset is near 2^64 (only a damaged
  // or tampered segment name gets there) takes no more records rather than
  // acknowledging ones that could not be read back.
  if (entries.size() >= std::numeric_limits<uint64_t>::max() - first)
    return Status::ResourceExhausted("the shard log's offsets are exhausted");
  int64_t arrival = std::max(arrival_ms, last_appended_arrival_);

  SegmentState s = active_->state();
  if (s.has_records && (s.size + batch_bytes > options_.segment_max_bytes ||
                        arrival - s.first_arrival_ms >= options_.segment_max_age_ms)) {
    SLUICE_RETURN_IF_ERROR(RollLocked());
  }
  // Refused before anything is written when the data directory's quota
  // would be exceeded (the log stays healthy).
  SLUICE_RETURN_IF_ERROR(Quota().Charge(batch_bytes));
  bool cut_failed = false;
  Status st = active_->Append(first, arrival, entries, &cut_failed, std::move(owner));
  if (!st.ok()) {
    Quota().Release(batch_bytes);
    if (cut_failed) {
      if (dirty_.empty() || dirty_.back() != active_) dirty_.push_back(active_);
      FailLocked(st);
    }
    return st;
  }
  if (dirty_.empty() || dirty_.back() != active_) dirty_.push_back(active_);
  last_appended_arrival_ = arrival;
  next_offset_.store(first + entries.size(), std::memory_order_release);
  return first;
}

Status ShardLogImpl::RollLocked() {
  // The index of the sealed segment is derived data: if writing it fails it
  // is rebuilt by scanning on the next Open.
  active_->WriteIndex().IgnoreError();
  Result<std::shared_ptr<Segment>> seg = Segment::Create(dir_, next_offset_.load(), options_.index_interval_bytes,
                                                         KeepUnsynced(), options_.fd_cache, options_.fs);
  if (!seg.ok()) return seg.status();
  // The rolled-from segment stays in dirty_ (if unsynced) until Sync runs.
  dirty_.push_back(*seg);
  dir_dirty_ = true;
  {
    WriterLock lock(segments_mu_);
    segments_.push_back(*seg);
  }
  active_ = *seg;
  return Status::Ok();
}

Status ShardLogImpl::Sync() {
  MutexLock sync_lock(sync_mu_);
  std::vector<std::shared_ptr<Segment>> files;
  bool dir_dirty;
  uint64_t target;
  int64_t arrival;
  {
    MutexLock lock(mu_);
    if (!failed_.ok()) return RepairLocked();
    files.swap(dirty_);
    dir_dirty = dir_dirty_;
    dir_dirty_ = false;
    target = next_offset_.load(std::memory_order_relaxed);
    arrival = last_appended_arrival_;
  }
  if (options_.fsync == FsyncPolicy::kAlways) {
    Status st;
    for (const auto& f : files) {
      st = f->Sync();
      if (!st.ok()) break;
    }
    if (st.ok() && dir_dirty) st = io::SyncDirectory(Fs(), dir_);
    if (!st.ok()) {
      // After a failed fsync the kernel may have dropped the dirty pages (or
      // marked them clean), so a retry could "succeed" without the data being
      // on disk. Publish nothing; the log refuses appends until RepairLocked
      // has cut those pages away and written the records again.
      Faults().sync_failures.fetch_add(1, std::memory_order_relaxed);
      MutexLock lock(mu_);
      for (auto it = files.rbegin(); it != files.rend(); ++it)
        if (std::find(dirty_.begin(), dirty_.end(), *it) == dirty_.end()) dirty_.insert(dirty_.begin(), *it);
      dir_dirty_ = dir_dirty_ || dir_dirty;
      FailLocked(st);
      return st;
    }
  }
  if (target > committed_end_.load(std::memory_order_relaxed)) {
    last_arrival_.store(arrival, std::memory_order_release);
    committed_end_.store(target, std::memory_order_release);
  }
  return Status::Ok();
}

std::shared_ptr<Segment> ShardLogImpl::FindSegment(uint64_t offset, uint64_t* segment_end) const {
  ReaderLock lock(segments_mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](uint64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
  if (it == segments_.begin()) return nullptr;
  *segment_end = it == segments_.end() ? UINT64_MAX : (*it)->base_offset();
  return *std::prev(it);
}

Result<ReadResult> ShardLogImpl::Read(uint64_t from, size_t max_records, size_t max_bytes) const {
  ReadResult result;
  const uint64_t end = committed_end_.load(std::memory_order_acquire);
  uint64_t off = std::max(from, start_offset_.load(std::memory_order_acquire));
  result.next_offset = off;
  size_t bytes = 0;
  // Returns what was read so far, or `st` when nothing was: a later Read
  // starting at the bad record reports the error.
  auto fail = [&](Status st) -> Result<ReadResult> {
    if (!result.records.empty()) return std::move(result);
    return st;
  };
  while (off < end && result.records.size() < max_records) {
    uint64_t seg_end = 0;
    std::shared_ptr<Segment> seg = FindSegment(off, &seg_end);
    if (!seg) {  // trimmed while we were reading: skip forward
      uint64_t start = start_offset_.load(std::memory_order_acquire);
      if (start <= off) return Status::Internal("no segment holds offset " + std::to_string(off));
      if (!result.records.empty()) break;
      off = result.next_offset = start;
      continue;
    }
    seg_end = std::min(seg_end, end);
    FdCache::Lease lease;  // keeps the descriptor open while this segment is read
    Status st = seg->EnsureOpen(&lease);
    format::IndexEntry at = seg->Seek(off);
    if (!st.ok()) {
      // A bad segment header: the frames after it may still be good.
      if (st.code() != StatusCode::kCorruption || !lease) return fail(st);
      at = {seg->base_offset(), format::kSegmentHeaderSize, 0};
    }
    FrameReader reader(seg->fs(), lease.fd(), at.position, seg->state().size);
    uint64_t expected = at.offset;
    bool done = false;
    if (!st.ok()) {
      Result<std::optional<format::IndexEntry>> resync = seg->Resync(seg->base_offset(), 0, seg_end);
      if (!resync.ok()) return fail(resync.status());
      const std::optional<format::IndexEntry>& next = *resync;
      if (next) {
        reader = FrameReader(seg->fs(), lease.fd(), next->position, seg->state().size);
        expected = next->offset;
      } else {
        expected = seg_end;
      }
    }
    while (expected < seg_end && !done) {
      format::FrameView f;
      FrameReader::Outcome outcome;
      uint64_t pos = reader.position();
      st = reader.Next(&f, &outcome);
      if (!st.ok()) return fail(st);
      if (outcome != FrameReader::Outcome::kFrame || f.offset != expected) {
        // Damage inside the segment: skip to the next good frame (reported
        // once by Resync), or past the segment when none follows.
        Result<std::optional<format::IndexEntry>> resync = seg->Resync(expected, pos, seg_end);
        if (!resync.ok()) return fail(resync.status());
        const std::optional<format::IndexEntry>& next = *resync;
        if (!next) {
          expected = seg_end;
          break;
        }
        reader = FrameReader(seg->fs(), lease.fd(), next->position, seg->state().size);
        expected = next->offset;
        continue;
      }
      ++expected;
      if (f.offset < off) continue;  // short scan from the index entry
      if (!result.records.empty() && bytes + f.data.size() > max_bytes) {
        done = true;
        break;
      }
      bytes += f.data.size();
      result.records.push_back(StoredRecord{f.offset, f.arrival_ms, std::string(f.key), std::string(f.data)});
      off = result.next_offset = f.offset + 1;
      if (result.records.size() >= max_records) done = true;
    }
    if (!done && expected > off) off = result.next_offset = std::min(expected, end);
    if (done) break;
  }
  return result;
}

Result<uint64_t> ShardLogImpl::FindByTime(int64_t timestamp_ms) const {
  const uint64_t end = committed_end_.load(std::memory_order_acquire);
  std::shared_ptr<Segment> seg;
  uint64_t seg_end = UINT64_MAX;
  {
    ReaderLock lock(segments_mu_);
    for (size_t i = 0; i < segments_.size(); ++i) {
      SegmentState s = segments_[i]->state();
      if (s.base_offset >= end) break;
      if (s.has_records && s.last_arrival_ms >= timestamp_ms) {
        seg = segments_[i];
        if (i + 1 < segments_.size()) seg_end = segments_[i + 1]->base_offset();
        break;
      }
    }
  }
  if (!seg) return end;
  seg_end = std::min(seg_end, end);
  std::optional<format::IndexEntry> at = seg->SeekTime(timestamp_ms);
  if (!at) return std::max(seg->base_offset(), start_offset_.load());
  FdCache::Lease lease;
  SLUICE_RETURN_IF_ERROR(seg->EnsureOpen(&lease));
  FrameReader reader(seg->fs(), lease.fd(), at->position, seg->state().size);
  for (uint64_t expected = at->offset; expected < seg_end;) {
    format::FrameView f;
    FrameReader::Outcome outcome;
    uint64_t pos = reader.position();
    SLUICE_RETURN_IF_ERROR(reader.Next(&f, &outcome));
    if (outcome != FrameReader::Outcome::kFrame || f.offset != expected) {
      Result<std::optional<format::IndexEntry>> resync = seg->Resync(expected, pos, seg_end);  // as in Read
      if (!resync.ok()) return resync.status();
      const std::optional<format::IndexEntry>& next = *resync;
      if (!next) return seg_end;
      reader = FrameReader(seg->fs(), lease.fd(), next->position, seg->state().size);
      expected = next->offset;
      continue;
    }
    if (f.arrival_ms >= timestamp_ms) return f.offset;
    ++expected;
  }
  return seg_end;
}

Status ShardLogImpl::TrimBefore(int64_t cutoff_ms) {
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    WriterLock lock(segments_mu_);
    const uint64_t end = committed_end_.load(std::memory_order_acquire);
    size_t n = 0;
    while (n + 1 < segments_.size()) {  // never the active (last) segment
      SegmentState s = segments_[n]->state();
      uint64_t seg_end = segments_[n + 1]->base_offset();
      if (seg_end > end) break;  // holds unpublished records
      if (s.has_records && s.last_arrival_ms >= cutoff_ms) break;
      ++n;
    }
    if (n == 0) return Status::Ok();
    doomed.assign(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
    start_offset_.store(segments_.front()->base_offset(), std::memory_order_release);
  }
  // Oldest first, so a crash leaves a contiguous suffix of segments. Remove()
  // pins each descriptor first: readers that already hold the segment
  // must be able to pread it after the unlink.
  for (const auto& seg : doomed) {
    SLUICE_RETURN_IF_ERROR(seg->Remove());
    Quota().Release(seg->DiskBytes());
  }
  return io::SyncDirectory(Fs(), dir_);
}

uint64_t ShardLogImpl::DiskBytes() const {
  ReaderLock lock(segments_mu_);
  uint64_t total = 0;
  for (const auto& s : segments_) total += s->DiskBytes();
  return total;
}

}  // namespace

Result<std::unique_ptr<ShardLog>> ShardLog::Open(const fs::path& dir, const ShardLogOptions& options) {
  auto log = std::make_unique<ShardLogImpl>(dir, options);
  SLUICE_RETURN_IF_ERROR(log->Recover());
  return std::unique_ptr<ShardLog>(std::move(log));
}

}  // namespace sluice::storage
