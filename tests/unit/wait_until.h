// WaitUntil: for a test that must see another thread reach a state (blocked
// in a wait, a callback run) before it goes on. Polls `reached` without
// sleeping (yielding the CPU between looks) and gives up at a generous
// deadline, so that a broken build fails instead of hanging. Not a way to
// let time pass: tests move a manual clock for that.
#pragma once

#include <chrono>
#include <thread>

namespace sluice::test {

template <typename Predicate>
bool WaitUntil(Predicate reached, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!reached()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace sluice::test
