// Retries like the AWS SDKs' "standard" retry mode (AWS SDKs and Tools
// Reference Guide, "Retry behavior"; botocore/retries/standard.py and
// quota.py, classic mode):
//  * at most `max_attempts` attempts per call, default 3;
//  * delay before retry i (1-based) = rand[0,1) * min(base * 2^(i-1), 20 s),
//    base 1 s: truncated binary exponential backoff with full jitter;
//  * retried: connection errors and timeouts, HTTP 500/502/503/504, the
//    transient codes RequestTimeout, RequestTimeoutException,
//    PriorRequestNotComplete, and the throttling codes (ThrottlingException,
//    ProvisionedThroughputExceededException, LimitExceededException,
//    RequestLimitExceeded, ... — the list in retry.cc). No other 4xx, no
//    TLS verification failures, no unparseable 2xx bodies;
//  * a retry quota shared by a client: 500 tokens; a retry costs 5 (10
//    after a timeout); a call that succeeds first time returns 1, one that
//    succeeds after retries returns its last retry's cost. With too few
//    tokens the error is returned instead of retried (stops retry storms).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "sluice/api_error.h"

namespace sluice::client {

struct RetryOptions {
  int max_attempts = 3;                                // >= 1; 1 disables retries
  std::chrono::milliseconds base_delay{1000};          // scale of the first retry's delay
  std::chrono::milliseconds max_backoff{20000};        // cap before jitter
  bool use_quota = true;
  int quota_capacity = 500;
};

enum class RetryClass { kNotRetryable, kTransient, kThrottling, kTimeout };

// How an attempt's failure is retried (ignoring attempt counts and quota).
RetryClass ClassifyForRetry(const ApiError& error);
bool IsThrottlingCode(std::string_view code);

// The token bucket of standard mode. Thread-safe.
class RetryQuota {
 public:
  explicit RetryQuota(int capacity) : max_(capacity), available_(capacity) {}
  // Takes the cost of a retry of class `c`; 0 when there is not enough.
  int Acquire(RetryClass c);
  // A call succeeded; `last_cost` is what its last retry took (0: no retry).
  void OnSuccess(int last_cost);
  int available() const;

 private:
  mutable std::mutex mu_;
  const int max_;
  int available_;
};

// Decides, per call, whether and when to retry. Thread-safe across calls;
// each call keeps its own CallState.
class RetryPolicy {
 public:
  struct CallState {
    int attempts = 0;   // attempts made so far
    int last_cost = 0;  // quota taken by the last retry
  };
  // `random` returns uniform doubles in [0, 1); injectable for tests.
  RetryPolicy(RetryOptions options, std::function<double()> random);

  // After attempt number state->attempts failed with `error`: the delay
  // before the next attempt, or nullopt to return the error.
  std::optional<std::chrono::milliseconds> OnFailure(const ApiError& error, CallState* state);
  void OnSuccess(const CallState& state);

  // rand * min(base * 2^(attempt-1), max_backoff), attempt 1-based.
  static std::chrono::milliseconds Backoff(const RetryOptions& options, int attempt, double rand01);

  const RetryOptions& options() const { return options_; }
  const RetryQuota& quota() const { return quota_; }

 private:
  RetryOptions options_;
  std::function<double()> random_;
  std::mutex random_mu_;
  RetryQuota quota_;
};

}  // namespace sluice::client
