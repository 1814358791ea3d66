// Consumer: reads every shard of a stream in near real time, drops duplicate
// events by an id field, hands each unique event to a callback, and
// checkpoints durably, so that a restart (even after kill -9) resumes after
// the last processed record and never processes an event twice.
//
// How "exactly once" holds: after each GetRecords batch the consumer (1)
// processes the batch's unique events, (2) asks the sink to make its output
// durable and return its position, then (3) commits, in ONE SQLite
// transaction, the shard checkpoint, the batch's new dedup ids and the sink
// position (pipeline/checkpoint_store.h). On start it loads the checkpoints
// and the dedup window and asks the sink to cut its output back to the
// committed position; records after the checkpoint are then read again and
// produce the same output once.
//
// Shards are discovered with ListShards and re-discovered periodically; a
// child shard is read only after its parents are read to their end
// (pipeline/shard_lineage.h), which keeps per-partition-key order across
// resharding. Polling respects AWS's 5 GetRecords/s per shard by default.
// With efo_consumer_name, shards are read by enhanced fan-out
// (SubscribeToShard, one subscription thread per shard feeding the commit
// thread) instead of polling.
// KPL aggregated records (codec/kpl_aggregation.h) are de-aggregated: each
// user record is an event of its own, deduplicated and processed alone.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sluice/clock.h"
#include "sluice/kinesis_client.h"
#include "sluice/pipeline/checkpoint_store.h"
#include "sluice/pipeline/dedup_window.h"
#include "sluice/pipeline/stats.h"

namespace sluice::workers {

struct ProcessedEvent {
  std::string shard_id;
  std::string sequence_number;
  // Index of this user record in a KPL aggregated record; absent for a plain
  // record.
  std::optional<uint64_t> sub_sequence_number;
  std::string partition_key;
  std::string data;
  std::string event_id;                   // the dedup field, "" when absent
  int64_t arrival_ms = 0;                 // ApproximateArrivalTimestamp
  std::optional<int64_t> produced_at_ms;  // from the event, for latency
};

// Where processed events go. The consumer calls Write for each unique event
// of a batch, then Commit to make them durable before checkpointing.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Identifies the output ("file:/abs/path", "stdout", ...): a checkpointed
  // position is only ever applied to the output it came from.
  virtual std::string Name() const = 0;
  virtual Status Write(const ProcessedEvent& event) = 0;
  // Makes every Write so far durable; returns a position to checkpoint.
  virtual Result<std::string> Commit() = 0;
  // Cuts output written after `position` (from an earlier Commit) on start.
  virtual Status Rewind(const std::string& position) = 0;
};

// A callback sink (for embedding): Commit and Rewind do nothing, so delivery
// to the callback is at-least-once across crashes, exactly-once otherwise.
std::unique_ptr<EventSink> CallbackSink(std::function<void(const ProcessedEvent&)> fn);
// NDJSON to a file: the event's data when it is one line of JSON, else an
// envelope with the data in base64. Exactly once across crashes for a regular
// file (written, fdatasynced, and cut back to the checkpoint on restart).
// "-" (stdout) and paths that are not regular files (a pipe, a terminal,
// /dev/null) are written and flushed but neither synced nor cut back: output
// written after the last checkpoint is written again after a crash
// (at-least-once across crashes), since a pipe cannot be cut back.
Result<std::unique_ptr<EventSink>> NdjsonFileSink(const std::string& path);

enum class StartPosition { kTrimHorizon, kLatest, kAtTimestamp };

// What on_outage is told: a call failed with an error that waiting may fix,
// and the consumer waits `retry_in_ms` before trying again; or (recovered)
// the server answered again after `outage_ms`.
struct OutageNotice {
  bool recovered = false;
  std::string error;      // the last error, e.g. "network: cannot connect to ..."
  int64_t outage_ms = 0;  // since the outage's first failure
  int64_t retry_in_ms = 0;
  uint32_t attempt = 0;  // failures in this outage so far
};

