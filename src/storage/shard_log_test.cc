#include "storage/shard_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "io/file_util.h"
#include "storage/fault_stats.h"
#include "storage/group_commit.h"
#include "storage/segment_format.h"
#include "storage/storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::FlipByte;
using testing::SegmentFiles;
using testing::TempDir;

ShardLogOptions SmallOptions() {
  ShardLogOptions o;
  o.segment_max_bytes = 4096;
  o.index_interval_bytes = 256;
  return o;
}

std::unique_ptr<ShardLog> OpenLog(const std::filesystem::path& dir, const ShardLogOptions& o = SmallOptions()) {
  auto log = ShardLog::Open(dir, o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

// Deterministic payload for record number `i`.
std::string Payload(uint64_t i, size_t len = 100) {
  std::string s(len, '\0');
  for (size_t j = 0; j < len; ++j) s[j] = static_cast<char>((i * 131 + j * 7) & 0xFF);
  return s;
}

uint64_t AppendOne(ShardLog& log, std::string_view key, std::string_view data, int64_t arrival) {
  AppendEntry e{key, data};
  auto r = log.Append(std::span<const AppendEntry>(&e, 1), arrival);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : UINT64_MAX;
}

// Appends `n` records of Payload(i) with arrival 1000 + 10*i, one per call.
void AppendNumbered(ShardLog& log, uint64_t n, size_t len = 100) {
  for (uint64_t i = 0; i < n; ++i) {
    std::string data = Payload(i, len);
    ASSERT_EQ(AppendOne(log, "key" + std::to_string(i), data, 1000 + 10 * static_cast<int64_t>(i)), i);
  }
}

std::vector<StoredRecord> ReadAll(const ShardLog& log, uint64_t from = 0) {
  std::vector<StoredRecord> out;
  while (from < log.committed_end()) {
    auto r = log.Read(from, 7, 1 << 20);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->records.empty()) break;
    for (auto& rec : r->records) out.push_back(std::move(rec));
    from = r->next_offset;
  }
  return out;
}

void ExpectNumbered(const std::vector<StoredRecord>& recs, uint64_t first, uint64_t end, size_t len = 100) {
  ASSERT_EQ(recs.size(), end - first);
  for (uint64_t i = first; i < end; ++i) {
    const StoredRecord& r = recs[i - first];
    EXPECT_EQ(r.offset, i);
    EXPECT_EQ(r.partition_key, "key" + std::to_string(i));
    EXPECT_EQ(r.arrival_ms, 1000 + 10 * static_cast<int64_t>(i));
    EXPECT_EQ(r.data, Payload(i, len)) << "offset " << i;
  }
}

// Byte position of record `i`'s frame when all frames are the same size.
uint64_t UniformFramePos(uint64_t i_in_segment, uint64_t frame_size) {
  return format::kSegmentHeaderSize + i_in_segment * frame_size;
}

TEST(ShardLog, RoundTripsBinaryDataEmptyDataAndOneMiBRecord) {
  TempDir dir;
  auto log = OpenLog(dir.path(), ShardLogOptions{});
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  std::string binary_key("\0\xff\x80k", 4);
  std::string long_key(256, 'k');
  std::vector<AppendEntry> entries = {{binary_key, all_bytes}, {"empty", ""}, {long_key, big}};
  auto first = log->Append(entries, 1234);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 0u);
  ASSERT_TRUE(log->Sync().ok());

  auto r = log->Read(0, 100, 16 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->next_offset, 3u);
  EXPECT_EQ(r->records[0].partition_key, binary_key);
  EXPECT_EQ(r->records[0].data, all_bytes);
  EXPECT_EQ(r->records[1].partition_key, "empty");
  EXPECT_EQ(r->records[1].data, "");
  EXPECT_EQ(r->records[2].partition_key, long_key);
  EXPECT_EQ(r->records[2].data, big);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r->records[i].offset, i);
    EXPECT_EQ(r->records[i].arrival_ms, 1234);
  }
  EXPECT_EQ(log->last_arrival_ms(), 1234);

  // Same after reopening (recovery scan of the active segment).
  log.reset();
  log = OpenLog(dir.path(), ShardLogOptions{});
  auto again = log->Read(2, 1, 16 << 20);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->records.size(), 1u);
  EXPECT_EQ(again->records[0].data, big);
}

