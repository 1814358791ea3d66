#include "base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace sluice {
namespace {

// A counter whose every access the analysis checks (clang builds).
struct Counter {
  Mutex mu;
  int value GUARDED_BY(mu) = 0;
};

TEST(Mutex, MutexLockMakesIncrementsFromTwoThreadsExclusive) {
  Counter c;
  auto add = [&c] {
    for (int i = 0; i < 20000; ++i) {
      MutexLock lock(c.mu);
      ++c.value;
    }
  };
  std::thread a(add), b(add);
  a.join();
  b.join();
  MutexLock lock(c.mu);
  EXPECT_EQ(c.value, 40000);
}

TEST(Mutex, TryLockFailsWhileAnotherThreadHoldsIt) {
  Mutex mu;
  MutexLock lock(mu);
  bool got = false;
  std::thread([&] {
    if (mu.TryLock()) {
      got = true;
      mu.Unlock();
    }
  }).join();
  EXPECT_FALSE(got);
}

TEST(Mutex, MutexLockUnlockGivesTheLockUpUntilLock) {
  Mutex mu;
  MutexLock lock(mu);
  lock.Unlock();
  bool got = false;
  std::thread([&] {
    if (mu.TryLock()) {
      got = true;
      mu.Unlock();
    }
  }).join();
  EXPECT_TRUE(got);
  lock.Lock();
  got = false;
  std::thread([&] {
    if (mu.TryLock()) {
      got = true;
      mu.Unlock();
    }
  }).join();
  EXPECT_FALSE(got);
}

TEST(SharedMutex, ReadersShareAndExcludeAWriter) {
  SharedMutex mu;
  ReaderLock reader(mu);
  bool second_reader = false, writer = false;
  std::thread([&] {
    if (mu.ReaderTryLock()) {
      second_reader = true;
      mu.ReaderUnlock();
    }
    if (mu.TryLock()) {
      writer = true;
      mu.Unlock();
    }
  }).join();
  EXPECT_TRUE(second_reader);
  EXPECT_FALSE(writer);
}

TEST(SharedMutex, AWriterExcludesReaders) {
  SharedMutex mu;
  WriterLock writer(mu);
  bool reader = false;
  std::thread([&] {
    if (mu.ReaderTryLock()) {
      reader = true;
      mu.ReaderUnlock();
    }
  }).join();
  EXPECT_FALSE(reader);
}

struct Flag {
  Mutex mu;
  CondVar cv;
  bool ready GUARDED_BY(mu) = false;
};

TEST(CondVar, WaitReturnsWithTheLockHeldOnceNotified) {
  Flag f;
  bool seen = false;
  std::thread waiter([&] {
    MutexLock lock(f.mu);
    while (!f.ready) f.cv.Wait(f.mu);
    seen = f.ready;  // read under the lock Wait took back
  });
  {
    MutexLock lock(f.mu);
    f.ready = true;
  }
  f.cv.NotifyAll();
  waiter.join();
  EXPECT_TRUE(seen);
  // Wait gave the mutex back: it is free again now.
  bool free_again = false;
  if (f.mu.TryLock()) {
    free_again = true;
    f.mu.Unlock();
  }
  EXPECT_TRUE(free_again);
}

TEST(CondVar, WaitUntilAPassedDeadlineReportsATimeout) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  EXPECT_FALSE(cv.WaitUntil(mu, std::chrono::steady_clock::now() - std::chrono::seconds(1)));
  EXPECT_FALSE(cv.WaitFor(mu, std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace sluice