struct ConsumerOptions {
  client::kinesis::StreamId stream;
  std::string checkpoint_db;                          // SQLite file; created if absent
  StartPosition start = StartPosition::kTrimHorizon;  // for shards without a checkpoint
  int64_t start_timestamp_ms = 0;                     // with kAtTimestamp
  std::string dedup_field = "event_id";               // dotted JSON path; "" disables dedup
  pipeline::DedupWindowOptions dedup_window;
  int64_t poll_interval_ms = 200;  // per shard, when it returned nothing
  int get_limit = 10000;
  int64_t shard_discovery_ms = 5000;
  int64_t process_delay_ms = 0;  // simulated work per event
  int64_t idle_exit_ms = -1;     // stop after this long with nothing new (-1: never)
  int64_t max_events = -1;       // stop after this many unique events (-1: no limit)
  // Non-empty: enhanced fan-out. The consumer registers (or reuses) this
  // stream consumer and reads every shard with SubscribeToShard, records
  // pushed as they arrive, instead of polling GetRecords. Processing,
  // dedup and checkpoints are the same.
  std::string efo_consumer_name;
  // Outages. A call failing with an error that retrying may fix
  // (client::ClassifyForRetry: connection errors, timeouts, HTTP 5xx,
  // throttling) is retried forever, until `stop`, with capped, jittered
  // backoff (uniform in [cap/2, cap], cap = min(outage_max_backoff_ms,
  // outage_base_backoff_ms * 2^(failures-1))); after it, every shard iterator
  // is fetched again from the last record processed. Exceptions that fail
  // Run at once: errors retrying cannot fix (unknown access key, bad
  // signature, missing stream, a host that does not resolve), and a
  // connection error before the server ever answered (nothing listens there).
  int64_t outage_base_backoff_ms = 200;
  int64_t outage_max_backoff_ms = 5000;
  // Called on the consumer's thread at each failure of an outage and once
  // when it ends; empty = not called.
  std::function<void(const OutageNotice&)> on_outage;
};

class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> Open(client::KinesisClient& client, ConsumerOptions options,
                                                std::unique_ptr<EventSink> sink, const Clock* clock = &Clock::Real());
  ~Consumer();

  // Reads until `stop` becomes true, idle_exit_ms passes with nothing new,
  // max_events is reached, or an error that retrying cannot fix.
  Status Run(const std::atomic<bool>& stop);

  const pipeline::ConsumerStats& stats() const { return stats_; }
  // The error of the call that made Run fail, when a call did (for hints).
  const std::optional<client::ApiError>& last_api_error() const { return last_api_error_; }

 private:
  struct ShardState;
  Consumer(client::KinesisClient& client, ConsumerOptions options, std::unique_ptr<EventSink> sink,
           std::unique_ptr<pipeline::CheckpointStore> store, pipeline::DedupWindow window, const Clock* clock);
  Status Discover();
  Result<bool> Poll(ShardState& shard);  // true when it returned records
  Status ProcessBatch(ShardState& shard, std::vector<client::kinesis::Record>& records, bool finished, int64_t now,
                      size_t* unique);
  Status RunEfo(const std::atomic<bool>& stop);
  // Where a shard's reading starts: its checkpoint, else the configured start.
  client::kinesis::GetShardIteratorRequest StartingPoint(ShardState& shard, Status* error);
  Status StartIterator(ShardState& shard);
  std::string StreamKey() const;
  // A failed call: Unavailable when waiting may fix it (see ConsumerOptions),
  // FailedPrecondition when it cannot; remembers the error.
  Status CallFailed(const std::string& what, const client::ApiError& error);
  // A call succeeded: ends an outage (notifies on_outage).
  void Answered();
  // After a failed step: waits out an outage and returns true (try again),
  // or returns false when `st` is final.
  bool WaitOut(const Status& st, const std::atomic<bool>& stop);

  client::KinesisClient& client_;
  ConsumerOptions options_;
  std::unique_ptr<EventSink> sink_;
  std::unique_ptr<pipeline::CheckpointStore> store_;
  pipeline::DedupWindow window_;
  const Clock* clock_;
  pipeline::ConsumerStats stats_;
  std::vector<std::unique_ptr<ShardState>> shards_;
  int64_t unique_events_ = 0;
  bool answered_ = false;        // some call has succeeded
  int64_t outage_since_ms_ = 0;  // 0: no outage
  uint32_t outage_failures_ = 0;
  std::string outage_error_;
  uint64_t jitter_state_ = 0x9E3779B97F4A7C15ull;
  std::optional<client::ApiError> last_api_error_;
};

}  // namespace sluice::workers
