// Producer: sends records to a Kinesis stream in PutRecords batches.
//
// Records are queued (bounded: Add blocks when the queue is full, which is
// the back-pressure), batched across partition keys by size, count and
// linger time (pipeline/batcher.h), sent by a few sender threads, and only the
// failed entries of a partial failure are resent with backoff
// (pipeline/retry_planner.h). A record that still fails after the retry policy
// is reported in failures(), never dropped silently. Whether an error is
// retried at all is the client library's one classification (sluice/retry.h):
// an unknown access key, a bad signature or a missing stream fails the
// records at once.
//
// Outages: while the server is unavailable (client::IsServerUnavailable:
// connection errors, timeouts, HTTP 5xx) a batch is resent with capped,
// jittered backoff without counting attempts, for unavailable_timeout_ms from
// the first failure of the outage (or forever), then its records fail with
// the last error. unavailable_since_ms() lets a caller show the outage live.
//
// With `aggregate`, records are first packed into KPL aggregated records per
// shard (pipeline/kpl_aggregator.h, shard map from ListShards at start);
// counts (stats, in_flight) stay in user records, and a failed aggregated
// record reports each of its user records in failures().
//
// Thread-safety: Add() may be called from several threads; Close() once.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "sluice/clock.h"
#include "sluice/kinesis_client.h"
#include "sluice/mutex.h"
#include "sluice/pipeline/batcher.h"
#include "sluice/pipeline/bounded_queue.h"
#include "sluice/pipeline/kpl_aggregator.h"
#include "sluice/pipeline/retry_planner.h"
#include "sluice/pipeline/stats.h"

namespace sluice::workers {

struct ProducerOptions {
  client::kinesis::StreamId stream;
  pipeline::BatcherOptions batching;
  pipeline::RetryPolicy retry;
  size_t queue_records = 20'000;  // back-pressure bounds
  size_t queue_bytes = 64u << 20;
  int senders = 4;                             // PutRecords calls in flight
  bool aggregate = false;                      // KPL aggregation (see above)
  pipeline::KplAggregatorOptions aggregation;  // its linger is batching.linger_ms
  // How long to keep resending through an outage (see above), counted from
  // the outage's first failure; -1 = forever. Default 60 s.
  int64_t unavailable_timeout_ms = 60'000;
  // When set and true, outages are no longer waited out: records waiting
  // for the server fail with the last error (e.g. on Ctrl-C). Not owned.
  const std::atomic<bool>* give_up = nullptr;
};

class Producer {
 public:
  // `client` must outlive the producer.
  static Result<std::unique_ptr<Producer>> Start(client::KinesisClient& client, ProducerOptions options,
                                                 const Clock* clock = &Clock::Real());
  ~Producer();  // Close()

  // Queues a record, blocking while the queue is full. InvalidArgument when
  // the record can never be sent (bad partition key, too large); the record
  // then counts as rejected. FailedPrecondition after Close().
  Status Add(pipeline::Record record);

  // Sends everything queued, waits for every record to be acknowledged or
  // given up on, and stops the threads. Idempotent.
  void Close();

  const pipeline::ProducerStats& stats() const { return stats_; }
  // Records given up on, with their last error (complete after Close()).
  std::vector<pipeline::FailedRecord> failures() const;
  // Records accepted by Add() and not yet acknowledged or failed.
  uint64_t in_flight() const { return in_flight_.load(); }
  // Counts `n` records the caller refused before Add() (e.g. bad input
  // lines), so that stats().rejected counts every record not sent.
  void CountRejected(uint64_t n = 1) { stats_.RecordRejected(n); }
  // Clock millis of the current outage's first failure; 0 when the server
  // answered the last request. With last_unavailable_error(), its error.
  int64_t unavailable_since_ms() const { return unavailable_since_.load(); }
  std::string last_unavailable_error() const;

 private:
  Producer(client::KinesisClient& client, ProducerOptions options, const Clock* clock, pipeline::Batcher batcher,
           std::optional<pipeline::KplAggregator> aggregator);
  void ToBatcher(pipeline::Record record, std::vector<pipeline::Batch>* ready);
  void BatchLoop();
  void SendLoop();
  void Send(pipeline::Batch batch);
  void ReportFailure(pipeline::FailedRecord failed) SLUICE_REQUIRES(failures_mu_);

  client::KinesisClient& client_;
  const ProducerOptions options_;
  const Clock* clock_;
  pipeline::Batcher batcher_;                          // owned by the batch thread
  std::optional<pipeline::KplAggregator> aggregator_;  // likewise; set with options.aggregate
  pipeline::RetryPlanner planner_;
  pipeline::BoundedQueue<pipeline::Record> records_;
  pipeline::BoundedQueue<pipeline::Batch> batches_;
  pipeline::ProducerStats stats_;
  std::atomic<uint64_t> in_flight_{0};
  std::atomic<uint64_t> next_id_{1};

  mutable Mutex failures_mu_;
  std::vector<pipeline::FailedRecord> failures_ SLUICE_GUARDED_BY(failures_mu_);
  std::atomic<int64_t> unavailable_since_{0};
  std::string last_unavailable_error_ SLUICE_GUARDED_BY(failures_mu_);

  std::once_flag closed_;
  std::thread batch_thread_;
  std::vector<std::thread> senders_;
};

}  // namespace sluice::workers