TEST(ShardLog, AppendedRecordsAreInvisibleUntilSync) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->committed_end(), 0u);
  EXPECT_EQ(log->last_arrival_ms(), 0);
  EXPECT_FALSE(log->HasUnsynced());
  AppendOne(*log, "k", "v", 500);
  EXPECT_TRUE(log->HasUnsynced());
  EXPECT_EQ(log->committed_end(), 0u);
  EXPECT_EQ(log->last_arrival_ms(), 0);
  auto r = log->Read(0, 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_offset, 0u);
  EXPECT_EQ(*log->FindByTime(0), 0u);

  ASSERT_TRUE(log->Sync().ok());
  EXPECT_FALSE(log->HasUnsynced());
  EXPECT_EQ(log->committed_end(), 1u);
  EXPECT_EQ(log->last_arrival_ms(), 500);
  r = log->Read(0, 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].data, "v");
}

TEST(ShardLog, EmptyAppendReturnsNextOffsetAndWritesNothing) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendOne(*log, "k", "v", 1);
  auto r = log->Append({}, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1u);
}

TEST(ShardLog, ReadStopsAtMaxRecords) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 10);
  ASSERT_TRUE(log->Sync().ok());
  auto r = log->Read(0, 3, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->next_offset, 3u);
  r = log->Read(3, 3, 1 << 20);
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->records[0].offset, 3u);
  r = log->Read(9, 3, 1 << 20);
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->next_offset, 10u);
  r = log->Read(10, 3, 1 << 20);
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_offset, 10u);
  r = log->Read(0, 0, 1 << 20);
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_offset, 0u);
}

TEST(ShardLog, ReadStopsBeforeExceedingMaxBytesButReturnsAtLeastOneRecord) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 10);  // 100 data bytes each
  ASSERT_TRUE(log->Sync().ok());
  auto r = log->Read(0, 100, 250);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->next_offset, 2u);
  r = log->Read(0, 100, 300);
  EXPECT_EQ(r->records.size(), 3u);
  r = log->Read(5, 100, 1);
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].offset, 5u);
  r = log->Read(5, 100, 0);
  EXPECT_EQ(r->records.size(), 1u);
}

TEST(ShardLog, RollsToNewSegmentBySize) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 100);
  ASSERT_TRUE(log->Sync().ok());
  auto files = SegmentFiles(dir.path());
  EXPECT_GE(files.size(), 3u);
  for (const auto& f : files) EXPECT_LE(std::filesystem::file_size(f), 4096u) << f;
  EXPECT_EQ(files.front().filename(), "00000000000000000000.log");
  ExpectNumbered(ReadAll(*log), 0, 100);
  ExpectNumbered(ReadAll(*log, 57), 57, 100);
}

TEST(ShardLog, RollsToNewSegmentByAgeOfFirstRecord) {
  TempDir dir;
  ShardLogOptions o;
  o.segment_max_age_ms = 1000;
  auto log = OpenLog(dir.path(), o);
  for (int64_t t : {0, 500, 999, 1000, 1500, 2000}) AppendOne(*log, "k", "v", t);
  ASSERT_TRUE(log->Sync().ok());
  auto files = SegmentFiles(dir.path());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[1].filename(), format::SegmentFileName(3));
  EXPECT_EQ(files[2].filename(), format::SegmentFileName(5));
  EXPECT_EQ(ReadAll(*log).size(), 6u);
}

TEST(ShardLog, ArrivalTimeNeverDecreases) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendOne(*log, "k", "a", 1000);
  AppendOne(*log, "k", "b", 500);
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(log->last_arrival_ms(), 1000);
  log.reset();
  log = OpenLog(dir.path());
  EXPECT_EQ(log->last_arrival_ms(), 1000);
  AppendOne(*log, "k", "c", 10);
  ASSERT_TRUE(log->Sync().ok());
  auto recs = ReadAll(*log);
  ASSERT_EQ(recs.size(), 3u);
  for (const auto& r : recs) EXPECT_EQ(r.arrival_ms, 1000);
}

