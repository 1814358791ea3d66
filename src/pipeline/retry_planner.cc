#include "sluice/pipeline/retry_planner.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace sluice::pipeline {

Status RetryPlanner::ValidatePolicy(const RetryPolicy& p) {
  if (p.max_attempts < 1) return Status::InvalidArgument("max_attempts must be >= 1");
  if (p.base_backoff_ms < 0 || p.max_backoff_ms < p.base_backoff_ms)
    return Status::InvalidArgument("backoff must satisfy 0 <= base_backoff_ms <= max_backoff_ms");
  return Status::Ok();
}

void RetryPlanner::Settle(BatchEntry entry, const std::string& code, const std::string& message,
                          client::RetryClass retry, RetryPlan* plan) const {
  ++entry.attempts;
  if (retry == client::RetryClass::kThrottling) plan->throttled = true;
  if (entry.attempts < policy_.max_attempts && retry != client::RetryClass::kNotRetryable) {
    plan->retry.request_bytes += RecordRequestBytes(entry.record);
    plan->retry.entries.push_back(std::move(entry));
  } else {
    plan->failed.push_back(FailedRecord{std::move(entry.record), entry.attempts, code, message});
  }
}

Result<RetryPlan> RetryPlanner::Plan(Batch&& batch, const std::vector<EntryResult>& results) const {
  if (results.size() != batch.entries.size())
    return Status::InvalidArgument("PutRecords returned " + std::to_string(results.size()) + " entries for " +
                                   std::to_string(batch.entries.size()) + " records");
  RetryPlan plan;
  plan.retry.reason = Batch::Reason::kRetry;
  plan.retry.oldest_ms = batch.oldest_ms;
  for (size_t i = 0; i < results.size(); ++i) {
    BatchEntry& e = batch.entries[i];
    if (results[i].ok) {
      ++plan.succeeded;
      plan.succeeded_bytes += RecordRequestBytes(e.record);
    } else {
      const std::string code = results[i].error_code.empty() ? "InternalFailure" : results[i].error_code;
      Settle(std::move(e), code, results[i].error_message, client::ClassifyErrorCode(code), &plan);
    }
  }
  batch.entries.clear();
  batch.request_bytes = 0;
  return plan;
}

RetryPlan RetryPlanner::PlanRequestFailure(Batch&& batch, const std::string& error_code,
                                           const std::string& error_message) const {
  return PlanRequestFailure(std::move(batch), error_code, error_message, client::ClassifyErrorCode(error_code));
}

RetryPlan RetryPlanner::PlanRequestFailure(Batch&& batch, const std::string& error_code,
                                           const std::string& error_message, client::RetryClass retry) const {
  RetryPlan plan;
  plan.retry.reason = Batch::Reason::kRetry;
  plan.retry.oldest_ms = batch.oldest_ms;
  for (auto& e : batch.entries) Settle(std::move(e), error_code, error_message, retry, &plan);
  batch.entries.clear();
  batch.request_bytes = 0;
  return plan;
}

int64_t RetryPlanner::BackoffMs(uint32_t attempts, uint64_t random) const {
  if (attempts == 0 || policy_.base_backoff_ms <= 0) return 0;
  int64_t cap = policy_.base_backoff_ms;
  for (uint32_t i = 1; i < attempts && cap < policy_.max_backoff_ms; ++i) cap *= 2;
  cap = std::min(cap, policy_.max_backoff_ms);
  return static_cast<int64_t>(random % static_cast<uint64_t>(cap + 1));
}

}  // namespace sluice::pipeline
