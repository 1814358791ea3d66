#include "storage/segment.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/coding.h"
#include "io/file_system.h"
#include "io/file_util.h"
#include "storage/fault_stats.h"

namespace sluice::storage {

namespace fs = std::filesystem;
using format::FrameView;
using format::IndexEntry;

namespace {

constexpr uint64_t kReadChunk = 64 * 1024;

Status WriteFileNoSync(io::FileSystem& fsys, const fs::path& path, std::string_view contents) {
  Result<int> fd = fsys.Open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!fd.ok()) return fd.status();
  iovec v{const_cast<char*>(contents.data()), contents.size()};
  Status st = contents.empty() ? Status::Ok() : io::PwritevFull(fsys, *fd, {v}, 0, path);
  fsys.Close(*fd).IgnoreError();  // the write's status decides; an index is derived data
  return st;
}

// The next frame at or after byte `from` (and before `limit`) whose length
// and CRC check, whose offset lies in [min_offset, end_offset), and which is
// followed by the end of the region or by the good frame of the next offset.
// Candidates are filtered on the length and offset fields before the CRC is
// computed, so a scan costs little more than reading the bytes.
Result<std::optional<IndexEntry>> FindNextGoodFrame(io::FileSystem& fsys, int fd, uint64_t from, uint64_t limit,
                                                    uint64_t min_offset, uint64_t end_offset, const fs::path& path) {
  constexpr uint64_t kMinFrame = format::kFrameHeaderSize + format::kBodyFixedSize;
  constexpr uint64_t kWindow = 1 << 20;
  // At most this many frames fit between `from` and `limit`.
  uint64_t max_offset = min_offset + (limit > from ? (limit - from) / kMinFrame : 0);
  end_offset = std::min(end_offset, max_offset + 1);
  std::string buf;
  uint64_t buf_start = from;
  for (uint64_t p = from; p + kMinFrame <= limit; ++p) {
    if (p + 16 > buf_start + buf.size()) {
      buf_start = p;
      buf.resize(std::min(kWindow, limit - p));
      size_t got = 0;
      SLUICE_RETURN_IF_ERROR(io::PreadFull(fsys, fd, buf.data(), buf.size(), p, &got, path));
      buf.resize(got);
      if (got < 16) break;
    }
    const char* h = buf.data() + (p - buf_start);
    uint32_t length = DecodeFixed32(h);
    if (length < format::kBodyFixedSize || length > format::kMaxBodySize ||
        p + format::kFrameHeaderSize + length > limit) {
      continue;
    }
    uint64_t offset = DecodeFixed64(h + format::kFrameHeaderSize);
    if (offset < min_offset || offset >= end_offset) continue;
    FrameReader reader(fsys, fd, p, limit);
    FrameView f;
    FrameReader::Outcome outcome;
    SLUICE_RETURN_IF_ERROR(reader.Next(&f, &outcome));
    if (outcome != FrameReader::Outcome::kFrame || f.offset != offset) continue;
    IndexEntry found{offset, p, f.arrival_ms};
    SLUICE_RETURN_IF_ERROR(reader.Next(&f, &outcome));
    if (outcome == FrameReader::Outcome::kEnd || (outcome == FrameReader::Outcome::kFrame && f.offset == offset + 1)) {
      return std::optional<IndexEntry>(found);
    }
  }
  return std::optional<IndexEntry>();
}

void ReportDamage(const fs::path& path, uint64_t bad_offset, uint64_t bad_position,
                  const std::optional<IndexEntry>& next) {
  Faults().corrupt_frames.fetch_add(1, std::memory_order_relaxed);
  std::string m = "damaged frame in " + path.string() + " at byte " + std::to_string(bad_position) +
                  " (record offset " + std::to_string(bad_offset) + "): ";
  if (next) {
    m += "skipping " + std::to_string(next->offset - bad_offset) + " record(s) to offset " +
         std::to_string(next->offset) + " at byte " + std::to_string(next->position);
  } else {
    m += "no good frame after it in this segment";
  }
  ReportFault(m);
}

}  // namespace

// ---------------------------------------------------------------- FrameReader