TEST(ShardLog, ReopenAfterCleanCloseKeepsRecordsAndContinuesOffsets) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 80);
  ASSERT_TRUE(log->Sync().ok());
  uint64_t disk = log->DiskBytes();
  log.reset();

  log = OpenLog(dir.path());
  EXPECT_EQ(log->start_offset(), 0u);
  EXPECT_EQ(log->committed_end(), 80u);
  EXPECT_FALSE(log->HasUnsynced());
  EXPECT_EQ(log->last_arrival_ms(), 1000 + 10 * 79);
  EXPECT_EQ(log->DiskBytes(), disk);
  ExpectNumbered(ReadAll(*log), 0, 80);
  std::string data = Payload(80);
  EXPECT_EQ(AppendOne(*log, "key80", data, 1800), 80u);
  ASSERT_TRUE(log->Sync().ok());
  ExpectNumbered(ReadAll(*log), 0, 81);
}

TEST(ShardLog, OsBufferedPolicyPublishesOnSync) {
  TempDir dir;
  ShardLogOptions o = SmallOptions();
  o.fsync = FsyncPolicy::kOsBuffered;
  auto log = OpenLog(dir.path(), o);
  AppendNumbered(*log, 50);
  EXPECT_EQ(log->committed_end(), 0u);
  ASSERT_TRUE(log->Sync().ok());
  ExpectNumbered(ReadAll(*log), 0, 50);
  log.reset();
  log = OpenLog(dir.path(), o);
  ExpectNumbered(ReadAll(*log), 0, 50);
}

// Closes `log` with 5 uniform records in one segment; returns the frame size.
uint64_t WriteFiveRecords(const std::filesystem::path& dir) {
  auto log = OpenLog(dir, ShardLogOptions{});
  AppendNumbered(*log, 5);
  EXPECT_TRUE(log->Sync().ok());
  return format::FrameSize(4, 100);  // keys "key0".."key4"
}

TEST(ShardLog, TornTailIsTruncatedOnRecovery) {
  TempDir dir;
  uint64_t frame = WriteFiveRecords(dir.path());
  auto seg = SegmentFiles(dir.path()).at(0);
  uint64_t full = std::filesystem::file_size(seg);
  ASSERT_EQ(full, UniformFramePos(5, frame));
  testing::TruncateFile(seg, full - 3);  // cut mid-frame

  auto log = OpenLog(dir.path(), ShardLogOptions{});
  EXPECT_EQ(log->committed_end(), 4u);
  EXPECT_EQ(std::filesystem::file_size(seg), UniformFramePos(4, frame));
  ExpectNumbered(ReadAll(*log), 0, 4);
  EXPECT_EQ(log->last_arrival_ms(), 1030);
  // Appends continue with the cut offset and survive another reopen.
  std::string data = Payload(4);
  EXPECT_EQ(AppendOne(*log, "key4", data, 1040), 4u);
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  log = OpenLog(dir.path(), ShardLogOptions{});
  ExpectNumbered(ReadAll(*log), 0, 5);
}

TEST(ShardLog, FlippedByteInLastFrameIsCutOnRecovery) {
  TempDir dir;
  uint64_t frame = WriteFiveRecords(dir.path());
  auto seg = SegmentFiles(dir.path()).at(0);
  FlipByte(seg, UniformFramePos(4, frame) + frame - 10);  // inside record 4's data

  auto log = OpenLog(dir.path(), ShardLogOptions{});
  EXPECT_EQ(log->committed_end(), 4u);
  ExpectNumbered(ReadAll(*log), 0, 4);
  std::string data = Payload(4);
  EXPECT_EQ(AppendOne(*log, "key4", data, 1040), 4u);
  ASSERT_TRUE(log->Sync().ok());
  ExpectNumbered(ReadAll(*log), 0, 5);
}

TEST(ShardLog, ZeroFilledTailIsCutOnRecovery) {
  TempDir dir;
  uint64_t frame = WriteFiveRecords(dir.path());
  auto seg = SegmentFiles(dir.path()).at(0);
  testing::TruncateFile(seg, UniformFramePos(5, frame) + 4096);  // extends with zeros
  auto log = OpenLog(dir.path(), ShardLogOptions{});
  EXPECT_EQ(log->committed_end(), 5u);
  EXPECT_EQ(std::filesystem::file_size(seg), UniformFramePos(5, frame));
}

