#include "storage/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "storage/storage_test_util.h"

namespace sluice::storage {
namespace {

// A ShardLog that only counts Sync calls; Sync can be held up by the test.
class FakeLog : public ShardLog {
 public:
  explicit FakeLog(Status result = Status::Ok(), bool waits_for_disk = true)
      : result_(std::move(result)), waits_for_disk_(waits_for_disk) {}

  Status Sync() override {
    std::unique_lock<std::mutex> lock(mu_);
    ++syncs_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !blocked_; });
    return result_;
  }
  void Block() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = true;
  }
  void Unblock() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  void WaitForSyncs(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return syncs_ >= n; });
  }
  int syncs() {
    std::lock_guard<std::mutex> lock(mu_);
    return syncs_;
  }

  bool SyncWaitsForDisk() const override { return waits_for_disk_; }
  Result<uint64_t> Append(std::span<const AppendEntry>, int64_t, std::shared_ptr<const void>) override {
    return uint64_t{0};
  }
  bool HasUnsynced() const override { return false; }
  uint64_t start_offset() const override { return 0; }
  uint64_t committed_end() const override { return 0; }
  int64_t last_arrival_ms() const override { return 0; }
  Result<ReadResult> Read(uint64_t, size_t, size_t) const override { return ReadResult{}; }
  Result<uint64_t> FindByTime(int64_t) const override { return uint64_t{0}; }
  Status TrimBefore(int64_t) override { return Status::Ok(); }
  uint64_t DiskBytes() const override { return 0; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int syncs_ = 0;
  bool blocked_ = false;
  Status result_;
  bool waits_for_disk_ = true;
};

TEST(GroupCommitter, RequestsArrivingDuringSyncShareTheNextSync) {
  FakeLog log;
  std::atomic<int> done{0};
  {
    GroupCommitter gc;
    log.Block();
    gc.Commit(&log, [&](const Status& st) {
      EXPECT_TRUE(st.ok());
      ++done;
    });
    log.WaitForSyncs(1);  // the first sync is now in progress
    for (int i = 0; i < 100; ++i) {
      gc.Commit(&log, [&](const Status& st) {
        EXPECT_TRUE(st.ok());
        ++done;
      });
    }
    log.Unblock();
  }  // destructor drains
  EXPECT_EQ(done.load(), 101);
  EXPECT_EQ(log.syncs(), 2);
}

TEST(GroupCommitter, ManyConcurrentCommitsNeedFewerSyncs) {
  FakeLog log;
  std::atomic<int> done{0};
  {
    GroupCommitter gc;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 250; ++i) gc.Commit(&log, [&](const Status&) { ++done; });
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(done.load(), 1000);
  EXPECT_LT(log.syncs(), 1000);
  EXPECT_GE(log.syncs(), 1);
}

TEST(GroupCommitter, EachCallbackGetsItsOwnLogsStatusAndEachLogSyncsOncePerBatch) {
  FakeLog good;
  FakeLog bad(Status::IoError("disk on fire"));
  std::atomic<int> ok_count{0}, err_count{0};
  auto count = [&](const Status& st) { st.ok() ? ++ok_count : ++err_count; };
  {
    GroupCommitter gc;
    good.Block();
    bad.Block();
    gc.Commit(&good, count);
    gc.Commit(&bad, count);
    good.WaitForSyncs(1);  // both first syncs are in progress: the rest queue
    bad.WaitForSyncs(1);
    for (int i = 0; i < 10; ++i) {
      gc.Commit(&good, count);
      gc.Commit(&bad, [&](const Status& st) {
        EXPECT_EQ(st.code(), StatusCode::kIoError);
        count(st);
      });
    }
    good.Unblock();
    bad.Unblock();
  }
  EXPECT_EQ(ok_count.load(), 11);
  EXPECT_EQ(err_count.load(), 11);
  EXPECT_EQ(good.syncs(), 2);
  EXPECT_EQ(bad.syncs(), 2);
}

TEST(GroupCommitter, ASlowLogDoesNotHoldUpAnother) {
  FakeLog slow, fast;
  GroupCommitter gc;
  slow.Block();
  std::promise<void> slow_done;
  gc.Commit(&slow, [&](const Status&) { slow_done.set_value(); });
  slow.WaitForSyncs(1);
  std::promise<void> fast_done;
  gc.Commit(&fast, [&](const Status&) { fast_done.set_value(); });
  EXPECT_EQ(fast_done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto slow_future = slow_done.get_future();
  EXPECT_EQ(slow_future.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  slow.Unblock();
  EXPECT_EQ(slow_future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(GroupCommitter, NeverSyncsOneLogTwiceAtOnce) {
  // Counts overlapping Sync calls on one log. The first sync is held up
  // while four threads commit to the same log, so that four sync workers
  // have every chance to start a second sync of it meanwhile.
  class OverlapLog final : public FakeLog {
   public:
    Status Sync() override {
      int now = ++in_sync_;
      int seen = max_.load();
      while (now > seen && !max_.compare_exchange_weak(seen, now)) {
      }
      Status st = FakeLog::Sync();  // waits while the test blocks syncs
      --in_sync_;
      return st;
    }
    std::atomic<int> in_sync_{0}, max_{0};
  };
  OverlapLog log;
  std::atomic<int> done{0};
  {
    GroupCommitter gc(4);
    log.Block();
    gc.Commit(&log, [&](const Status&) { ++done; });
    log.WaitForSyncs(1);  // the first sync is in progress
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i) gc.Commit(&log, [&](const Status&) { ++done; });
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(done.load(), 0);
    log.Unblock();
  }
  EXPECT_EQ(done.load(), 801);
  EXPECT_EQ(log.max_.load(), 1);
  EXPECT_EQ(log.syncs(), 2);  // everything that arrived during the first shares the second
}

TEST(GroupCommitter, CallbackRunsAfterRecordsArePublished) {
  testing::TempDir dir;
  auto log = ShardLog::Open(dir.path(), ShardLogOptions{});
  ASSERT_TRUE(log.ok());
  GroupCommitter gc;
  for (int i = 0; i < 20; ++i) {
    AppendEntry e{"k", "value"};
    auto off = (*log)->Append(std::span<const AppendEntry>(&e, 1), 100 + i);
    ASSERT_TRUE(off.ok());
    std::promise<uint64_t> seen;
    gc.Commit(log->get(), [&](const Status& st) {
      EXPECT_TRUE(st.ok());
      seen.set_value((*log)->committed_end());
    });
    EXPECT_GT(seen.get_future().get(), *off);
  }
}

TEST(GroupCommitter, ALogThatOnlyPublishesIsCommittedBeforeCommitReturns) {
  FakeLog log(Status::Ok(), /*waits_for_disk=*/false);
  GroupCommitter gc;
  std::thread::id ran_on;
  bool done = false;
  gc.Commit(&log, [&](const Status& st) {
    EXPECT_TRUE(st.ok());
    ran_on = std::this_thread::get_id();
    done = true;
  });
  EXPECT_TRUE(done);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(log.syncs(), 1);
  gc.Stop();
  Status after;
  gc.Commit(&log, [&](const Status& st) { after = st; });
  EXPECT_FALSE(after.ok());  // stopped: refused, not synced
  EXPECT_EQ(log.syncs(), 1);
}

}  // namespace
}  // namespace sluice::storage
