// FdCache (descriptor budget) and its use by shard logs: idle segments hold
// no descriptor, reads and appends re-open them, a pending sync keeps its
// descriptor, unlinked segments stay readable.
#include "storage/fd_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "storage/data_quota.h"
#include "storage/segment.h"
#include "storage/shard_log.h"
#include "storage/storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

std::filesystem::path MakeFile(const TempDir& dir, const std::string& name, const std::string& text) {
  std::filesystem::path p = dir.path() / name;
  std::ofstream(p) << text;
  return p;
}

std::string ReadAt(int fd, size_t n) {
  std::string out(n, '\0');
  ssize_t r = ::pread(fd, out.data(), n, 0);
  out.resize(r > 0 ? static_cast<size_t>(r) : 0);
  return out;
}

TEST(FdCache, ClosesLeastRecentlyUsedUnpinnedDescriptorsBeyondTheBudget) {
  TempDir dir;
  FdCache cache(2);
  std::vector<std::unique_ptr<FdCache::File>> files;
  for (int i = 0; i < 5; ++i)
    files.push_back(std::make_unique<FdCache::File>(
        &cache, MakeFile(dir, "f" + std::to_string(i), "x" + std::to_string(i)), O_RDONLY));
  for (auto& f : files) {
    auto lease = f->Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    EXPECT_EQ(ReadAt(lease->fd(), 8).size(), 2u);
  }
  EXPECT_EQ(cache.stats().open, 2u);
  EXPECT_EQ(cache.stats().pinned, 0u);
  EXPECT_EQ(cache.stats().evictions, 3u);
  // The two most recent stay open; the oldest was closed and re-opens.
  EXPECT_FALSE(files[0]->is_open());
  EXPECT_TRUE(files[3]->is_open());
  EXPECT_TRUE(files[4]->is_open());
  auto again = files[0]->Acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ReadAt(again->fd(), 8), "x0");
  EXPECT_EQ(cache.stats().opens, 6u);
}

TEST(FdCache, NeverClosesAPinnedDescriptorAndGoesOverTheBudgetOnlyWhilePinned) {
  TempDir dir;
  FdCache cache(1);
  FdCache::File a(&cache, MakeFile(dir, "a", "aa"), O_RDONLY);
  FdCache::File b(&cache, MakeFile(dir, "b", "bb"), O_RDONLY);
  auto la = a.Acquire();
  auto lb = b.Acquire();
  ASSERT_TRUE(la.ok() && lb.ok());
  EXPECT_EQ(cache.stats().open, 2u);  // both pinned
  EXPECT_EQ(ReadAt(la->fd(), 2), "aa");
  EXPECT_EQ(ReadAt(lb->fd(), 2), "bb");
  la->Release();
  EXPECT_EQ(cache.stats().open, 1u);  // a was evicted at once
  EXPECT_FALSE(a.is_open());
  EXPECT_TRUE(b.is_open());
  // A second lease of the same file shares the descriptor.
  auto lb2 = b.Acquire();
  ASSERT_TRUE(lb2.ok());
  EXPECT_EQ(lb2->fd(), lb->fd());
}

TEST(FdCache, LeaseOutlivingItsFileClosesTheDescriptorAtRelease) {
  TempDir dir;
  FdCache cache(4);
  FdCache::Lease lease;
  {
    FdCache::File f(&cache, MakeFile(dir, "a", "aa"), O_RDONLY);
    auto l = f.Acquire();
    ASSERT_TRUE(l.ok());
    lease = std::move(*l);
  }
  EXPECT_EQ(ReadAt(lease.fd(), 2), "aa");
  EXPECT_EQ(cache.stats().open, 1u);
  lease.Release();
  EXPECT_EQ(cache.stats().open, 0u);
}

TEST(FdCache, MissingFileIsNotFound) {
  TempDir dir;
  FdCache cache(4);
  FdCache::File f(&cache, dir.path() / "absent", O_RDONLY);
  auto l = f.Acquire();
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kNotFound);
}

ShardLogOptions SmallSegments(FdCache* cache, FsyncPolicy fsync) {
  ShardLogOptions o;
  o.fsync = fsync;
  o.segment_max_bytes = 4096;
  o.fd_cache = cache;
  return o;
}

void AppendN(ShardLog& log, int n, const std::string& tag) {
  for (int i = 0; i < n; ++i) {
    std::string data = tag + "-" + std::to_string(i) + std::string(500, 'x');
    AppendEntry e{"key", data};
    ASSERT_TRUE(log.Append({&e, 1}, 1000 + i).ok());
    ASSERT_TRUE(log.Sync().ok());
  }
}