TEST(ShardLog, TornSegmentCreationIsResetAndPreviousSegmentKept) {
  TempDir dir;
  WriteFiveRecords(dir.path());
  // A crash right after creating the next segment: a few garbage bytes.
  auto next = dir.path() / format::SegmentFileName(5);
  ASSERT_TRUE(io::WriteFileAtomically(next, "garbage").ok());

  auto log = OpenLog(dir.path(), ShardLogOptions{});
  EXPECT_EQ(log->committed_end(), 5u);
  EXPECT_EQ(std::filesystem::file_size(next), format::kSegmentHeaderSize);
  ExpectNumbered(ReadAll(*log), 0, 5);
  std::string data = Payload(5);
  EXPECT_EQ(AppendOne(*log, "key5", data, 1050), 5u);
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  log = OpenLog(dir.path(), ShardLogOptions{});
  ExpectNumbered(ReadAll(*log), 0, 6);
}

TEST(ShardLog, CorruptionInSealedSegmentMiddleIsSkippedAndReportedOnRead) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    AppendNumbered(*log, 60);
    ASSERT_TRUE(log->Sync().ok());
  }
  auto files = SegmentFiles(dir.path());
  ASSERT_GE(files.size(), 2u);
  uint64_t sealed_size = std::filesystem::file_size(files[0]);
  // Records 0..9 all have 4-byte keys; flip a data byte of record 8.
  uint64_t frame = format::FrameSize(4, 100);
  FlipByte(files[0], UniformFramePos(8, frame) + frame - 1);

  auto log = OpenLog(dir.path());  // the sealed segment's index is intact: no scan
  EXPECT_EQ(log->committed_end(), 60u);
  EXPECT_EQ(std::filesystem::file_size(files[0]), sealed_size);  // never truncated

  uint64_t reported = Faults().corrupt_frames.load();
  // A read from the damaged record skips to the next good one.
  auto at_damage = log->Read(8, 10, 1 << 20);
  ASSERT_TRUE(at_damage.ok()) << at_damage.status().ToString();
  ASSERT_FALSE(at_damage->records.empty());
  EXPECT_EQ(at_damage->records.front().offset, 9u);
  EXPECT_EQ(Faults().corrupt_frames.load(), reported + 1);
  // A read across it returns everything but record 8; the damage is
  // reported once, not on every read.
  std::vector<StoredRecord> all = ReadAll(*log);
  ASSERT_EQ(all.size(), 59u);
  ExpectNumbered(std::vector<StoredRecord>(all.begin(), all.begin() + 8), 0, 8);
  ExpectNumbered(std::vector<StoredRecord>(all.begin() + 8, all.end()), 9, 60);
  EXPECT_EQ(Faults().corrupt_frames.load(), reported + 1);
  EXPECT_EQ(*log->FindByTime(1000 + 10 * 8), 9u);  // the first good record at or after
}

TEST(ShardLog, DamagedSealedSegmentHeaderDoesNotHideItsRecords) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    AppendNumbered(*log, 60);
    ASSERT_TRUE(log->Sync().ok());
  }
  auto files = SegmentFiles(dir.path());
  ASSERT_GE(files.size(), 2u);
  FlipByte(files[0], 2);  // inside the magic
  uint64_t reported = Faults().corrupt_frames.load();
  auto log = OpenLog(dir.path());
  ExpectNumbered(ReadAll(*log), 0, 60);
  EXPECT_EQ(Faults().corrupt_frames.load(), reported + 1);
}

TEST(ShardLog, CorruptionInActiveSegmentMiddleKeepsTheRecordsAfterIt) {
  TempDir dir;
  uint64_t frame = WriteFiveRecords(dir.path());
  auto seg = SegmentFiles(dir.path()).at(0);
  uint64_t full = std::filesystem::file_size(seg);
  FlipByte(seg, UniformFramePos(2, frame) + frame - 10);  // inside record 2's data
  uint64_t reported = Faults().corrupt_frames.load();

  auto log = OpenLog(dir.path(), ShardLogOptions{});
  EXPECT_EQ(log->committed_end(), 5u);
  EXPECT_EQ(std::filesystem::file_size(seg), full);  // nothing cut
  EXPECT_EQ(Faults().corrupt_frames.load(), reported + 1);
  std::vector<StoredRecord> all = ReadAll(*log);
  ASSERT_EQ(all.size(), 4u);
  ExpectNumbered(std::vector<StoredRecord>(all.begin(), all.begin() + 2), 0, 2);
  ExpectNumbered(std::vector<StoredRecord>(all.begin() + 2, all.end()), 3, 5);
  // Appends continue after the last record and everything survives a reopen.
  std::string data = Payload(5);
  EXPECT_EQ(AppendOne(*log, "key5", data, 1050), 5u);
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  log = OpenLog(dir.path(), ShardLogOptions{});
  all = ReadAll(*log);
  ASSERT_EQ(all.size(), 5u);
  ExpectNumbered(std::vector<StoredRecord>(all.begin() + 2, all.end()), 3, 6);
}

