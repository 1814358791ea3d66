// Standard-mode retry decisions with an injected random source.
#include <gtest/gtest.h>

#include "sluice/retry.h"

namespace sluice::client {
namespace {

using std::chrono::milliseconds;

ApiError Service(int status, std::string type) {
  ApiError e;
  e.kind = ErrorKind::kService;
  e.http_status = status;
  e.type = std::move(type);
  return e;
}

ApiError Local(ErrorKind kind) {
  ApiError e;
  e.kind = kind;
  return e;
}

TEST(ClientRetry, Classification) {
  EXPECT_EQ(ClassifyForRetry(Local(ErrorKind::kNetwork)), RetryClass::kTransient);
  EXPECT_EQ(ClassifyForRetry(Local(ErrorKind::kTimeout)), RetryClass::kTimeout);
  EXPECT_EQ(ClassifyForRetry(Local(ErrorKind::kTls)), RetryClass::kNotRetryable);
  EXPECT_EQ(ClassifyForRetry(Local(ErrorKind::kMalformedResponse)), RetryClass::kNotRetryable);
  EXPECT_EQ(ClassifyForRetry(Local(ErrorKind::kInvalidArgument)), RetryClass::kNotRetryable);
  for (int status : {500, 502, 503, 504}) {
    EXPECT_EQ(ClassifyForRetry(Service(status, "InternalFailure")), RetryClass::kTransient) << status;
  }
  EXPECT_EQ(ClassifyForRetry(Service(501, "NotImplemented")), RetryClass::kNotRetryable);
  for (const char* code : {"ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException",
                           "RequestLimitExceeded", "Throttling", "TooManyRequestsException", "SlowDown"}) {
    EXPECT_EQ(ClassifyForRetry(Service(400, code)), RetryClass::kThrottling) << code;
  }
  EXPECT_EQ(ClassifyForRetry(Service(400, "RequestTimeoutException")), RetryClass::kTransient);
  for (const char* code : {"ValidationException", "ResourceNotFoundException", "ResourceInUseException",
                           "InvalidArgumentException", "ExpiredIteratorException", "AccessDeniedException"}) {
    EXPECT_EQ(ClassifyForRetry(Service(400, code)), RetryClass::kNotRetryable) << code;
  }
  // Retrying cannot fix a wrong key, a bad signature or a host that does not exist.
  for (const char* code : {"UnrecognizedClientException", "InvalidSignatureException", "InvalidAccessKeyId",
                           "MissingAuthenticationTokenException"}) {
    EXPECT_EQ(ClassifyForRetry(Service(400, code)), RetryClass::kNotRetryable) << code;
  }
  EXPECT_EQ(ClassifyForRetry(Local(ErrorKind::kNameResolution)), RetryClass::kNotRetryable);
}

TEST(ClientRetry, EntryCodesAndOutages) {
  EXPECT_EQ(ClassifyErrorCode("ProvisionedThroughputExceededException"), RetryClass::kThrottling);
  EXPECT_EQ(ClassifyErrorCode("KMSThrottlingException"), RetryClass::kThrottling);
  EXPECT_EQ(ClassifyErrorCode("InternalFailure"), RetryClass::kTransient);
  EXPECT_EQ(ClassifyErrorCode("KMSAccessDeniedException"), RetryClass::kNotRetryable);
  EXPECT_TRUE(IsServerUnavailable(Local(ErrorKind::kNetwork)));
  EXPECT_TRUE(IsServerUnavailable(Local(ErrorKind::kTimeout)));
  EXPECT_TRUE(IsServerUnavailable(Service(503, "ServiceUnavailable")));
  EXPECT_FALSE(IsServerUnavailable(Service(400, "ProvisionedThroughputExceededException")));
  EXPECT_FALSE(IsServerUnavailable(Service(400, "UnrecognizedClientException")));
  EXPECT_FALSE(IsServerUnavailable(Local(ErrorKind::kNameResolution)));
  EXPECT_TRUE(IsNoResponse(Local(ErrorKind::kNameResolution)));
  EXPECT_FALSE(IsNoResponse(Service(503, "ServiceUnavailable")));
}

TEST(ClientRetry, BackoffIsFullJitterTruncatedExponential) {
  RetryOptions o;  // base 1 s, cap 20 s
  EXPECT_EQ(RetryPolicy::Backoff(o, 1, 0.5), milliseconds(500));
  EXPECT_EQ(RetryPolicy::Backoff(o, 2, 0.5), milliseconds(1000));
  EXPECT_EQ(RetryPolicy::Backoff(o, 3, 0.5), milliseconds(2000));
  EXPECT_EQ(RetryPolicy::Backoff(o, 5, 1.0), milliseconds(16000));
  EXPECT_EQ(RetryPolicy::Backoff(o, 6, 1.0), milliseconds(20000));   // capped
  EXPECT_EQ(RetryPolicy::Backoff(o, 60, 0.25), milliseconds(5000));  // no overflow
  EXPECT_EQ(RetryPolicy::Backoff(o, 4, 0.0), milliseconds(0));
}

TEST(ClientRetry, StopsAtMaxAttempts) {
  RetryOptions o;
  o.max_attempts = 3;
  RetryPolicy policy(o, [] { return 0.5; });
  RetryPolicy::CallState st;
  st.attempts = 1;
  auto d1 = policy.OnFailure(Service(503, "ServiceUnavailable"), &st);
  ASSERT_TRUE(d1);
  EXPECT_EQ(*d1, milliseconds(500));
  st.attempts = 2;
  auto d2 = policy.OnFailure(Service(400, "ProvisionedThroughputExceededException"), &st);
  ASSERT_TRUE(d2);
  EXPECT_EQ(*d2, milliseconds(1000));
  st.attempts = 3;
  EXPECT_FALSE(policy.OnFailure(Service(503, "ServiceUnavailable"), &st));
}

TEST(ClientRetry, NonRetryableErrorsAreReturnedAtOnce) {
  RetryPolicy policy(RetryOptions{}, [] { return 0.5; });
  RetryPolicy::CallState st;
  st.attempts = 1;
  EXPECT_FALSE(policy.OnFailure(Service(400, "ValidationException"), &st));
  EXPECT_FALSE(policy.OnFailure(Local(ErrorKind::kTls), &st));
  EXPECT_EQ(policy.quota().available(), 500);
}

TEST(ClientRetry, QuotaDrainsAndRefills) {
  RetryOptions o;
  o.max_attempts = 100;
  o.quota_capacity = 22;
  RetryPolicy policy(o, [] { return 0.0; });
  RetryPolicy::CallState st;
  st.attempts = 1;
  ASSERT_TRUE(policy.OnFailure(Local(ErrorKind::kTimeout), &st));  // costs 10
  EXPECT_EQ(st.last_cost, 10);
  ASSERT_TRUE(policy.OnFailure(Local(ErrorKind::kNetwork), &st));       // costs 5
  ASSERT_TRUE(policy.OnFailure(Service(500, "InternalFailure"), &st));  // costs 5
  EXPECT_EQ(policy.quota().available(), 2);
  EXPECT_FALSE(policy.OnFailure(Service(500, "InternalFailure"), &st));  // not enough tokens left
  policy.OnSuccess(st);  // a retried call gives back its last retry's cost
  EXPECT_EQ(policy.quota().available(), 7);
  policy.OnSuccess(RetryPolicy::CallState{1, 0});  // a first-time success adds 1
  EXPECT_EQ(policy.quota().available(), 8);
  for (int i = 0; i < 100; ++i) policy.OnSuccess(RetryPolicy::CallState{1, 0});
  EXPECT_EQ(policy.quota().available(), 22);  // never above capacity
}

TEST(ClientRetry, QuotaCanBeDisabled) {
  RetryOptions o;
  o.max_attempts = 1000;
  o.quota_capacity = 0;
  o.use_quota = false;
  RetryPolicy policy(o, [] { return 0.0; });
  RetryPolicy::CallState st;
  st.attempts = 1;
  EXPECT_TRUE(policy.OnFailure(Local(ErrorKind::kNetwork), &st));
}

}  // namespace
}  // namespace sluice::client