FrameReader::FrameReader(io::FileSystem& fs, int fd, uint64_t position, uint64_t limit)
    : fs_(&fs), fd_(fd), pos_(position), limit_(limit), buf_start_(position) {}

Status FrameReader::Fill(uint64_t need, bool* available) {
  *available = false;
  if (pos_ + need > limit_) return Status::Ok();
  uint64_t buf_end = buf_start_ + buf_.size();
  if (pos_ >= buf_start_ && pos_ + need <= buf_end) {
    *available = true;
    return Status::Ok();
  }
  if (pos_ >= buf_start_ && pos_ <= buf_end) {
    buf_.erase(0, pos_ - buf_start_);
  } else {
    buf_.clear();
  }
  buf_start_ = pos_;
  uint64_t want = std::min(std::max(need, kReadChunk), limit_ - pos_);
  size_t have = buf_.size();
  if (want > have) {
    buf_.resize(want);
    size_t got = 0;
    Status st = io::PreadFull(*fs_, fd_, buf_.data() + have, want - have, buf_start_ + have, &got, "segment");
    buf_.resize(have + got);
    SLUICE_RETURN_IF_ERROR(st);
  }
  *available = buf_.size() >= need;
  return Status::Ok();
}

Status FrameReader::Next(FrameView* frame, Outcome* outcome) {
  if (pos_ >= limit_) {
    *outcome = Outcome::kEnd;
    return Status::Ok();
  }
  bool ok = false;
  SLUICE_RETURN_IF_ERROR(Fill(format::kFrameHeaderSize, &ok));
  if (!ok) {
    *outcome = Outcome::kTorn;
    return Status::Ok();
  }
  std::string_view at(buf_.data() + (pos_ - buf_start_), buf_.size() - (pos_ - buf_start_));
  std::optional<uint64_t> size = format::FrameSizeFromHeader(at);
  if (!size) {
    *outcome = Outcome::kBad;
    return Status::Ok();
  }
  SLUICE_RETURN_IF_ERROR(Fill(*size, &ok));
  if (!ok) {
    *outcome = Outcome::kTorn;
    return Status::Ok();
  }
  at = std::string_view(buf_.data() + (pos_ - buf_start_), *size);
  uint64_t frame_size = 0;
  if (format::DecodeFrame(at, frame, &frame_size) != format::FrameCheck::kOk) {
    *outcome = Outcome::kBad;
    return Status::Ok();
  }
  pos_ += frame_size;
  *outcome = Outcome::kFrame;
  return Status::Ok();
}

// -------------------------------------------------------------------- Segment

Segment::Segment(const fs::path& dir, uint64_t base_offset, uint32_t index_interval_bytes, FdCache* cache,
                 io::FileSystem* fsys, int open_flags)
    : fs_(fsys ? fsys : &io::FileSystem::Default()),
      base_offset_(base_offset),
      index_interval_bytes_(index_interval_bytes),
      log_path_(dir / format::SegmentFileName(base_offset)),
      index_path_(dir / format::IndexFileName(base_offset)),
      file_(std::make_unique<FdCache::File>(cache ? cache : &FdCache::Default(), log_path_, open_flags, fs_)),
      size_(format::kSegmentHeaderSize),
      end_offset_(base_offset) {}

// The pins go before file_, which then closes the descriptor.
Segment::~Segment() = default;

