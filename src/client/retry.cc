// Standard-mode retry decisions (see sluice/retry.h for the sources).
#include "sluice/retry.h"

#include <algorithm>
#include <cmath>

namespace sluice::client {
namespace {

// botocore ThrottledRetryableChecker._THROTTLED_ERROR_CODES.
constexpr std::string_view kThrottlingCodes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
    // Kinesis: a PutRecords entry throttled by KMS (not in botocore's list).
    "KMSThrottlingException"};

// botocore TransientRetryableChecker, plus the server-side failures Kinesis
// reports per PutRecords entry (InternalFailure) or as a code.
constexpr std::string_view kTransientCodes[] = {"RequestTimeout",           "RequestTimeoutException",
                                                "PriorRequestNotComplete",  "InternalFailure",
                                                "InternalFailureException", "ServiceUnavailable"};
constexpr int kTransientStatus[] = {500, 502, 503, 504};

constexpr int kRetryCost = 5;
constexpr int kTimeoutRetryCost = 10;
constexpr int kNoRetryIncrement = 1;

template <typename C, typename V>
bool Contains(const C& c, const V& v) {
  return std::find(std::begin(c), std::end(c), v) != std::end(c);
}

}  // namespace

bool IsThrottlingCode(std::string_view code) { return Contains(kThrottlingCodes, code); }

RetryClass ClassifyForRetry(const ApiError& error) {
  switch (error.kind) {
    case ErrorKind::kNetwork: return RetryClass::kTransient;
    case ErrorKind::kTimeout: return RetryClass::kTimeout;
    case ErrorKind::kNameResolution:
    case ErrorKind::kTls:
    case ErrorKind::kMalformedResponse:
    case ErrorKind::kInvalidArgument: return RetryClass::kNotRetryable;
    case ErrorKind::kService: break;
  }
  if (IsThrottlingCode(error.type)) return RetryClass::kThrottling;
  if (Contains(kTransientCodes, error.type) || Contains(kTransientStatus, error.http_status)) {
    return RetryClass::kTransient;
  }
  return RetryClass::kNotRetryable;
}

RetryClass ClassifyErrorCode(std::string_view code) {
  ApiError e;
  e.kind = ErrorKind::kService;
  e.type = std::string(code);
  return ClassifyForRetry(e);
}

bool IsServerUnavailable(const ApiError& error) {
  if (error.kind == ErrorKind::kNetwork || error.kind == ErrorKind::kTimeout) return true;
  return error.kind == ErrorKind::kService && error.http_status >= 500 &&
         ClassifyForRetry(error) == RetryClass::kTransient;
}

bool IsNoResponse(const ApiError& error) {
  return error.kind == ErrorKind::kNetwork || error.kind == ErrorKind::kTimeout ||
         error.kind == ErrorKind::kNameResolution || error.kind == ErrorKind::kTls;
}

int RetryQuota::Acquire(RetryClass c) {
  int cost = c == RetryClass::kTimeout ? kTimeoutRetryCost : kRetryCost;
  MutexLock lock(mu_);
  if (available_ < cost) return 0;
  available_ -= cost;
  return cost;
}

void RetryQuota::OnSuccess(int last_cost) {
  MutexLock lock(mu_);
  available_ = std::min(max_, available_ + (last_cost > 0 ? last_cost : kNoRetryIncrement));
}

int RetryQuota::available() const {
  MutexLock lock(mu_);
  return available_;
}

RetryPolicy::RetryPolicy(RetryOptions options, std::function<double()> random)
    : options_(options), random_(std::move(random)), quota_(options.quota_capacity) {}

std::chrono::milliseconds RetryPolicy::Backoff(const RetryOptions& options, int attempt, double rand01) {
  double scale = static_cast<double>(options.base_delay.count()) * std::ldexp(1.0, std::clamp(attempt - 1, 0, 62));
  double capped = std::min(scale, static_cast<double>(options.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(std::clamp(rand01, 0.0, 1.0) * capped));
}

std::optional<std::chrono::milliseconds> RetryPolicy::OnFailure(const ApiError& error, CallState* state) {
  RetryClass c = ClassifyForRetry(error);
  if (c == RetryClass::kNotRetryable || state->attempts >= options_.max_attempts) return std::nullopt;
  if (options_.use_quota) {
    int cost = quota_.Acquire(c);
    if (cost == 0) return std::nullopt;
    state->last_cost = cost;
  }
  double r;
  {
    MutexLock lock(random_mu_);
    r = random_();
  }
  return Backoff(options_, state->attempts, r);
}

void RetryPolicy::OnSuccess(const CallState& state) {
  if (options_.use_quota) quota_.OnSuccess(state.last_cost);
}

}  // namespace sluice::client
