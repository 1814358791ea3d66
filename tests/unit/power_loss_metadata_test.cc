// Power-loss tests of the metadata files above the shard logs: a Kinesis
// stream's stream.json (with its shard logs) and a Firehose delivery
// stream's positions.json, each replaced atomically through the
// FaultInjectionFileSystem. The power is cut at every sync point of the
// workload; after the reboot the file must parse and be the acknowledged
// version or the one being written, and acknowledged records must be there.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "firehose/engine/positions.h"
#include "io/fault_injection_file_system.h"
#include "io/file_util.h"
#include "io/mem_file_system.h"
#include "kinesis/stream.h"
#include "storage/data_quota.h"
#include "storage/fd_cache.h"
#include "storage/shard_log.h"

namespace sluice {
namespace {

using io::FaultInjectionFileSystem;
using io::MemFileSystem;

const std::filesystem::path kDir = "/data/kinesis/us-east-1/orders";

kinesis::StreamMeta Meta(int version) {
  kinesis::StreamMeta m;
  m.region = "us-east-1";
  m.account = "000000000000";
  m.name = "orders";
  m.created_ms = 1'700'000'000'000;
  m.status = version == 0 ? kinesis::StreamStatus::kCreating : kinesis::StreamStatus::kActive;
  m.retention_hours = 24 + version;
  m.tags["v"] = std::to_string(version);
  for (uint32_t i = 0; i < 2 + static_cast<uint32_t>(version % 2); ++i) {
    kinesis::ShardMeta s;
    s.index = i;
    s.created_ms = m.created_ms;
    m.shards.push_back(s);
  }
  return m;
}

struct StreamRun {
  std::vector<std::string> versions;  // serialized, in the order written
  int acked = -1;
  std::vector<std::vector<std::string>> appended;  // per shard: data of acknowledged appends, by offset
  std::vector<uint64_t> acked_records;
};

storage::ShardLogOptions Options(io::FileSystem* fs, storage::FdCache* cache, storage::DataQuota* quota) {
  storage::ShardLogOptions o;
  o.fs = fs;
  o.fd_cache = cache;
  o.data_quota = quota;
  o.segment_max_bytes = 400;
  return o;
}

void RunStreamWorkload(FaultInjectionFileSystem* fs, StreamRun* run) {
  storage::FdCache cache(8);
  storage::DataQuota quota;
  run->appended.assign(3, {});
  run->acked_records.assign(3, 0);
  if (!io::CreateDirectoriesDurably(*fs, kDir).ok()) return;
  for (int v = 0; v < 5; ++v) {
    kinesis::Stream stream(Meta(v), kDir, fs);
    WriterLock lock(stream.mu);
    run->versions.push_back(kinesis::SerializeStreamMeta(stream.meta()));
    if (!stream.PersistLocked().ok()) return;
    run->acked = v;
    if (!stream.OpenLogsLocked(Options(fs, &cache, &quota)).ok()) return;
    for (uint32_t s = 0; s < stream.meta().shards.size(); ++s) {
      storage::ShardLog* log = stream.log(s);
      std::string data = "v" + std::to_string(v) + "-shard" + std::to_string(s) + std::string(60, 'x');
      storage::AppendEntry e{"pk", data};
      auto first = log->Append({&e, 1}, 1000 + v);
      if (!first.ok() || !log->Sync().ok()) return;
      run->appended[s].resize(*first + 1);
      run->appended[s][*first] = data;
      run->acked_records[s] = *first + 1;
    }
  }
}

void CheckStream(FaultInjectionFileSystem* fs, const StreamRun& run, const std::string& label) {
  SCOPED_TRACE(label);
  auto text = io::ReadFile(*fs, kDir / "stream.json");
  if (!text.ok()) {
    EXPECT_EQ(run.acked, -1) << text.status().ToString();
    return;
  }
  ASSERT_TRUE(kinesis::ParseStreamMeta(*text).ok()) << "stream.json does not parse";
  bool acked = run.acked >= 0 && *text == run.versions[run.acked];
  bool in_flight = run.versions.size() > static_cast<size_t>(run.acked + 1) && *text == run.versions[run.acked + 1];
  EXPECT_TRUE(acked || in_flight) << "stream.json is neither the acknowledged nor the in-flight version";
  auto meta = kinesis::ParseStreamMeta(*text);
  kinesis::Stream stream(std::move(*meta), kDir, fs);
  WriterLock lock(stream.mu);
  storage::FdCache cache(8);
  storage::DataQuota quota;
  ASSERT_TRUE(stream.OpenLogsLocked(Options(fs, &cache, &quota)).ok());
  for (uint32_t s = 0; s < stream.meta().shards.size(); ++s) {
    auto read = stream.log(s)->Read(0, 1000, 1 << 20);
    ASSERT_TRUE(read.ok());
    ASSERT_GE(read->records.size(), run.acked_records[s]) << "shard " << s;
    for (uint64_t i = 0; i < run.acked_records[s]; ++i) EXPECT_EQ(read->records[i].data, run.appended[s][i]);
  }
}

TEST(PowerLoss, StreamMetadataAndShardLogsAtEverySyncPoint) {
  uint64_t syncs;
  {
    MemFileSystem disk;
    FaultInjectionFileSystem fs(&disk);
    StreamRun run;
    RunStreamWorkload(&fs, &run);
    ASSERT_EQ(run.acked, 4);
    syncs = fs.sync_points();
  }
  uint64_t runs = 0;
  for (auto mode : {MemFileSystem::Unsynced::kDrop, MemFileSystem::Unsynced::kZero}) {
    for (uint64_t k = 0; k <= syncs; ++k) {
      MemFileSystem disk;
      FaultInjectionFileSystem fs(&disk);
      fs.CutPowerAtSync(k, mode);
      StreamRun run;
      ::testing::internal::CaptureStderr();
      RunStreamWorkload(&fs, &run);
      if (!fs.powered_off()) fs.CutPower(mode);
      fs.Reboot();
      CheckStream(&fs, run, "cut before sync point " + std::to_string(k));
      (void)::testing::internal::GetCapturedStderr();
      ++runs;
      if (HasFatalFailure()) return;
    }
  }
  std::printf("[ power-loss ] stream.json + shard logs: %llu sync points + 1, x 2 = %llu cut points\n",
              static_cast<unsigned long long>(syncs), static_cast<unsigned long long>(runs));
}

TEST(PowerLoss, FirehosePositionsAtEverySyncPoint) {
  const std::filesystem::path file = "/data/firehose/us-east-1/d1/positions.json";
  auto workload = [&](FaultInjectionFileSystem* fs, int* acked, int* attempted) {
    if (!io::CreateDirectoriesDurably(*fs, file.parent_path()).ok()) return;
    firehose::engine::Positions pos(file, fs);
    for (int v = 0; v < 6; ++v) {
      pos.Set(0, 100 * v);
      pos.Set(1, 7 * v);
      *attempted = v;
      if (!pos.Save().ok()) return;
      *acked = v;
    }
  };
  uint64_t syncs;
  {
    MemFileSystem disk;
    FaultInjectionFileSystem fs(&disk);
    int acked = -1, attempted = -1;
    workload(&fs, &acked, &attempted);
    ASSERT_EQ(acked, 5);
    syncs = fs.sync_points();
  }
  for (uint64_t k = 0; k <= syncs; ++k) {
    SCOPED_TRACE("cut before sync point " + std::to_string(k));
    MemFileSystem disk;
    FaultInjectionFileSystem fs(&disk);
    fs.CutPowerAtSync(k);
    int acked = -1, attempted = -1;
    workload(&fs, &acked, &attempted);
    if (!fs.powered_off()) fs.CutPower();
    fs.Reboot();
    firehose::engine::Positions pos(file, &fs);
    ASSERT_TRUE(pos.Load().ok());
    if (!pos.Has(0)) {
      EXPECT_EQ(acked, -1);
      continue;
    }
    uint64_t v = pos.Get(0) / 100;
    EXPECT_EQ(pos.Get(1), 7 * v) << "a mix of two versions";
    EXPECT_TRUE(static_cast<int>(v) == acked || static_cast<int>(v) == attempted)
        << "positions.json is v" << v << "; acknowledged v" << acked;
  }
  std::printf("[ power-loss ] positions.json: %llu sync points + 1 = %llu cut points\n",
              static_cast<unsigned long long>(syncs), static_cast<unsigned long long>(syncs + 1));
}

}  // namespace
}  // namespace sluice
