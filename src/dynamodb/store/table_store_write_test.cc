// The writer: group commit, one savepoint per body, batch limits, and many
// writers and readers at once.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "dynamodb/store/store_test_util.h"
#include "dynamodb/store/table_store.h"

namespace sluice::dynamodb::store {
namespace {

using testing::Key;
using testing::TempDir;
using testing::WriterGate;

class TableStoreWrite : public ::testing::Test {
 protected:
  void SetUp() override { Open({}); }

  void Open(TableStoreOptions o) {
    store_.reset();
    o.path = dir_.db();
    auto store = TableStore::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_
                    ->WriteAndWait([&](WriteTxn& txn) {
                      auto id = txn.CreateTable("r", "t" + std::to_string(table_ + 1), "{}");
                      if (!id.ok()) return id.status();
                      table_ = *id;
                      return Status::Ok();
                    })
                    .ok());
  }

  TableStore::Body PutBody(std::string key, std::string value) {
    return [this, key, value](WriteTxn& txn) { return txn.Put(table_, Key(key), value, 0, {}, std::nullopt); };
  }

  // Read-modify-write of a decimal counter: what a conditional UpdateItem does.
  TableStore::Body IncrementBody(std::string key, int64_t* result = nullptr) {
    return [this, key, result](WriteTxn& txn) -> Status {
      auto item = txn.Get(table_, Key(key));
      if (!item.ok()) return item.status();
      int64_t v = *item ? std::stoll(**item) : 0;
      SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key(key), std::to_string(v + 1), 0, {}, std::nullopt));
      if (result) *result = v + 1;
      return Status::Ok();
    };
  }

  std::optional<std::string> Get(const std::string& key) {
    auto r = store_->Get(table_, Key(key));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::nullopt;
  }

  TempDir dir_;
  std::unique_ptr<TableStore> store_;
  TableId table_ = 0;
};

TEST_F(TableStoreWrite, QueuedWritesShareOneCommit) {
  WriterGate gate;
  gate.Close(*store_);
  uint64_t batches_before = store_->writer_stats().batches;
  std::vector<std::future<Status>> outcomes;
  for (int i = 0; i < 10; ++i) {
    auto p = std::make_shared<std::promise<Status>>();
    outcomes.push_back(p->get_future());
    store_->Write(PutBody("k" + std::to_string(i), "v"), [p](Status st) { p->set_value(st); });
  }
  gate.Release();
  for (auto& f : outcomes) EXPECT_TRUE(f.get().ok());
  WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.largest_batch, 10u);
  EXPECT_EQ(stats.batches, batches_before + 2);  // the gate's batch, then all ten at once
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get("k" + std::to_string(i)), "v");
}

TEST_F(TableStoreWrite, FailingBodyIsRolledBackAloneAndAnsweredAtOnce) {
  WriterGate gate;
  gate.Close(*store_);
  std::vector<std::string> order;  // writer thread only
  std::promise<Status> a, b, c;
  store_->Write(PutBody("a", "1"), [&](Status st) { order.push_back("a"), a.set_value(st); });
  store_->Write(
      [&](WriteTxn& txn) {
        SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("b"), "1", 0, {}, std::nullopt));
        SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("a"), "overwritten", 0, {}, std::nullopt));
        return Status::FailedPrecondition("ConditionalCheckFailed");
      },
      [&](Status st) { order.push_back("b"), b.set_value(st); });
  // The next body sees a's write but nothing of b's.
  std::optional<std::string> c_saw_a, c_saw_b;
  store_->Write(
      [&](WriteTxn& txn) {
        c_saw_a = *txn.Get(table_, Key("a"));
        c_saw_b = *txn.Get(table_, Key("b"));
        return txn.Put(table_, Key("c"), "1", 0, {}, std::nullopt);
      },
      [&](Status st) { order.push_back("c"), c.set_value(st); });
  gate.Release();
  EXPECT_TRUE(a.get_future().get().ok());
  EXPECT_EQ(b.get_future().get().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(c.get_future().get().ok());
  // b was answered before the commit, a and c after it.
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(c_saw_a, "1");
  EXPECT_EQ(c_saw_b, std::nullopt);
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("b"), std::nullopt);
  EXPECT_EQ(Get("c"), "1");
  EXPECT_EQ(store_->writer_stats().largest_batch, 3u);
}

