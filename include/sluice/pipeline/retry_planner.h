// RetryPlanner: what to do after a PutRecords call. Kinesis answers a
// PutRecords request entry by entry (FailedRecordCount, and per entry either a
// SequenceNumber/ShardId or an ErrorCode/ErrorMessage); only the failed entries
// are sent again. Every record ends up either acknowledged, retried, or in a
// failure report with its last error; none is dropped silently.
//
// Bookkeeping: BatchEntry::attempts counts PutRecords attempts already made.
// Plan() counts the attempt just made (attempts + 1) for every entry; a failed
// entry is retried while its attempts < max_attempts and its error is
// retryable, and reported as failed otherwise.
//
// Ordering: the retry batch keeps the failed entries in their original order.
// PutRecords itself gives no ordering across entries that fail and succeed in
// one call (a later record of the same key can land before a retried earlier
// one), as on AWS; strict per-key order needs PutRecord with
// SequenceNumberForOrdering, which this producer does not promise.
//
// Thread-safety: Plan*() are const and may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/pipeline/batcher.h"
#include "sluice/retry.h"
#include "sluice/status.h"

namespace sluice::pipeline {

struct RetryPolicy {
  uint32_t max_attempts = 10;     // >= 1; attempts per record, the first included
  int64_t base_backoff_ms = 100;  // full-jitter exponential backoff between attempts
  int64_t max_backoff_ms = 5000;
};

// One entry of a PutRecords response, in request order.
struct EntryResult {
  bool ok = false;
  std::string error_code;  // set when !ok, e.g. "ProvisionedThroughputExceededException"
  std::string error_message;
  std::string shard_id;         // set when ok
  std::string sequence_number;  // set when ok
};

// A record that will not be retried: its last error and how often it was tried.
struct FailedRecord {
  Record record;
  uint32_t attempts = 0;
  std::string error_code;
  std::string error_message;
};

struct RetryPlan {
  Batch retry;                       // reason kRetry; empty when nothing to retry
  std::vector<FailedRecord> failed;  // in original order
  size_t succeeded = 0;
  size_t succeeded_bytes = 0;  // RecordRequestBytes of the acknowledged entries
  // Some entry failed with ProvisionedThroughputExceededException (or a KMS
  // throttle): the caller should back off before sending `retry`.
  bool throttled = false;
};

// Whether an entry is resent is decided by the client library's one retry
// classification (sluice/retry.h): client::ClassifyErrorCode for a per-entry
// ErrorCode, client::ClassifyForRetry for a whole-request error. Throttling
// (ProvisionedThroughputExceededException, KMSThrottlingException) and
// InternalFailure are resent; access, validation, missing-stream, KMS setup
// and unknown codes are not (retrying cannot make them succeed).

class RetryPlanner {
 public:
  explicit RetryPlanner(RetryPolicy policy = {}) : policy_(policy) {}
  static Status ValidatePolicy(const RetryPolicy& policy);

  // Consumes `batch` given the response entries, one per batch entry in
  // request order. InvalidArgument when the counts differ; `batch` is then
  // left untouched (the caller still owns its records, e.g. to fail them with
  // PlanRequestFailure).
  Result<RetryPlan> Plan(Batch&& batch, const std::vector<EntryResult>& results) const;

  // The whole request failed (after the transport's own retries), e.g. a
  // connection error or a 5xx: every entry counts one attempt with this error,
  // resent when `retry` (client::ClassifyForRetry of the request's error) is
  // not kNotRetryable. The three-argument form classifies `error_code` with
  // client::ClassifyErrorCode.
  RetryPlan PlanRequestFailure(Batch&& batch, const std::string& error_code, const std::string& error_message,
                               client::RetryClass retry) const;
  RetryPlan PlanRequestFailure(Batch&& batch, const std::string& error_code, const std::string& error_message) const;

  // Full-jitter backoff before attempt `attempts + 1`, given `attempts` >= 1
  // already made: uniform in [0, min(max, base * 2^(attempts-1))], using
  // `random` (any 64-bit random number) as the source.
  int64_t BackoffMs(uint32_t attempts, uint64_t random) const;

  const RetryPolicy& policy() const { return policy_; }

 private:
  void Settle(BatchEntry entry, const std::string& code, const std::string& message, client::RetryClass retry,
              RetryPlan* plan) const;

  RetryPolicy policy_;
};

}  // namespace sluice::pipeline