TEST(ShardLog, DamagedLengthFieldInActiveSegmentIsResyncedPast) {
  TempDir dir;
  uint64_t frame = WriteFiveRecords(dir.path());
  auto seg = SegmentFiles(dir.path()).at(0);
  FlipByte(seg, UniformFramePos(1, frame) + 3);  // record 1's length: now huge
  auto log = OpenLog(dir.path(), ShardLogOptions{});
  EXPECT_EQ(log->committed_end(), 5u);
  std::vector<StoredRecord> all = ReadAll(*log);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].offset, 0u);
  ExpectNumbered(std::vector<StoredRecord>(all.begin() + 1, all.end()), 2, 5);
}

TEST(ShardLog, DamagedSealedSegmentWithoutIndexIsRebuiltAroundTheDamage) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    AppendNumbered(*log, 60);
    ASSERT_TRUE(log->Sync().ok());
  }
  auto files = SegmentFiles(dir.path());
  std::filesystem::remove(std::filesystem::path(files[0]).replace_extension(".idx"));
  uint64_t frame = format::FrameSize(4, 100);
  FlipByte(files[0], UniformFramePos(3, frame) + 20);  // record 3's arrival time
  auto log = OpenLog(dir.path());
  std::vector<StoredRecord> all = ReadAll(*log);
  ASSERT_EQ(all.size(), 59u);
  ExpectNumbered(std::vector<StoredRecord>(all.begin(), all.begin() + 3), 0, 3);
  ExpectNumbered(std::vector<StoredRecord>(all.begin() + 3, all.end()), 4, 60);
  ExpectNumbered(ReadAll(*log, 3), 4, 60);
}

TEST(ShardLog, MissingOrDamagedIndexIsRebuiltOnOpen) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    AppendNumbered(*log, 100);
    ASSERT_TRUE(log->Sync().ok());
  }
  auto files = SegmentFiles(dir.path());
  ASSERT_GE(files.size(), 3u);
  auto idx0 = std::filesystem::path(files[0]).replace_extension(".idx");
  auto idx1 = std::filesystem::path(files[1]).replace_extension(".idx");
  auto original0 = io::ReadFile(idx0);
  auto original1 = io::ReadFile(idx1);
  ASSERT_TRUE(original0.ok());
  ASSERT_TRUE(original1.ok());
  std::filesystem::remove(idx0);
  testing::TruncateFile(idx1, original1->size() / 2);

  auto log = OpenLog(dir.path());
  ExpectNumbered(ReadAll(*log), 0, 100);
  ExpectNumbered(ReadAll(*log, 33), 33, 100);
  EXPECT_EQ(*io::ReadFile(idx0), *original0);
  EXPECT_EQ(*io::ReadFile(idx1), *original1);
  EXPECT_EQ(*log->FindByTime(1000 + 10 * 20), 20u);
}

TEST(ShardLog, IndexDescribingDifferentLogSizeIsRebuilt) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    AppendNumbered(*log, 60);
    ASSERT_TRUE(log->Sync().ok());
  }
  auto files = SegmentFiles(dir.path());
  auto idx0 = std::filesystem::path(files[0]).replace_extension(".idx");
  auto original = *io::ReadFile(idx0);
  // A valid index of some other segment content (e.g. a stale one).
  format::IndexFile stale;
  ASSERT_TRUE(format::DecodeIndexFile(original, &stale));
  stale.log_bytes += 1;
  ASSERT_TRUE(io::WriteFileAtomically(idx0, format::EncodeIndexFile(stale)).ok());
  auto log = OpenLog(dir.path());
  EXPECT_EQ(*io::ReadFile(idx0), original);
  ExpectNumbered(ReadAll(*log), 0, 60);
}

