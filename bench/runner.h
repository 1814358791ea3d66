// Shared plumbing of the scenarios: the coroutine runner, sleeps, stderr
// messages, time conversions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kinesis_client.h"

namespace sluice::bench {

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
inline std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

inline asio::awaitable<void> SleepFor(Clock::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}
inline asio::awaitable<void> SleepUntil(Clock::time_point tp) {
  asio::steady_timer t(co_await asio::this_coro::executor, tp);
  co_await t.async_wait(asio::use_awaitable);
}

inline void Say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline void Say(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("[sluice-bench] ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

// Runs coroutines on one io_context with `threads` threads. Each phase of a
// scenario is one Run/RunAll; exceptions inside coroutines are rethrown.
template <typename T>
asio::awaitable<void> Capture(asio::awaitable<T> aw, std::optional<T>* out) {
  out->emplace(co_await std::move(aw));
}

class Runner {
 public:
  explicit Runner(int threads) : threads_(std::max(1, threads)) {}
  asio::io_context& ioc() { return ioc_; }
  asio::any_io_executor ex() { return ioc_.get_executor(); }

  template <typename T>
  T Run(asio::awaitable<T> aw) {
    std::optional<T> out;
    std::exception_ptr err;
    // Via an awaitable<void>: co_spawn's handler for awaitable<T> needs a
    // default-constructible T, which Result<T> is not.
    asio::co_spawn(ioc_, Capture(std::move(aw), &out), [&](std::exception_ptr e) { err = e; });
    Drive();
    if (err) std::rethrow_exception(err);
    return std::move(*out);
  }

  void RunAll(std::vector<asio::awaitable<void>> tasks) {
    std::mutex mu;
    std::exception_ptr first;
    for (auto& t : tasks) {
      asio::co_spawn(ioc_, std::move(t), [&](std::exception_ptr e) {
        if (!e) return;
        std::lock_guard lock(mu);
        if (!first) first = e;
      });
    }
    Drive();
    if (first) std::rethrow_exception(first);
  }

 private:
  void Drive() {
    ioc_.restart();
    std::vector<std::thread> extra;
    for (int i = 1; i < threads_; ++i) extra.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : extra) t.join();
  }
  asio::io_context ioc_;
  int threads_;
};

}  // namespace sluice::bench
