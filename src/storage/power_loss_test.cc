// Power-loss tests: a scripted workload (shard logs with group-commit
// acknowledgements, segment rotation, trimming, atomically replaced
// metadata) runs on a FaultInjectionFileSystem; the power is cut at every
// sync point of the workload in turn (and, separately, in the middle of
// every write), the machine "reboots" and recovers from what survived, and
// the test checks what an acknowledgement promises (docs/durability.md):
//   * every acknowledged record is there, byte-exact, in order, at its offset;
//   * nothing else is returned but whole records that were appended (a torn
//     record is cut by recovery, never returned as data), with no gaps;
//   * a metadata file is the acknowledged version or the one being written
//     at the cut, never a mix;
//   * the recovered log takes appends again.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "io/fault_injection_file_system.h"
#include "io/file_util.h"
#include "io/mem_file_system.h"
#include "storage/data_quota.h"
#include "storage/fault_stats.h"
#include "storage/fd_cache.h"
#include "storage/group_commit.h"
#include "storage/shard_log.h"

namespace sluice::storage {
namespace {

using io::FaultInjectionFileSystem;
using io::MemFileSystem;

constexpr int kShards = 3;
constexpr int kRounds = 8;
const std::filesystem::path kStreamDir = "/data/kinesis/us-east-1/s1";
const std::filesystem::path kMetaFile = kStreamDir / "stream.json";

std::filesystem::path ShardDir(int shard) { return kStreamDir / "shards" / ("shard-" + std::to_string(shard)); }

// What the workload did, as the clients saw it.
struct Expected {
  struct Record {
    std::string key;
    std::string data;
    int64_t arrival_ms = 0;
  };
  std::vector<Record> appended[kShards];  // index = offset (every append got offsets)
  // The records of the first Append that failed (the power went during it):
  // not acknowledged, but their frames may have reached the disk whole, so
  // they may come back after appended[] (a failed put may or may not land).
  std::vector<Record> failed[kShards];
  uint64_t acked[kShards] = {};            // offsets below this were acknowledged
  uint64_t start_at_cut[kShards] = {};     // the log's start offset in memory at the end
  std::vector<std::string> meta_versions;  // every version WriteFileAtomically was called with
  int meta_acked = -1;                     // index of the last acknowledged version
};

std::string MetaVersion(int v) {
  // Long enough to span several "pages" of a torn write.
  std::string s = "{\"stream\":\"s1\",\"version\":" + std::to_string(v) + ",\"shards\":[";
  for (int i = 0; i < 40; ++i) s += "{\"id\":" + std::to_string(i) + ",\"v\":" + std::to_string(v) + "},";
  s += "{}]}\n";
  return s;
}

std::string RecordData(int shard, int round, int j) {
  std::string d;
  size_t len = 40 + static_cast<size_t>((shard * 97 + round * 31 + j * 13) % 220);
  for (size_t i = 0; i < len; ++i) d.push_back(static_cast<char>('a' + (shard + round + j + i) % 26));
  return d;
}

ShardLogOptions LogOptions(io::FileSystem* fs, FdCache* cache, DataQuota* quota) {
  ShardLogOptions o;
  o.fsync = FsyncPolicy::kAlways;
  o.segment_max_bytes = 900;  // a few rounds per segment: rotations and trims
  o.index_interval_bytes = 128;
  o.fd_cache = cache;
  o.data_quota = quota;
  o.fs = fs;
  return o;
}

// Runs the workload until its end, whether or not the power went out on
// the way (after a cut every call fails, as if the process were dead).
void RunWorkload(FaultInjectionFileSystem* fs, FdCache* cache, DataQuota* quota, Expected* ex) {
  auto meta = [&](int v) {
    ex->meta_versions.push_back(MetaVersion(v));
    if (io::WriteFileAtomically(*fs, kMetaFile, ex->meta_versions.back()).ok())
      ex->meta_acked = static_cast<int>(ex->meta_versions.size()) - 1;
  };
  if (!io::CreateDirectoriesDurably(*fs, kStreamDir / "shards").ok()) return;
  meta(0);
  std::vector<std::unique_ptr<ShardLog>> logs;
  for (int s = 0; s < kShards; ++s) {
    auto log = ShardLog::Open(ShardDir(s), LogOptions(fs, cache, quota));
    if (!log.ok()) return;
    logs.push_back(std::move(*log));
  }
  {
    GroupCommitter gc(1);  // one sync thread: the order of sync points is the same in every run
    for (int r = 0; r < kRounds; ++r) {
      std::mutex mu;
      std::condition_variable cv;
      int pending = 0;
      for (int s = 0; s < kShards; ++s) {
        int n = 1 + (r + s) % 3;
        std::vector<Expected::Record> recs;
        for (int j = 0; j < n; ++j)
          recs.push_back({"pk-" + std::to_string(s) + "-" + std::to_string(r) + "-" + std::to_string(j),
                          RecordData(s, r, j), 1000 * (r + 1)});
        std::vector<AppendEntry> entries;
        for (const auto& rec : recs) entries.push_back({rec.key, rec.data});
        Result<uint64_t> first = logs[s]->Append(entries, 1000 * (r + 1));
        if (!first.ok()) {  // the power is off: not acknowledged
          if (ex->failed[s].empty()) ex->failed[s] = std::move(recs);
          continue;
        }
        EXPECT_EQ(*first, ex->appended[s].size());
        for (auto& rec : recs) ex->appended[s].push_back(std::move(rec));
        const uint64_t covered = ex->appended[s].size();
        {
          std::lock_guard<std::mutex> lock(mu);
          ++pending;
        }
        gc.Commit(logs[s].get(), [&, s, covered](const Status& st) {
          std::lock_guard<std::mutex> lock(mu);
          if (st.ok()) ex->acked[s] = std::max(ex->acked[s], covered);
          if (--pending == 0) cv.notify_all();
        });
      }
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return pending == 0; });
      }
      if (r % 3 == 2) meta(r);
      if (r == 5) (void)logs[0]->TrimBefore(3500);  // drops the segments of rounds 1-3
      if (r == 6) (void)logs[1]->TrimBefore(2500);
    }
  }
  for (int s = 0; s < kShards; ++s) ex->start_at_cut[s] = logs[s]->start_offset();
}