TEST(ShardLog, SealedSegmentWithIntactIndexIsNotScannedOnOpen) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    AppendNumbered(*log, 60);
    ASSERT_TRUE(log->Sync().ok());
  }
  auto files = SegmentFiles(dir.path());
  ASSERT_GE(files.size(), 2u);
  auto idx0 = std::filesystem::path(files[0]).replace_extension(".idx");
  // Still a consistent index, but claiming a later last arrival than the log
  // holds: only an Open that trusts the index (no scan) can believe it.
  format::IndexFile idx;
  ASSERT_TRUE(format::DecodeIndexFile(*io::ReadFile(idx0), &idx));
  int64_t true_last = idx.last_arrival_ms;
  idx.last_arrival_ms = true_last + 100000;
  ASSERT_TRUE(io::WriteFileAtomically(idx0, format::EncodeIndexFile(idx)).ok());

  auto log = OpenLog(dir.path());
  ASSERT_TRUE(log->TrimBefore(true_last + 1).ok());
  EXPECT_EQ(log->start_offset(), 0u);  // kept: the index says it is not expired
  EXPECT_TRUE(std::filesystem::exists(files[0]));
}

TEST(ShardLog, FindByTimeReturnsFirstRecordAtOrAfterTimestamp) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 60);  // arrival 1000 + 10*i, several segments
  ASSERT_TRUE(log->Sync().ok());
  auto check = [&](const ShardLog& l) {
    EXPECT_EQ(*l.FindByTime(0), 0u);
    EXPECT_EQ(*l.FindByTime(1000), 0u);
    EXPECT_EQ(*l.FindByTime(1001), 1u);
    EXPECT_EQ(*l.FindByTime(1365), 37u);
    EXPECT_EQ(*l.FindByTime(1370), 37u);
    EXPECT_EQ(*l.FindByTime(1590), 59u);
    EXPECT_EQ(*l.FindByTime(1591), 60u);
    for (uint64_t i = 0; i < 60; ++i) EXPECT_EQ(*l.FindByTime(1000 + 10 * i), i);
  };
  check(*log);
  // Unpublished records are never returned.
  AppendOne(*log, "k", "v", 5000);
  EXPECT_EQ(*log->FindByTime(5000), 60u);
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(*log->FindByTime(5000), 60u);
  EXPECT_EQ(*log->FindByTime(5001), 61u);
  log.reset();
  log = OpenLog(dir.path());  // indexes loaded from .idx files
  check(*log);
}

TEST(ShardLog, FindByTimeScansASegmentWhoseSparseIndexHasNoEntryYet) {
  // Default options: a few small records stay below the index interval.
  TempDir dir;
  auto log = ShardLog::Open(dir.path(), ShardLogOptions{});
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) AppendOne(**log, "k", "v", 100 + 100 * i);
  ASSERT_TRUE((*log)->Sync().ok());
  EXPECT_EQ(*(*log)->FindByTime(50), 0u);
  EXPECT_EQ(*(*log)->FindByTime(150), 1u);
  EXPECT_EQ(*(*log)->FindByTime(250), 2u);
  EXPECT_EQ(*(*log)->FindByTime(300), 2u);
  EXPECT_EQ(*(*log)->FindByTime(301), 3u);
}

TEST(ShardLog, FindByTimeWithEqualArrivalsReturnsFirstOfThem) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  for (int i = 0; i < 100; ++i) AppendOne(*log, "k", Payload(i), 100 + (i / 10) * 10);
  ASSERT_TRUE(log->Sync().ok());
  for (int g = 0; g < 10; ++g) {
    EXPECT_EQ(*log->FindByTime(100 + g * 10), static_cast<uint64_t>(g * 10));
    EXPECT_EQ(*log->FindByTime(100 + g * 10 - 5), static_cast<uint64_t>(g * 10));
  }
}

