#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sluice/pipeline/bounded_queue.h"
#include "wait_until.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using Queue = BoundedQueue<std::string>;
using sluice::test::WaitUntil;

TEST(BoundedQueue, FifoOrder) {
  Queue q(10, 1000);
  for (int i = 0; i < 5; ++i) {
    std::string s = std::to_string(i);
    ASSERT_TRUE(q.Push(std::move(s), 1));
  }
  std::string out;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(q.Pop(&out), Queue::PopStatus::kItem);
    EXPECT_EQ(out, std::to_string(i));
  }
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(BoundedQueue, TryPushRespectsItemAndByteCapacity) {
  Queue q(2, 100);
  std::string a = "a", b = "b", c = "c";
  EXPECT_TRUE(q.TryPush(std::move(a), 10));
  EXPECT_TRUE(q.TryPush(std::move(b), 10));
  EXPECT_FALSE(q.TryPush(std::move(c), 10));  // 2 items
  EXPECT_EQ(c, "c");                          // untouched on failure
  Queue bytes(100, 100);
  std::string x = "x", y = "y";
  EXPECT_TRUE(bytes.TryPush(std::move(x), 60));
  EXPECT_FALSE(bytes.TryPush(std::move(y), 41));  // 101 bytes
  EXPECT_TRUE(bytes.TryPush(std::move(y), 40));   // exactly 100
  EXPECT_EQ(bytes.bytes(), 100u);
}

TEST(BoundedQueue, OversizedItemIsAdmittedOnlyIntoAnEmptyQueue) {
  Queue q(10, 100);
  std::string big(500, 'b'), small = "s";
  EXPECT_TRUE(q.TryPush(std::move(small), 1));
  EXPECT_FALSE(q.TryPush(std::move(big), 500));
  std::string out;
  ASSERT_EQ(q.Pop(&out), Queue::PopStatus::kItem);
  EXPECT_TRUE(q.TryPush(std::move(big), 500));
}

TEST(BoundedQueue, PushBlocksUntilAConsumerMakesRoom) {
  Queue q(2, 1000);
  for (int i = 0; i < 2; ++i) {
    std::string s = "x";
    ASSERT_TRUE(q.Push(std::move(s), 1));
  }
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    std::string s = "third";
    EXPECT_TRUE(q.Push(std::move(s), 1));
    pushed = true;
  });
  // The producer is inside Push, waiting for room (a Push that does not
  // block returns instead, and this never becomes true).
  EXPECT_TRUE(WaitUntil([&] { return q.waiting_pushers() == 1; })) << "Push must block while the queue is full";
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(q.size(), 2u);
  std::string out;
  ASSERT_EQ(q.Pop(&out), Queue::PopStatus::kItem);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.size(), 2u);
}

TEST(BoundedQueue, PushBlocksOnBytesToo) {
  Queue q(100, 10);
  std::string a = "a";
  ASSERT_TRUE(q.Push(std::move(a), 8));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    std::string s = "b";
    EXPECT_TRUE(q.Push(std::move(s), 5));
    pushed = true;
  });
  EXPECT_TRUE(WaitUntil([&] { return q.waiting_pushers() == 1; })) << "Push must block while bytes are full";
  EXPECT_FALSE(pushed.load());
  std::string out;
  ASSERT_EQ(q.Pop(&out), Queue::PopStatus::kItem);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.bytes(), 5u);
}

TEST(BoundedQueue, PopTimesOutWhenEmpty) {
  Queue q(1, 1);
  std::string out;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(q.PopFor(50ms, &out), Queue::PopStatus::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(BoundedQueue, CloseDrainsRemainingItemsThenReportsClosed) {
  Queue q(10, 100);
  for (int i = 0; i < 3; ++i) {
    std::string s = std::to_string(i);
    ASSERT_TRUE(q.Push(std::move(s), 1));
  }
  q.Close();
  q.Close();  // idempotent
  std::string late = "late";
  EXPECT_FALSE(q.Push(std::move(late), 1));
  EXPECT_EQ(late, "late");
  std::string out;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(q.Pop(&out), Queue::PopStatus::kItem);
    EXPECT_EQ(out, std::to_string(i));
  }
  EXPECT_EQ(q.Pop(&out), Queue::PopStatus::kClosed);
  EXPECT_EQ(q.PopFor(10ms, &out), Queue::PopStatus::kClosed);
}

TEST(BoundedQueue, CloseWakesBlockedPushersAndPoppers) {
  Queue full(1, 100);
  std::string first = "first";
  ASSERT_TRUE(full.Push(std::move(first), 1));
  Queue empty(1, 100);
  std::atomic<int> woke{0};
  std::thread pusher([&] {
    std::string s = "blocked";
    EXPECT_FALSE(full.Push(std::move(s), 1));
    ++woke;
  });
  std::thread popper([&] {
    std::string out;
    EXPECT_EQ(empty.Pop(&out), Queue::PopStatus::kClosed);
    ++woke;
  });
  EXPECT_TRUE(WaitUntil([&] { return full.waiting_pushers() == 1 && empty.waiting_poppers() == 1; }));
  EXPECT_EQ(woke.load(), 0);
  full.Close();
  empty.Close();
  pusher.join();
  popper.join();
  EXPECT_EQ(woke.load(), 2);
}

TEST(BoundedQueue, ManyProducersAndConsumersDeliverEverythingOnce) {
  BoundedQueue<std::unique_ptr<int>> q(8, 1 << 20);
  constexpr int kProducers = 3, kPerProducer = 2000, kConsumers = 2;
  std::vector<std::thread> threads;
  std::vector<std::vector<int>> seen(kConsumers);
  for (int c = 0; c < kConsumers; ++c)
    threads.emplace_back([&, c] {
      std::unique_ptr<int> v;
      while (q.Pop(&v) == decltype(q)::PopStatus::kItem) seen[c].push_back(*v);
    });
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p)
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        auto v = std::make_unique<int>(p * kPerProducer + i);
        ASSERT_TRUE(q.Push(std::move(v), 4));
      }
    });
  for (auto& t : producers) t.join();
  q.Close();
  for (auto& t : threads) t.join();
  std::vector<int> all;
  for (auto& s : seen) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kProducers * kPerProducer));
  for (int i = 0; i < kProducers * kPerProducer; ++i) EXPECT_EQ(all[static_cast<size_t>(i)], i);
  EXPECT_LE(q.high_water_items(), 8u);
}

}  // namespace
}  // namespace sluice::pipeline
