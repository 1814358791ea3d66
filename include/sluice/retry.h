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
#include <optional>
#include <string_view>

#include "sluice/api_error.h"
#include "sluice/mutex.h"

namespace sluice::client {

struct RetryOptions {
  int max_attempts = 3;                          // >= 1; 1 disables retries
  std::chrono::milliseconds base_delay{1000};    // scale of the first retry's delay
  std::chrono::milliseconds max_backoff{20000};  // cap before jitter
  bool use_quota = true;
  int quota_capacity = 500;
};

enum class RetryClass { kNotRetryable, kTransient, kThrottling, kTimeout };

// THE retry classification of Sluice's clients: the client's own retries
// (RetryPolicy below), the producer's per-record resends
// (pipeline::RetryPlanner, workers::Producer) and the consumer's outage
// handling (workers::Consumer) all decide with these functions, so an error
// is retried everywhere or nowhere.
//  * kNetwork -> kTransient; kTimeout -> kTimeout;
//  * kNameResolution (the endpoint's host does not exist), kTls,
//    kMalformedResponse, kInvalidArgument -> kNotRetryable;
//  * service errors: the throttling codes -> kThrottling; the transient
//    codes (RequestTimeout, RequestTimeoutException, PriorRequestNotComplete,
//    InternalFailure, InternalFailureException, ServiceUnavailable) or HTTP
//    500/502/503/504 -> kTransient; every other error -> kNotRetryable:
//    unknown access key (UnrecognizedClientException, InvalidAccessKeyId),
//    bad signature (InvalidSignatureException), missing resource
//    (ResourceNotFoundException), validation, access denied, KMS setup.
// (How an attempt's failure is retried, ignoring attempt counts and quota.)
RetryClass ClassifyForRetry(const ApiError& error);
// A PutRecords entry's ErrorCode, which comes without an HTTP status of its
// own: ClassifyForRetry of a service error with that code and no status
// (ProvisionedThroughputExceededException, KMSThrottlingException ->
// kThrottling; InternalFailure -> kTransient; KMS*/AccessDenied/... -> not).
RetryClass ClassifyErrorCode(std::string_view code);
bool IsThrottlingCode(std::string_view code);
// The server did not answer or answered that it is failing (kNetwork,
// kTimeout, HTTP 5xx): an outage that a long-running client may wait out.
// False for throttling and for errors ClassifyForRetry does not retry.
bool IsServerUnavailable(const ApiError& error);
// True when no HTTP response came back at all (kNetwork, kTimeout,
// kNameResolution, kTls): nothing is known to listen at the endpoint.
bool IsNoResponse(const ApiError& error);

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
  mutable Mutex mu_;
  const int max_;
  int available_ SLUICE_GUARDED_BY(mu_);
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
  Mutex random_mu_;
  std::function<double()> random_ SLUICE_GUARDED_BY(random_mu_);
  RetryQuota quota_;
};

}  // namespace sluice::client