TEST(ShardLog, TrimBeforeRemovesWholeOldSegmentsAndReadsSkipForward) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 100);
  ASSERT_TRUE(log->Sync().ok());
  auto files = SegmentFiles(dir.path());
  ASSERT_GE(files.size(), 4u);
  uint64_t base2 = *format::ParseSegmentFileName(files[2].filename().string());
  uint64_t disk = log->DiskBytes();

  // Segments 0 and 1 ended before arrival(base2); segment 2 starts at it.
  ASSERT_TRUE(log->TrimBefore(1000 + 10 * static_cast<int64_t>(base2)).ok());
  EXPECT_EQ(log->start_offset(), base2);
  EXPECT_EQ(SegmentFiles(dir.path()).size(), files.size() - 2);
  EXPECT_FALSE(std::filesystem::exists(files[0]));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(files[0]).replace_extension(".idx")));
  EXPECT_LT(log->DiskBytes(), disk);

  auto r = log->Read(0, 1, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].offset, base2);
  EXPECT_EQ(r->next_offset, base2 + 1);
  ExpectNumbered(ReadAll(*log), base2, 100);
  EXPECT_EQ(*log->FindByTime(0), base2);

  // Everything expired: only the active segment stays, still readable.
  ASSERT_TRUE(log->TrimBefore(1'000'000).ok());
  auto left = SegmentFiles(dir.path());
  ASSERT_EQ(left.size(), 1u);
  uint64_t active_base = *format::ParseSegmentFileName(left[0].filename().string());
  EXPECT_EQ(log->start_offset(), active_base);
  ExpectNumbered(ReadAll(*log), active_base, 100);
  log.reset();
  log = OpenLog(dir.path());
  EXPECT_EQ(log->start_offset(), active_base);
  EXPECT_EQ(log->committed_end(), 100u);
}

TEST(ShardLog, TrimBeforeKeepsSegmentsWithUnpublishedRecords) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  AppendNumbered(*log, 100);  // rolls several times, nothing synced
  ASSERT_TRUE(log->TrimBefore(1'000'000).ok());
  EXPECT_EQ(log->start_offset(), 0u);
  ASSERT_TRUE(log->Sync().ok());
  ExpectNumbered(ReadAll(*log), 0, 100);
}

TEST(ShardLog, FailedAppendIsCutBackAndOffsetsAreReused) {
  TempDir dir;
  auto log = OpenLog(dir.path(), ShardLogOptions{});
  AppendNumbered(*log, 3);
  ASSERT_TRUE(log->Sync().ok());
  auto seg = SegmentFiles(dir.path()).at(0);
  uint64_t size = std::filesystem::file_size(seg);

  // Make the write fail part-way: the file may grow only 50 more bytes.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &ignore, &old);
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit tight = saved;
  tight.rlim_cur = size + 50;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  std::string big(1000, 'x');
  AppendEntry e{"k", big};
  auto r = log->Append(std::span<const AppendEntry>(&e, 1), 2000);
  setrlimit(RLIMIT_FSIZE, &saved);
  sigaction(SIGXFSZ, &old, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::filesystem::file_size(seg), size);
  EXPECT_FALSE(log->HasUnsynced());

  std::string data = Payload(3);
  EXPECT_EQ(AppendOne(*log, "key3", data, 1030), 3u);
  ASSERT_TRUE(log->Sync().ok());
  ExpectNumbered(ReadAll(*log), 0, 4);
  log.reset();
  log = OpenLog(dir.path(), ShardLogOptions{});
  ExpectNumbered(ReadAll(*log), 0, 4);
}

// ------------------------------------------------------------ concurrency

// Record content: "w<writer>:<seq>:" followed by a pattern derived from both,
// so a reader can tell a torn or misplaced record from a good one.
std::string WriterKey(int writer) {
  std::string s("w");  // (not "w" + ...: GCC 12 -Wrestrict false positive)
  s.append(std::to_string(writer));
  return s;
}

std::string WriterPayload(int writer, uint64_t seq) {
  std::string s = WriterKey(writer);
  s.append(":").append(std::to_string(seq)).append(":");
  size_t len = 20 + (seq * 37 + static_cast<uint64_t>(writer) * 11) % 700;
  for (size_t j = 0; j < len; ++j) s.push_back(static_cast<char>('a' + (seq + j + writer) % 26));
  return s;
}

bool ParsePayload(const std::string& s, int* writer, uint64_t* seq) {
  if (s.empty() || s[0] != 'w') return false;
  size_t a = s.find(':');
  size_t b = s.find(':', a + 1);
  if (a == std::string::npos || b == std::string::npos) return false;
  *writer = std::stoi(s.substr(1, a - 1));
  *seq = std::stoull(s.substr(a + 1, b - a - 1));
  return s == WriterPayload(*writer, *seq);
}