Result<std::shared_ptr<Segment>> Segment::Create(const fs::path& dir, uint64_t base_offset,
                                                 uint32_t index_interval_bytes, bool keep_unsynced, FdCache* cache,
                                                 io::FileSystem* fsys) {
  std::shared_ptr<Segment> seg(new Segment(dir, base_offset, index_interval_bytes, cache, fsys, O_RDWR));
  Result<int> fd = seg->fs_->Open(seg->log_path_, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (!fd.ok()) return fd.status();
  FdCache::Lease lease = seg->file_->Adopt(*fd);
  std::string header = format::EncodeSegmentHeader(base_offset);
  Status st = io::PwritevFull(*seg->fs_, lease.fd(), {iovec{header.data(), header.size()}}, 0, seg->log_path_);
  if (!st.ok()) {
    seg->fs_->Unlink(seg->log_path_).IgnoreError();  // the write's error is the one to report
    return st;
  }
  // Not shared yet: the lock only satisfies the analysis.
  MutexLock lock(seg->mu_);
  seg->header_checked_ = true;
  seg->keep_unsynced_ = keep_unsynced;
  if (keep_unsynced) {
    seg->dirty_pin_ = std::move(lease);  // the header is not synced yet
    seg->synced_size_ = 0;
    auto kept = std::make_shared<std::string>(std::move(header));
    seg->unsynced_.push_back({{iovec{kept->data(), kept->size()}}, kept});
  } else {
    seg->synced_size_ = header.size();
  }
  return seg;
}

Result<std::shared_ptr<Segment>> Segment::RecoverActive(const fs::path& dir, uint64_t base_offset,
                                                        uint32_t index_interval_bytes, bool* truncated,
                                                        bool keep_unsynced, FdCache* cache, io::FileSystem* fsys) {
  *truncated = false;
  std::shared_ptr<Segment> seg(new Segment(dir, base_offset, index_interval_bytes, cache, fsys, O_RDWR));
  io::FileSystem& files = *seg->fs_;
  // Pinned while recovering only: afterwards the segment is idle and its
  // descriptor may be closed until the next append or read.
  Result<FdCache::Lease> lease = seg->file_->Acquire();
  if (!lease.ok()) return lease.status();
  const int fd = lease->fd();
  {
    MutexLock lock(seg->mu_);
    seg->header_checked_ = true;  // checked (and reset if torn) below
  }
  Result<uint64_t> size = files.FileSize(fd);
  if (!size.ok()) return io::OnPath(size.status(), seg->log_path_);

  std::string header(format::kSegmentHeaderSize, '\0');
  size_t got = 0;
  SLUICE_RETURN_IF_ERROR(io::PreadFull(files, fd, header.data(), header.size(), 0, &got, seg->log_path_));
  uint64_t header_base = 0;
  uint64_t keep = 0;
  bool header_ok = got == header.size() && format::DecodeSegmentHeader(header, &header_base);
  if (header_ok && header_base != base_offset) {
    return Status::Corruption("segment " + seg->log_path_.string() + " has base offset " + std::to_string(header_base) +
                              " in its header");
  }
  if (header_ok) {
    Result<uint64_t> end = seg->ScanAndIndex(fd, *size, UINT64_MAX);
    if (!end.ok()) return end.status();
    keep = *end;
  } else {
    // Torn creation: rewrite the header, nothing in this file was valid.
    header = format::EncodeSegmentHeader(base_offset);
    SLUICE_RETURN_IF_ERROR(io::OnPath(files.Ftruncate(fd, 0), seg->log_path_));
    SLUICE_RETURN_IF_ERROR(io::PwritevFull(files, fd, {iovec{header.data(), header.size()}}, 0, seg->log_path_));
    *size = 0;  // force the fdatasync below
    keep = format::kSegmentHeaderSize;
    *truncated = true;
  }
  if (keep != *size) {
    if (keep < *size) {
      SLUICE_RETURN_IF_ERROR(io::OnPath(files.Ftruncate(fd, keep), seg->log_path_));
      *truncated = true;
    }
    SLUICE_RETURN_IF_ERROR(io::OnPath(files.Fdatasync(fd), seg->log_path_));
  }
  if (*truncated) {
    Faults().torn_tails.fetch_add(1, std::memory_order_relaxed);
    ReportFault("cut torn tail of " + seg->log_path_.string() + " at byte " + std::to_string(keep) + " (" +
                std::to_string(*size > keep ? *size - keep : 0) + " byte(s) after the last good frame)");
  }
  MutexLock lock(seg->mu_);
  seg->keep_unsynced_ = keep_unsynced;
  seg->synced_size_ = keep;
  return seg;
}

Result<std::shared_ptr<Segment>> Segment::LoadSealed(const fs::path& dir, uint64_t base_offset, uint64_t end_offset,
                                                     std::optional<int64_t> later_arrival_ms,
                                                     uint32_t index_interval_bytes, bool* rebuilt, FdCache* cache,
                                                     io::FileSystem* fsys) {
  *rebuilt = false;
  std::shared_ptr<Segment> seg(new Segment(dir, base_offset, index_interval_bytes, cache, fsys, O_RDONLY));
  Result<uint64_t> size = seg->fs_->FileSizeAt(seg->log_path_);
  if (!size.ok()) return size.status();
  const uint64_t log_size = *size;
  {
    MutexLock lock(seg->mu_);
    seg->synced_size_ = log_size;
  }
  if (seg->LoadIndexFile(end_offset, log_size)) return seg;

  *rebuilt = true;
  FdCache::Lease lease;
  Status open = seg->EnsureOpen(&lease);
  if (!open.ok() && open.code() != StatusCode::kCorruption) return open;
  if (!open.ok()) {
    // Bad header: nothing is readable, but keep the bookkeeping so the range
    // maps here and reads report Corruption.
    MutexLock lock(seg->mu_);
    seg->entries_.clear();
    seg->end_offset_ = end_offset;
    seg->size_ = log_size;
    seg->first_arrival_ms_ = seg->last_arrival_ms_ = later_arrival_ms.value_or(0);
    return seg;
  }
  Result<uint64_t> good_end = seg->ScanAndIndex(lease.fd(), log_size, end_offset);
  if (!good_end.ok()) return good_end.status();
  bool clean;
  {
    MutexLock lock(seg->mu_);
    clean = seg->end_offset_ == end_offset && *good_end == log_size;
    seg->size_ = log_size;
    if (!clean) {
      // Damaged: reads past the last good frame fail with Corruption.
      if (later_arrival_ms) seg->last_arrival_ms_ = std::max(seg->last_arrival_ms_, *later_arrival_ms);
      if (seg->end_offset_ == base_offset) seg->first_arrival_ms_ = seg->last_arrival_ms_;
      seg->end_offset_ = end_offset;
    }
  }
  if (clean) seg->WriteIndex().IgnoreError();  // best effort; rebuilt again next time if it fails
  return seg;
}

bool Segment::LoadIndexFile(uint64_t end_offset, uint64_t log_size) {
  Result<std::string> raw = io::ReadFile(*fs_, index_path_);
  if (!raw.ok()) return false;
  format::IndexFile idx;
  if (!format::DecodeIndexFile(*raw, &idx)) return false;
  if (idx.base_offset != base_offset_ || idx.end_offset != end_offset || idx.log_bytes != log_size ||
      log_size < format::kSegmentHeaderSize) {
    return false;
  }
  if (end_offset == base_offset_) {
    if (!idx.entries.empty() || log_size != format::kSegmentHeaderSize) return false;
  } else {
    if (end_offset < base_offset_ || idx.entries.empty()) return false;
    const IndexEntry& first = idx.entries.front();
    if (first.offset != base_offset_ || first.position != format::kSegmentHeaderSize) return false;
    for (size_t i = 1; i < idx.entries.size(); ++i) {
      const IndexEntry& a = idx.entries[i - 1];
      const IndexEntry& b = idx.entries[i];
      if (b.offset <= a.offset || b.position <= a.position || b.arrival_ms < a.arrival_ms) return false;
    }
    const IndexEntry& last = idx.entries.back();
    if (last.offset >= end_offset || last.position >= log_size || idx.last_arrival_ms < last.arrival_ms) {
      return false;
    }
  }
  MutexLock lock(mu_);
  entries_ = std::move(idx.entries);
  size_ = log_size;
  end_offset_ = end_offset;
  first_arrival_ms_ = entries_.empty() ? idx.last_arrival_ms : entries_.front().arrival_ms;
  last_arrival_ms_ = idx.last_arrival_ms;
  index_file_bytes_ = raw->size();
  return true;
}

Result<uint64_t> Segment::ScanAndIndex(int fd, uint64_t file_size, uint64_t stop_offset) {
  FrameReader reader(*fs_, fd, format::kSegmentHeaderSize, file_size);
  uint64_t expected = base_offset_;
  MutexLock lock(mu_);
  entries_.clear();
  bytes_since_index_ = 0;
  end_offset_ = base_offset_;
  size_ = format::kSegmentHeaderSize;
  while (expected < stop_offset) {
    FrameView f;
    FrameReader::Outcome outcome;
    uint64_t pos = reader.position();
    SLUICE_RETURN_IF_ERROR(reader.Next(&f, &outcome));
    if (outcome == FrameReader::Outcome::kEnd) return pos;
    if (outcome != FrameReader::Outcome::kFrame || f.offset != expected) {
      // Damage in the middle (good frames follow) or a torn tail (none do).
      Result<std::optional<IndexEntry>> next =
          FindNextGoodFrame(*fs_, fd, pos + 1, file_size, expected, stop_offset, log_path_);
      if (!next.ok()) return next.status();
      if (!*next) return pos;
      ReportDamage(log_path_, expected, pos, *next);
      resyncs_[expected] = ResyncResult{*next, stop_offset};
      reader = FrameReader(*fs_, fd, (*next)->position, file_size);
      expected = (*next)->offset;
      bytes_since_index_ = index_interval_bytes_;  // index the frame after the gap
      continue;
    }
    AddFrameLocked(f.offset, pos, reader.position() - pos, f.arrival_ms);
    size_ = reader.position();
    end_offset_ = ++expected;
  }
  return reader.position();
}

void Segment::AddFrameLocked(uint64_t offset, uint64_t position, uint64_t frame_size, int64_t arrival_ms) {
  if (entries_.empty() || bytes_since_index_ >= index_interval_bytes_) {
    entries_.push_back({offset, position, arrival_ms});
    bytes_since_index_ = 0;
  }
  bytes_since_index_ += frame_size;
  if (end_offset_ == base_offset_) first_arrival_ms_ = arrival_ms;
  last_arrival_ms_ = arrival_ms;
}

Status Segment::Append(uint64_t first_offset, int64_t arrival_ms, std::span<const AppendEntry> entries,
                       bool* cut_failed, std::shared_ptr<const void> owner) {
  *cut_failed = false;
  if (entries.empty()) return Status::Ok();
  uint64_t start;
  {
    MutexLock lock(mu_);
    start = size_;
    if (end_offset_ != first_offset) {
      return Status::Internal("segment append out of order at " + std::to_string(first_offset));
    }
  }
  // Encode every frame's prefix into one buffer; data is written in place.
  size_t prefix_bytes = 0;
  for (const AppendEntry& e : entries)
    prefix_bytes += format::kFrameHeaderSize + format::kBodyFixedSize + e.partition_key.size();
  // On the heap so that the pieces pointing into it stay put when kept.
  auto prefixes_kept = std::make_shared<std::string>();
  std::string& prefixes = *prefixes_kept;
  prefixes.reserve(prefix_bytes);
  std::vector<size_t> ends;
  ends.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    format::EncodeFramePrefix(first_offset + i, arrival_ms, entries[i].partition_key, entries[i].data, &prefixes);
    ends.push_back(prefixes.size());
  }
  std::vector<iovec> iov;
  iov.reserve(entries.size() * 2);
  size_t begin = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    iov.push_back({prefixes.data() + begin, ends[i] - begin});
    begin = ends[i];
    if (!entries[i].data.empty()) {
      iov.push_back({const_cast<char*>(entries[i].data.data()), entries[i].data.size()});
    }
  }
  // What a repair would write again: the caller's bytes while `owner` keeps
  // them alive, else a copy.
  UnsyncedChunk kept;
  if (keep_unsynced_ && owner) {
    kept.pieces = iov;
    kept.owner = std::make_shared<std::pair<std::shared_ptr<const void>, std::shared_ptr<std::string>>>(
        std::move(owner), std::move(prefixes_kept));
  } else if (keep_unsynced_) {
    auto copy = std::make_shared<std::string>();
    uint64_t total = 0;
    for (const iovec& v : iov) total += v.iov_len;
    copy->reserve(total);
    for (const iovec& v : iov) copy->append(static_cast<const char*>(v.iov_base), v.iov_len);
    kept.pieces = {iovec{copy->data(), copy->size()}};
    kept.owner = std::move(copy);
  }
  Result<FdCache::Lease> lease = file_->Acquire();  // re-opens an idle segment
  if (!lease.ok()) return lease.status();
  Status st = io::PwritevFull(*fs_, lease->fd(), std::move(iov), start, log_path_);
  if (!st.ok()) {
    Faults().write_failures.fetch_add(1, std::memory_order_relaxed);
    if (!fs_->Ftruncate(lease->fd(), start).ok()) *cut_failed = true;
    // Whatever the tail holds now must be synced (repaired) on this descriptor.
    MutexLock lock(mu_);
    if (*cut_failed && !dirty_pin_) dirty_pin_ = std::move(*lease);
    return st;
  }
  MutexLock lock(mu_);
  if (keep_unsynced_) {
    unsynced_.push_back(std::move(kept));
    // Pinned until a Sync() covers these bytes.
    if (!dirty_pin_) dirty_pin_ = std::move(*lease);
  }
  uint64_t pos = start;
  for (size_t i = 0; i < entries.size(); ++i) {
    uint64_t frame = format::FrameSize(entries[i].partition_key.size(), entries[i].data.size());
    AddFrameLocked(first_offset + i, pos, frame, arrival_ms);
    pos += frame;
    end_offset_ = first_offset + i + 1;
  }
  size_ = pos;
  if (!keep_unsynced_) synced_size_ = pos;
  return Status::Ok();
}

