#include <gtest/gtest.h>

#include "sluice/pipeline/retry_planner.h"

namespace sluice::pipeline {
namespace {

Batch MakeBatch(size_t n) {
  Batch b;
  b.oldest_ms = 123;
  for (size_t i = 0; i < n; ++i) {
    Record r;
    r.id = i;
    r.partition_key = std::string("key") + std::to_string(i);
    r.data = std::string("data") + std::to_string(i);
    b.request_bytes += RecordRequestBytes(r);
    b.entries.push_back({std::move(r), 0});
  }
  return b;
}

EntryResult Ok() { return {true, "", "", "shardId-000000000000", "4960"}; }
EntryResult Err(std::string code) { return {false, std::move(code), "message for test", "", ""}; }

std::vector<uint64_t> Ids(const Batch& b) {
  std::vector<uint64_t> ids;
  for (const auto& e : b.entries) ids.push_back(e.record.id);
  return ids;
}

TEST(RetryPlanner, AllSucceededLeavesNothingToRetry) {
  RetryPlanner p;
  auto plan = p.Plan(MakeBatch(3), {Ok(), Ok(), Ok()});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->succeeded, 3u);
  EXPECT_EQ(plan->succeeded_bytes, 3u * (4 + 5));
  EXPECT_TRUE(plan->retry.entries.empty());
  EXPECT_TRUE(plan->failed.empty());
  EXPECT_FALSE(plan->throttled);
}

TEST(RetryPlanner, RetriesOnlyTheFailedEntriesInOriginalOrder) {
  RetryPlanner p;
  auto plan = p.Plan(MakeBatch(6), {Ok(), Err("ProvisionedThroughputExceededException"), Ok(), Err("InternalFailure"),
                                    Ok(), Err("ProvisionedThroughputExceededException")});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->succeeded, 3u);
  EXPECT_EQ(Ids(plan->retry), (std::vector<uint64_t>{1, 3, 5}));
  EXPECT_EQ(plan->retry.reason, Batch::Reason::kRetry);
  EXPECT_EQ(plan->retry.oldest_ms, 123);
  EXPECT_EQ(plan->retry.request_bytes, 3u * (4 + 5));
  for (const auto& e : plan->retry.entries) EXPECT_EQ(e.attempts, 1u);
  EXPECT_TRUE(plan->throttled);
  EXPECT_TRUE(plan->failed.empty());
}

TEST(RetryPlanner, CountsAttemptsAndReportsFailuresAfterMaxAttempts) {
  RetryPlanner p(RetryPolicy{3, 100, 1000});
  Batch batch = MakeBatch(2);
  // Entry 0 always fails; entry 1 succeeds on the second attempt.
  auto first = p.Plan(std::move(batch), {Err("InternalFailure"), Err("InternalFailure")});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->retry.entries.size(), 2u);
  auto second = p.Plan(std::move(first->retry), {Err("InternalFailure"), Ok()});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->retry.entries.size(), 1u);
  EXPECT_EQ(second->retry.entries[0].attempts, 2u);
  EXPECT_EQ(second->succeeded, 1u);
  auto third = p.Plan(std::move(second->retry), {Err("ProvisionedThroughputExceededException")});
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->retry.entries.empty());
  ASSERT_EQ(third->failed.size(), 1u);
  const FailedRecord& f = third->failed[0];
  EXPECT_EQ(f.record.id, 0u);
  EXPECT_EQ(f.record.data, "data0");  // the record itself is reported, not dropped
  EXPECT_EQ(f.attempts, 3u);
  EXPECT_EQ(f.error_code, "ProvisionedThroughputExceededException");
  EXPECT_EQ(f.error_message, "message for test");
}