TEST_F(TableStoreWrite, ThrowingBodyIsRolledBackAsAnError) {
  Status st = store_->WriteAndWait([&](WriteTxn& txn) -> Status {
    (void)txn.Put(table_, Key("x"), "1", 0, {}, std::nullopt);
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(Get("x"), std::nullopt);
}

TEST_F(TableStoreWrite, BatchLimitsSplitTheQueue) {
  TableStoreOptions o;
  o.max_batch_writes = 4;
  o.max_batch_bytes = 250;
  Open(o);
  WriterGate gate;
  gate.Close(*store_);
  std::vector<std::future<Status>> outcomes;
  for (int i = 0; i < 12; ++i) {
    auto p = std::make_shared<std::promise<Status>>();
    outcomes.push_back(p->get_future());
    // 100-byte items: at most three fit under 250 bytes (the third crosses it).
    store_->Write(PutBody("k" + std::to_string(i), std::string(100, 'x')), [p](Status st) { p->set_value(st); });
  }
  gate.Release();
  for (auto& f : outcomes) EXPECT_TRUE(f.get().ok());
  WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.largest_batch, 3u);
  for (int i = 0; i < 12; ++i) EXPECT_TRUE(Get("k" + std::to_string(i)).has_value());
}

TEST_F(TableStoreWrite, ConcurrentReadModifyWritesLoseNoUpdateAndBatch) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  constexpr int kCounters = 3;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<Status>> pending;
      for (int i = 0; i < kPerThread; ++i) {
        auto p = std::make_shared<std::promise<Status>>();
        pending.push_back(p->get_future());
        store_->Write(IncrementBody("c" + std::to_string((t + i) % kCounters)), [p](Status st) { p->set_value(st); });
        // Every 10th write waits: a mix of pipelined and synchronous clients.
        if (i % 10 == 9) pending.back().wait();
      }
      for (auto& f : pending) {
        if (f.get().ok()) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(ok.load(), kThreads * kPerThread);
  int64_t total = 0;
  for (int c = 0; c < kCounters; ++c) total += std::stoll(Get("c" + std::to_string(c)).value_or("0"));
  EXPECT_EQ(total, kThreads * kPerThread);
  WriterStats stats = store_->writer_stats();
  EXPECT_GT(stats.largest_batch, 1u);
  EXPECT_LT(stats.batches, stats.bodies);  // fewer commits than writes
}

TEST_F(TableStoreWrite, ReadersAlwaysSeeAcknowledgedWrites) {
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> done{false};
  std::atomic<int> violations{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t floor = acknowledged.load();
        auto item = store_->Get(table_, Key("counter"));
        int64_t seen = (item.ok() && *item) ? std::stoll(**item) : 0;
        if (!item.ok() || seen < floor) violations.fetch_add(1);
        // A scan in the same breath: readers run beside the writer.
        (void)store_->Scan(table_, kPrimary, 0, uint64_t{1} << 32, std::nullopt, [](const Row&) { return true; });
        reads.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 120; ++i) {
    int64_t value = 0;
    ASSERT_TRUE(store_->WriteAndWait(IncrementBody("counter", &value)).ok());
    acknowledged.store(value);
  }
  // Let the readers run at least once more after the last write.
  int target = reads.load() + 4;
  while (reads.load() < target) std::this_thread::yield();
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(Get("counter"), "120");
}

TEST_F(TableStoreWrite, MultiItemBodyIsAllOrNothing) {
  ASSERT_TRUE(store_->WriteAndWait(PutBody("stock", "1")).ok());
  auto transfer = [&](WriteTxn& txn) -> Status {
    SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("order-1"), "placed", 0, {}, std::nullopt));
    IndexKey line{1, "o", "", 1};
    SLUICE_RETURN_IF_ERROR(txn.Put(table_, Key("order-1-line"), "x", 0, {&line, 1}, std::nullopt));
    auto stock = txn.Get(table_, Key("stock"));
    if (!stock.ok()) return stock.status();
    if (**stock == "0") return Status::FailedPrecondition("TransactionCanceled");
    return txn.Put(table_, Key("stock"), "0", 0, {}, std::nullopt);
  };
  EXPECT_TRUE(store_->WriteAndWait(transfer).ok());
  ASSERT_TRUE(store_
                  ->WriteAndWait([&](WriteTxn& txn) {
                    SLUICE_RETURN_IF_ERROR(txn.Delete(table_, Key("order-1")));
                    return txn.Delete(table_, Key("order-1-line"));
                  })
                  .ok());
  EXPECT_EQ(store_->WriteAndWait(transfer).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Get("order-1"), std::nullopt);
  EXPECT_EQ(Get("order-1-line"), std::nullopt);
  int entries = 0;
  ASSERT_TRUE(
      store_->Query(table_, 1, "o", {}, Direction::kForward, std::nullopt, [&](const Row&) { return ++entries, true; })
          .ok());
  EXPECT_EQ(entries, 0);
}

TEST_F(TableStoreWrite, DestructorCommitsWhatIsQueued) {
  std::atomic<int> acked{0};
  for (int i = 0; i < 50; ++i) {
    store_->Write(PutBody("k" + std::to_string(i), "v"), [&](Status st) {
      if (st.ok()) acked.fetch_add(1);
    });
  }
  store_.reset();
  EXPECT_EQ(acked.load(), 50);
  Open({});
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(store_->Get(1, Key("k" + std::to_string(i)))->has_value());
}

}  // namespace
}  // namespace sluice::dynamodb::store