Status Segment::WriteIndex() {
  format::IndexFile idx;
  {
    MutexLock lock(mu_);
    idx.base_offset = base_offset_;
    idx.end_offset = end_offset_;
    idx.log_bytes = size_;
    idx.last_arrival_ms = last_arrival_ms_;
    idx.entries = entries_;
  }
  std::string raw = format::EncodeIndexFile(idx);
  SLUICE_RETURN_IF_ERROR(WriteFileNoSync(*fs_, index_path_, raw));
  MutexLock lock(mu_);
  index_file_bytes_ = raw.size();
  return Status::Ok();
}

Result<int> Segment::WriteDescriptor(FdCache::Lease* lease) {
  {
    MutexLock lock(mu_);
    // Only Sync() and Repair() clear the pin, and they don't run concurrently.
    if (dirty_pin_) return dirty_pin_.fd();
  }
  Result<FdCache::Lease> l = file_->Acquire();
  if (!l.ok()) return l.status();
  *lease = std::move(*l);
  return lease->fd();
}

Status Segment::Sync() {
  uint64_t size;
  size_t chunks;
  {
    MutexLock lock(mu_);
    size = size_;
    chunks = unsynced_.size();
    // Nothing written since the last sync (or never written): keep_unsynced_
    // pins the descriptor from the first unsynced append on.
    if (keep_unsynced_ && !dirty_pin_ && chunks == 0) return Status::Ok();
  }
  FdCache::Lease lease;
  Result<int> fd = WriteDescriptor(&lease);
  if (!fd.ok()) return fd.status();
  SLUICE_RETURN_IF_ERROR(io::OnPath(fs_->Fdatasync(*fd), log_path_));
  MutexLock lock(mu_);
  if (keep_unsynced_) {
    unsynced_.erase(unsynced_.begin(), unsynced_.begin() + static_cast<ptrdiff_t>(chunks));
    synced_size_ = size;
    if (unsynced_.empty()) dirty_pin_.Release();  // idle: the descriptor may be closed
  }
  return Status::Ok();
}