TEST(RetryPlanner, NonRetryableErrorsFailAtOnce) {
  RetryPlanner p;
  auto plan = p.Plan(MakeBatch(3), {Err("KMSAccessDeniedException"), Err("InternalFailure"), Ok()});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->failed.size(), 1u);
  EXPECT_EQ(plan->failed[0].record.id, 0u);
  EXPECT_EQ(plan->failed[0].attempts, 1u);
  EXPECT_EQ(Ids(plan->retry), (std::vector<uint64_t>{1}));
  EXPECT_FALSE(plan->throttled);
  // The client library's one classification decides.
  EXPECT_EQ(client::ClassifyErrorCode("KMSDisabledException"), client::RetryClass::kNotRetryable);
  EXPECT_EQ(client::ClassifyErrorCode("KMSThrottlingException"), client::RetryClass::kThrottling);
  EXPECT_EQ(client::ClassifyErrorCode("InternalFailure"), client::RetryClass::kTransient);
  // An unknown code cannot be known to succeed on retry: not resent.
  EXPECT_EQ(client::ClassifyErrorCode("SomethingNew"), client::RetryClass::kNotRetryable);
  auto unknown_key = p.PlanRequestFailure(MakeBatch(2), "UnrecognizedClientException", "bad key");
  EXPECT_TRUE(unknown_key.retry.entries.empty());
  EXPECT_EQ(unknown_key.failed.size(), 2u);
}

TEST(RetryPlanner, MissingErrorCodeIsTreatedAsInternalFailure) {
  RetryPlanner p;
  auto plan = p.Plan(MakeBatch(1), {EntryResult{}});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->retry.entries.size(), 1u);
  RetryPlanner once(RetryPolicy{1, 0, 0});
  auto failed = once.Plan(MakeBatch(1), {EntryResult{}});
  ASSERT_EQ(failed->failed.size(), 1u);
  EXPECT_EQ(failed->failed[0].error_code, "InternalFailure");
}

TEST(RetryPlanner, MismatchedResultCountIsAnErrorAndKeepsTheBatch) {
  RetryPlanner p;
  Batch b = MakeBatch(3);
  auto plan = p.Plan(std::move(b), {Ok()});
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.entries.size(), 3u);  // NOLINT(bugprone-use-after-move): documented to be untouched
  auto all = p.PlanRequestFailure(std::move(b), "ServiceUnavailable", "connection reset");
  EXPECT_EQ(all.retry.entries.size(), 3u);
}

TEST(RetryPlanner, WholeRequestFailureCountsOneAttemptForEveryEntry) {
  RetryPlanner p(RetryPolicy{2, 10, 100});
  auto plan = p.PlanRequestFailure(MakeBatch(4), "InternalFailure", "HTTP 500");
  EXPECT_EQ(Ids(plan.retry), (std::vector<uint64_t>{0, 1, 2, 3}));
  auto again = p.PlanRequestFailure(std::move(plan.retry), "InternalFailure", "HTTP 500");
  EXPECT_TRUE(again.retry.entries.empty());
  ASSERT_EQ(again.failed.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(again.failed[i].record.id, i);
    EXPECT_EQ(again.failed[i].attempts, 2u);
    EXPECT_EQ(again.failed[i].error_message, "HTTP 500");
  }
}

TEST(RetryPlanner, BackoffIsFullJitterExponentialAndCapped) {
  RetryPlanner p(RetryPolicy{10, 100, 1000});
  EXPECT_EQ(p.BackoffMs(1, ~uint64_t{0}), ~uint64_t{0} % 101);
  for (uint64_t r = 0; r < 5000; r += 7) {
    EXPECT_LE(p.BackoffMs(1, r), 100);
    EXPECT_LE(p.BackoffMs(2, r), 200);
    EXPECT_LE(p.BackoffMs(3, r), 400);
    EXPECT_LE(p.BackoffMs(9, r), 1000);
  }
  EXPECT_EQ(p.BackoffMs(3, 400), 400);
  EXPECT_EQ(p.BackoffMs(30, 1000), 1000);
  EXPECT_EQ(p.BackoffMs(0, 12345), 0);
  EXPECT_FALSE(RetryPlanner::ValidatePolicy(RetryPolicy{0, 1, 2}).ok());
  EXPECT_FALSE(RetryPlanner::ValidatePolicy(RetryPolicy{3, 10, 5}).ok());
  EXPECT_TRUE(RetryPlanner::ValidatePolicy(RetryPolicy{}).ok());
}

}  // namespace
}  // namespace sluice::pipeline