TEST(ShardLog, ConcurrentAppendersReadersAndGroupCommitterSeeOnlyPublishedWholeRecords) {
  TempDir dir;
  ShardLogOptions o;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 512;
  auto log = OpenLog(dir.path(), o);
  GroupCommitter committer;
  constexpr int kWriters = 3;
  constexpr uint64_t kPerWriter = 400;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> clock{0};
  std::atomic<int> failures{0};
  std::vector<std::atomic<uint64_t>> last_offset(kWriters);  // of each writer's last record

  auto writer = [&](int w) {
    for (uint64_t seq = 0; seq < kPerWriter;) {
      size_t n = 1 + (seq * 7 + static_cast<uint64_t>(w)) % 4;
      std::vector<std::string> datas;
      std::string key = WriterKey(w);
      for (size_t i = 0; i < n && seq + i < kPerWriter; ++i) datas.push_back(WriterPayload(w, seq + i));
      std::vector<AppendEntry> entries;
      for (const auto& d : datas) entries.push_back({key, d});
      auto first = log->Append(entries, clock.fetch_add(1));
      if (!first.ok()) {
        ++failures;
        return;
      }
      std::promise<Status> done;
      committer.Commit(log.get(), [&done](const Status& st) { done.set_value(st); });
      Status st = done.get_future().get();
      if (!st.ok() || log->committed_end() < *first + entries.size()) ++failures;
      last_offset[w] = *first + entries.size() - 1;
      seq += entries.size();
    }
  };
  auto reader = [&] {
    uint64_t cursor = 0;
    while (!stop.load()) {
      auto r = log->Read(cursor, 1 + cursor % 50, 8 << 10);
      uint64_t end_after = log->committed_end();
      if (!r.ok()) {
        ++failures;
        return;
      }
      if (!r->records.empty() && r->records[0].offset != cursor && r->records[0].offset > log->start_offset()) {
        ++failures;  // skipped forward without a trim
      }
      for (size_t i = 0; i < r->records.size(); ++i) {
        const StoredRecord& rec = r->records[i];
        int w;
        uint64_t seq;
        if (rec.offset >= end_after || (i > 0 && rec.offset != r->records[i - 1].offset + 1) ||
            !ParsePayload(rec.data, &w, &seq) || rec.partition_key != WriterKey(w)) {
          ++failures;
        }
      }
      cursor = r->next_offset;
      auto t = log->FindByTime(clock.load() / 2);
      if (!t.ok() || *t > log->committed_end()) ++failures;
    }
  };
  auto trimmer = [&] {
    // Trims each time the writers have moved the clock on by 16 appends.
    int64_t trimmed_at = -1;
    while (!stop.load()) {
      int64_t now = clock.load();
      if (now - trimmed_at < 16) {
        std::this_thread::yield();
        continue;
      }
      if (!log->TrimBefore(now - 100).ok()) ++failures;
      trimmed_at = now;
    }
  };

  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) readers.emplace_back(reader);
  std::thread trim(trimmer);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(writer, w);
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : readers) t.join();
  trim.join();
  // However the threads were scheduled, one last trim has segments to drop.
  ASSERT_TRUE(log->TrimBefore(clock.load() - 100).ok());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(log->committed_end(), kWriters * kPerWriter);
  EXPECT_GT(log->start_offset(), 0u);

  // The retained suffix holds each writer's records in order, without gaps.
  auto all = ReadAll(*log, log->start_offset());
  ASSERT_EQ(all.size(), kWriters * kPerWriter - log->start_offset());
  std::map<int, uint64_t> last_seq;
  for (const auto& rec : all) {
    int w;
    uint64_t seq;
    ASSERT_TRUE(ParsePayload(rec.data, &w, &seq));
    if (last_seq.count(w)) {
      EXPECT_EQ(seq, last_seq[w] + 1);
    }
    last_seq[w] = seq;
  }
  for (int w = 0; w < kWriters; ++w) {
    if (last_offset[w] >= log->start_offset()) {
      EXPECT_EQ(last_seq[w], kPerWriter - 1) << "writer " << w;
    } else {
      EXPECT_EQ(last_seq.count(w), 0u) << "writer " << w;  // all of it trimmed
    }
  }

  log.reset();
  log = OpenLog(dir.path(), o);
  EXPECT_EQ(log->committed_end(), kWriters * kPerWriter);
}

}  // namespace
}  // namespace sluice::storage