Status Segment::Repair(bool sync) {
  uint64_t keep;
  std::vector<iovec> iov;
  {
    MutexLock lock(mu_);
    keep = synced_size_;
    for (const UnsyncedChunk& c : unsynced_) iov.insert(iov.end(), c.pieces.begin(), c.pieces.end());
  }
  FdCache::Lease lease;
  Result<int> fd_or = WriteDescriptor(&lease);
  if (!fd_or.ok()) return fd_or.status();
  const int fd = *fd_or;
  SLUICE_RETURN_IF_ERROR(io::OnPath(fs_->Ftruncate(fd, keep), log_path_));
  Status st = iov.empty() ? Status::Ok() : io::PwritevFull(*fs_, fd, std::move(iov), keep, log_path_);
  if (st.ok() && sync) st = io::OnPath(fs_->Fdatasync(fd), log_path_);
  if (!st.ok()) {
    fs_->Ftruncate(fd, keep).IgnoreError();  // retried by the next Repair
    return st;
  }
  MutexLock lock(mu_);
  if (sync || !keep_unsynced_) {
    unsynced_.clear();
    synced_size_ = size_;
    dirty_pin_.Release();
  }
  return Status::Ok();
}

Result<std::optional<IndexEntry>> Segment::Resync(uint64_t bad_offset, uint64_t bad_position,
                                                  uint64_t end_offset) const {
  uint64_t size;
  {
    MutexLock lock(mu_);
    if (auto it = resyncs_.find(bad_offset);
        it != resyncs_.end() && (it->second.next || it->second.end_offset >= end_offset)) {
      return it->second.next;
    }
    size = size_;
  }
  FdCache::Lease lease;
  Status open = EnsureOpen(&lease);
  if (!lease) return open;
  Result<std::optional<IndexEntry>> next =
      FindNextGoodFrame(*fs_, lease.fd(), bad_position + 1, size, bad_offset, end_offset, log_path_);
  if (!next.ok()) return next.status();
  MutexLock lock(mu_);
  auto [it, first_time] = resyncs_.try_emplace(bad_offset);
  if (first_time) ReportDamage(log_path_, bad_offset, bad_position, *next);
  it->second = ResyncResult{*next, end_offset};
  return *next;
}