// Reopens everything from what survived and checks the promises; adds the
// number of records recovered to *recovered (for the report).
void CheckAfterReboot(FaultInjectionFileSystem* fs, const Expected& ex, const std::string& label, uint64_t* recovered) {
  SCOPED_TRACE(label);
  FdCache cache(4);
  DataQuota quota;
  for (int s = 0; s < kShards; ++s) {
    SCOPED_TRACE("shard " + std::to_string(s));
    auto opened = ShardLog::Open(ShardDir(s), LogOptions(fs, &cache, &quota));
    if (ex.acked[s] == 0 && !opened.ok()) continue;  // never made durable: may be gone entirely
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ShardLog& log = **opened;
    const uint64_t start = log.start_offset();
    const uint64_t end = log.committed_end();
    EXPECT_LE(start, ex.start_at_cut[s]) << "a trim that was not acknowledged can only be undone, not extended";
    EXPECT_GE(end, ex.acked[s]) << "acknowledged records lost";
    const size_t attempted = ex.appended[s].size() + ex.failed[s].size();
    EXPECT_LE(end, attempted) << "records appear that were never appended";
    auto read = log.Read(0, 1u << 20, 1u << 30);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_EQ(read->records.size(), end - start) << "gaps or extra records";
    for (size_t i = 0; i < read->records.size(); ++i) {
      const StoredRecord& got = read->records[i];
      ASSERT_EQ(got.offset, start + i);
      ASSERT_LT(got.offset, attempted);
      const Expected::Record& want = got.offset < ex.appended[s].size()
                                         ? ex.appended[s][got.offset]
                                         : ex.failed[s][got.offset - ex.appended[s].size()];
      ASSERT_EQ(got.partition_key, want.key) << "offset " << got.offset;
      ASSERT_EQ(got.data, want.data) << "offset " << got.offset;
      ASSERT_EQ(got.arrival_ms, want.arrival_ms) << "offset " << got.offset;
    }
    *recovered += read->records.size();
    // The recovered log takes appends again, durably.
    AppendEntry more{"after-reboot", "x"};
    auto first = log.Append({&more, 1}, 99000);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(*first, end);
    ASSERT_TRUE(log.Sync().ok());
    EXPECT_EQ(log.committed_end(), end + 1);
  }
  auto meta = io::ReadFile(*fs, kMetaFile);
  if (!meta.ok()) {
    EXPECT_EQ(ex.meta_acked, -1) << "acknowledged metadata lost: " << meta.status().ToString();
  } else {
    bool acked = ex.meta_acked >= 0 && *meta == ex.meta_versions[ex.meta_acked];
    bool in_flight = ex.meta_versions.size() > static_cast<size_t>(ex.meta_acked + 1) &&
                     *meta == ex.meta_versions[ex.meta_acked + 1];
    EXPECT_TRUE(acked || in_flight) << "metadata is neither the acknowledged version nor the one being "
                                       "written (a mix or an older one): "
                                    << meta->substr(0, 60);
  }
}

const char* ModeName(MemFileSystem::Unsynced m) {
  switch (m) {
    case MemFileSystem::Unsynced::kDrop: return "drop";
    case MemFileSystem::Unsynced::kKeep: return "keep";
    case MemFileSystem::Unsynced::kZero: return "zero";
  }
  return "?";
}

struct Totals {
  uint64_t runs = 0;
  uint64_t acked_records = 0;
  uint64_t recovered_records = 0;
  uint64_t torn_tails = 0;  // runs whose recovery cut a torn tail
};

