// Mutex, SharedMutex and CondVar: std::mutex, std::shared_mutex and
// std::condition_variable with clang's thread-safety annotations, which
// libstdc++'s own types do not carry. Declare what a lock protects with
// SLUICE_GUARDED_BY (GUARDED_BY inside the tree) and take it with a scoped
// MutexLock / WriterLock / ReaderLock; clang then proves at compile time
// that every access holds it. Same cost as the std types they wrap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "sluice/thread_annotations.h"

namespace sluice {

class CondVar;

// An exclusive lock. Not recursive.
class SLUICE_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() SLUICE_ACQUIRE() { mu_.lock(); }
  void Unlock() SLUICE_RELEASE() { mu_.unlock(); }
  bool TryLock() SLUICE_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the calling thread holds this lock (where it cannot
  // see that itself, e.g. in a callback run under it). Checks nothing at
  // run time.
  void AssertHeld() const SLUICE_ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A readers-writer lock: one writer, or any number of readers.
class SLUICE_CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() SLUICE_ACQUIRE() { mu_.lock(); }
  void Unlock() SLUICE_RELEASE() { mu_.unlock(); }
  bool TryLock() SLUICE_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  void ReaderLock() SLUICE_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() SLUICE_RELEASE_SHARED() { mu_.unlock_shared(); }
  bool ReaderTryLock() SLUICE_TRY_ACQUIRE_SHARED(true) { return mu_.try_lock_shared(); }
  // As Mutex::AssertHeld: for the analysis only.
  void AssertHeld() const SLUICE_ASSERT_CAPABILITY(this) {}
  void AssertReaderHeld() const SLUICE_ASSERT_SHARED_CAPABILITY(this) {}

 private:
  std::shared_mutex mu_;
};

// Holds a Mutex from construction to destruction. Unlock() and Lock() let a
// scope give the lock up for a while (e.g. around slow I/O) and take it back.
class SLUICE_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) SLUICE_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() SLUICE_RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() SLUICE_RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() SLUICE_ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// Holds a SharedMutex exclusively until destruction or Unlock().
class SLUICE_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) SLUICE_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() SLUICE_RELEASE() {
    if (held_) mu_.Unlock();
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Gives the lock up early (e.g. before slow I/O that needs no lock).
  void Unlock() SLUICE_RELEASE() {
    mu_.Unlock();
    held_ = false;
  }

 private:
  SharedMutex& mu_;
  bool held_ = true;
};

// Holds a SharedMutex shared (as a reader) until destruction or Unlock().
class SLUICE_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) SLUICE_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.ReaderLock(); }
  ~ReaderLock() SLUICE_RELEASE() {
    if (held_) mu_.ReaderUnlock();
  }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

  void Unlock() SLUICE_RELEASE() {
    mu_.ReaderUnlock();
    held_ = false;
  }

 private:
  SharedMutex& mu_;
  bool held_ = true;
};

// A condition variable for Mutex. Wait atomically releases the mutex, blocks
// and takes it back before returning; wakeups may be spurious, so callers
// wait in a loop on their condition:
//
//   MutexLock lock(mu_);
//   while (queue_.empty()) cv_.Wait(mu_);
//
// (The loop, not a predicate lambda, lets the analysis see that the
// condition reads guarded fields under the lock.)
class CondVar {
 public:
  void Wait(Mutex& mu) SLUICE_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held; the caller's scope releases it
  }
  // As Wait, but returns false once `deadline` has passed without a wakeup.
  template <class Clock, class Duration>
  bool WaitUntil(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline) SLUICE_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  // As Wait, but returns false once `timeout` has passed without a wakeup.
  template <class Rep, class Period>
  bool WaitFor(Mutex& mu, const std::chrono::duration<Rep, Period>& timeout) SLUICE_REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() + timeout);
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace sluice