Status Segment::EnsureOpen(FdCache::Lease* lease) const {
  Result<FdCache::Lease> l = file_->Acquire();
  if (!l.ok()) return l.status();
  MutexLock lock(mu_);
  if (!header_checked_) {
    std::string header(format::kSegmentHeaderSize, '\0');
    size_t got = 0;
    SLUICE_RETURN_IF_ERROR(io::PreadFull(*fs_, l->fd(), header.data(), header.size(), 0, &got, log_path_));
    uint64_t base = 0;
    if (got != header.size() || !format::DecodeSegmentHeader(header, &base) || base != base_offset_) {
      open_status_ = Status::Corruption("bad segment header in " + log_path_.string());
    }
    header_checked_ = true;
  }
  *lease = std::move(*l);  // handed out even when the header is bad
  return open_status_;
}

Status Segment::Remove() {
  {
    FdCache::Lease lease;
    EnsureOpen(&lease).IgnoreError();  // a segment that cannot be opened is still removed
    MutexLock lock(mu_);
    if (lease && !removed_pin_) removed_pin_ = std::move(lease);
  }
  if (Status st = fs_->Unlink(log_path_); !st.ok() && st.code() != StatusCode::kNotFound) return st;
  if (Status st = fs_->Unlink(index_path_); !st.ok() && st.code() != StatusCode::kNotFound) return st;
  return Status::Ok();
}

SegmentState Segment::state() const {
  MutexLock lock(mu_);
  SegmentState s;
  s.base_offset = base_offset_;
  s.end_offset = end_offset_;
  s.size = size_;
  s.has_records = end_offset_ > base_offset_;
  s.first_arrival_ms = first_arrival_ms_;
  s.last_arrival_ms = last_arrival_ms_;
  return s;
}

IndexEntry Segment::Seek(uint64_t offset) const {
  MutexLock lock(mu_);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](uint64_t o, const IndexEntry& e) { return o < e.offset; });
  if (it == entries_.begin()) return {base_offset_, format::kSegmentHeaderSize, first_arrival_ms_};
  return *std::prev(it);
}

std::optional<IndexEntry> Segment::SeekTime(int64_t timestamp_ms) const {
  MutexLock lock(mu_);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp_ms,
                             [](const IndexEntry& e, int64_t t) { return e.arrival_ms < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

uint64_t Segment::DiskBytes() const {
  MutexLock lock(mu_);
  return size_ + index_file_bytes_;
}

}  // namespace sluice::storage