// One run: fresh disk, `arm` sets up the cut, the workload, the cut (if
// the workload got through without one), the reboot and the checks.
template <typename Arm>
void OneRun(const std::string& label, Arm arm, MemFileSystem::Unsynced at_end, Totals* totals) {
  MemFileSystem disk;
  FaultInjectionFileSystem fs(&disk);
  Expected ex;
  arm(fs);
  ::testing::internal::CaptureStderr();  // the faults each run reports are expected
  {
    FdCache cache(4);  // small: segments get closed and re-opened
    DataQuota quota;
    RunWorkload(&fs, &cache, &quota, &ex);
  }
  if (!fs.powered_off()) fs.CutPower(at_end);
  fs.Reboot();
  uint64_t torn_before = Faults().torn_tails.load();
  uint64_t recovered = 0;
  CheckAfterReboot(&fs, ex, label, &recovered);
  (void)::testing::internal::GetCapturedStderr();
  ++totals->runs;
  for (int s = 0; s < kShards; ++s) totals->acked_records += ex.acked[s];
  totals->recovered_records += recovered;
  if (Faults().torn_tails.load() > torn_before) ++totals->torn_tails;
}

// The number of sync points and writes of an uninterrupted run.
void CountPoints(uint64_t* syncs, uint64_t* writes) {
  MemFileSystem disk;
  FaultInjectionFileSystem fs(&disk);
  Expected ex;
  FdCache cache(4);
  DataQuota quota;
  RunWorkload(&fs, &cache, &quota, &ex);
  *syncs = fs.sync_points();
  *writes = fs.writes();
  for (int s = 0; s < kShards; ++s) ASSERT_EQ(ex.acked[s], ex.appended[s].size());
  ASSERT_EQ(ex.meta_acked + 1, static_cast<int>(ex.meta_versions.size()));
}

TEST(PowerLoss, EverySyncPointOfTheWorkload) {
  uint64_t syncs = 0, writes = 0;
  ASSERT_NO_FATAL_FAILURE(CountPoints(&syncs, &writes));
  ASSERT_GT(syncs, 20u);
  Totals totals;
  for (auto mode : {MemFileSystem::Unsynced::kDrop, MemFileSystem::Unsynced::kKeep, MemFileSystem::Unsynced::kZero}) {
    // k == syncs: the workload completes, then the power goes.
    for (uint64_t k = 0; k <= syncs; ++k) {
      std::string label = std::string("cut before sync point ") + std::to_string(k) + " of " + std::to_string(syncs) +
                          ", unsynced bytes: " + ModeName(mode);
      OneRun(
          label, [&](FaultInjectionFileSystem& fs) { fs.CutPowerAtSync(k, mode); }, mode, &totals);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  std::printf(
      "[ power-loss ] %llu sync points + 1 cut after the end, x 3 fates of unsynced bytes = %llu cut "
      "points; %llu acknowledged records checked, %llu recovered, %llu runs cut a torn tail\n",
      static_cast<unsigned long long>(syncs), static_cast<unsigned long long>(totals.runs),
      static_cast<unsigned long long>(totals.acked_records), static_cast<unsigned long long>(totals.recovered_records),
      static_cast<unsigned long long>(totals.torn_tails));
  EXPECT_EQ(totals.runs, 3 * (syncs + 1));
  RecordProperty("cut_points", static_cast<int>(totals.runs));
}

TEST(PowerLoss, TornWriteAtEveryWriteOfTheWorkload) {
  uint64_t syncs = 0, writes = 0;
  ASSERT_NO_FATAL_FAILURE(CountPoints(&syncs, &writes));
  ASSERT_GT(writes, 50u);
  Totals totals;
  // How much of the interrupted write reaches the disk: one byte, half (a
  // partial page), all but the last byte.
  const std::pair<const char*, std::function<size_t(size_t)>> parts[] = {
      {"1 byte", [](size_t) { return size_t{1}; }},
      {"half", [](size_t total) { return total / 2; }},
      {"all but 1 byte", [](size_t total) { return total - 1; }},
  };
  for (const auto& [name, keep] : parts) {
    for (uint64_t w = 0; w < writes; ++w) {
      std::string label = "power cut during write " + std::to_string(w) + " of " + std::to_string(writes) + ", " +
                          name + " of it written";
      OneRun(
          label, [&, keep = keep](FaultInjectionFileSystem& fs) { fs.CutPowerAtWrite(w, keep); },
          MemFileSystem::Unsynced::kKeep, &totals);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  std::printf(
      "[ power-loss ] %llu writes x 3 torn sizes = %llu cut points; %llu acknowledged records "
      "checked, %llu recovered, %llu runs cut a torn tail\n",
      static_cast<unsigned long long>(writes), static_cast<unsigned long long>(totals.runs),
      static_cast<unsigned long long>(totals.acked_records), static_cast<unsigned long long>(totals.recovered_records),
      static_cast<unsigned long long>(totals.torn_tails));
  EXPECT_EQ(totals.runs, 3 * writes);
  EXPECT_GT(totals.torn_tails, 0u) << "no run exercised torn-tail recovery";
  RecordProperty("cut_points", static_cast<int>(totals.runs));
}

}  // namespace
}  // namespace sluice::storage