class FdCacheShardLogTest : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(FdCacheShardLogTest, ManyShardsStayWithinTheBudgetAndEveryRecordReadsBack) {
  TempDir dir;
  FdCache cache(3);
  std::vector<std::unique_ptr<ShardLog>> logs;
  for (int s = 0; s < 20; ++s) {
    auto log = ShardLog::Open(dir.path() / std::to_string(s), SmallSegments(&cache, GetParam()));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    logs.push_back(std::move(*log));
    EXPECT_LE(cache.stats().open, 3u);
  }
  for (int s = 0; s < 20; ++s) {
    AppendN(*logs[s], 20, "s" + std::to_string(s));  // several segments each
    EXPECT_LE(cache.stats().open, 3u);
  }
  EXPECT_EQ(cache.stats().pinned, 0u);  // everything synced: nothing pinned
  for (int s = 0; s < 20; ++s) {
    auto r = logs[s]->Read(0, 100, 1 << 20);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->records.size(), 20u);
    for (int i = 0; i < 20; ++i)
      EXPECT_EQ(r->records[i].data.substr(0, 8),
                ("s" + std::to_string(s) + "-" + std::to_string(i) + "xxxxxxxx").substr(0, 8));
    EXPECT_LE(cache.stats().open, 3u);
  }
  // Reopened (as after a restart) with the same budget.
  logs.clear();
  EXPECT_EQ(cache.stats().open, 0u);
  for (int s = 0; s < 20; ++s) {
    auto log = ShardLog::Open(dir.path() / std::to_string(s), SmallSegments(&cache, GetParam()));
    ASSERT_TRUE(log.ok());
    logs.push_back(std::move(*log));
  }
  EXPECT_LE(cache.stats().open, 3u);
  for (int s = 0; s < 20; ++s) {
    auto r = logs[s]->Read(0, 100, 1 << 20);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->records.size(), 20u);
    AppendN(*logs[s], 1, "more");  // the active segment re-opens for appends
  }
  EXPECT_LE(cache.stats().open, 3u);
}

INSTANTIATE_TEST_SUITE_P(Policies, FdCacheShardLogTest,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kOsBuffered));

TEST(FdCacheShardLog, UnsyncedAppendKeepsItsDescriptorPinnedUntilSync) {
  TempDir dir;
  FdCache cache(1);
  auto a = ShardLog::Open(dir.path() / "a", SmallSegments(&cache, FsyncPolicy::kAlways));
  auto b = ShardLog::Open(dir.path() / "b", SmallSegments(&cache, FsyncPolicy::kAlways));
  ASSERT_TRUE(a.ok() && b.ok());
  AppendEntry e{"k", "v"};
  ASSERT_TRUE((*a)->Append({&e, 1}, 1).ok());
  ASSERT_TRUE((*b)->Append({&e, 1}, 1).ok());
  // Both have a pending sync: neither descriptor may be closed.
  EXPECT_EQ(cache.stats().pinned, 2u);
  EXPECT_EQ(cache.stats().open, 2u);
  ASSERT_TRUE((*a)->Sync().ok());
  ASSERT_TRUE((*b)->Sync().ok());
  EXPECT_EQ(cache.stats().pinned, 0u);
  EXPECT_EQ(cache.stats().open, 1u);
  EXPECT_EQ((*a)->committed_end(), 1u);
  EXPECT_EQ((*b)->committed_end(), 1u);
}

TEST(FdCacheShardLog, TrimmedSegmentStaysReadableThroughAReaderHoldingIt) {
  TempDir dir;
  FdCache cache(1);
  auto log = ShardLog::Open(dir.path() / "a", SmallSegments(&cache, FsyncPolicy::kAlways));
  ASSERT_TRUE(log.ok());
  AppendN(**log, 20, "r");
  ASSERT_TRUE((*log)->TrimBefore(1010).ok());
  EXPECT_GT((*log)->start_offset(), 0u);
  auto r = (*log)->Read(0, 100, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->records.empty());
}

TEST(DataQuota, RefusesAppendsOverTheLimitAndKeepsTheLogHealthy) {
  TempDir dir;
  DataQuota quota;
  quota.SetLimit(10000);
  ShardLogOptions o;
  o.data_quota = &quota;
  auto log = ShardLog::Open(dir.path() / "q", o);
  ASSERT_TRUE(log.ok());
  std::string data(3000, 'd');
  AppendEntry e{"k", data};
  int accepted = 0;
  Status refusal;
  for (int i = 0; i < 10; ++i) {
    auto r = (*log)->Append({&e, 1}, i);
    if (!r.ok()) {
      refusal = r.status();
      break;
    }
    ASSERT_TRUE((*log)->Sync().ok());
    ++accepted;
  }
  EXPECT_EQ(accepted, 3);
  EXPECT_TRUE(DataQuota::IsQuotaRefusal(refusal)) << refusal.ToString();
  EXPECT_LE(quota.used(), 10000u);
  quota.SetLimit(0);
  ASSERT_TRUE((*log)->Append({&e, 1}, 20).ok());
  ASSERT_TRUE((*log)->Sync().ok());
  auto r = (*log)->Read(0, 100, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 4u);
  quota.Recount(dir.path());
  EXPECT_GE(quota.used(), 4u * 3000u);
}

}  // namespace
}  // namespace sluice::storage
