// Batcher: groups producer records into PutRecords requests. Pure (no I/O,
// no threads); time comes from the injected Clock, so tests drive linger by
// hand.
//
// A batch is emitted as soon as any bound is hit:
//   - entries:  max_entries (500, the PutRecords maximum);
//   - bytes:    adding the next record would take the request's data +
//               partition-key bytes over max_request_bytes (default 5 MiB,
//               at most 10 MiB, the PutRecords maximum), so the buffered batch
//               is emitted first and the record starts the next one;
//   - linger:   linger_ms have passed since the oldest buffered record was
//               added (like the KPL's RecordMaxBufferedTime; 0 = send at once).
// Batches mix partition keys; records keep their Add() order within and
// across batches.
//
// Driving loop (one sender thread):
//   for (;;) {
//     wait for a record until batcher.NextDeadlineMs() (or forever if none);
//     if got a record: batcher.Add(r, &ready) (+ report rejected records);
//     else if the input is closed: if (auto b = batcher.Flush()) ready.push_back(*b); break;
//     if (auto b = batcher.Poll()) ready.push_back(std::move(*b));
//     send everything in `ready`;
//   }
//
// Thread-safety: none; the owner serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sluice/clock.h"
#include "sluice/pipeline/record.h"
#include "sluice/status.h"

namespace sluice::pipeline {

struct BatcherOptions {
  size_t max_entries = kMaxPutRecordsEntries;        // 1..500
  size_t max_request_bytes = size_t{5} << 20;        // max_record_bytes..10 MiB
  size_t max_record_bytes = kDefaultMaxRecordBytes;  // 1..10 MiB (the stream's limit)
  int64_t linger_ms = 100;                           // >= 0
};

Status ValidateBatcherOptions(const BatcherOptions& options);

// A record on its way to Kinesis, with the number of PutRecords attempts
// already made for it (0 when it comes out of the Batcher).
struct BatchEntry {
  Record record;
  uint32_t attempts = 0;
};

struct Batch {
  enum class Reason { kEntries, kBytes, kLinger, kFlush, kRetry };
  std::vector<BatchEntry> entries;
  size_t request_bytes = 0;  // sum of RecordRequestBytes over entries
  int64_t oldest_ms = 0;     // when the first entry was added
  Reason reason = Reason::kFlush;
};

const char* BatchReasonName(Batch::Reason reason);

class Batcher {
 public:
  // `clock` must outlive the batcher. InvalidArgument when the options fail
  // ValidateBatcherOptions.
  static Result<Batcher> Create(BatcherOptions options, const Clock* clock);

  // Buffers `record` and appends to `ready` every batch this completes (0, 1
  // or 2: an expired or full buffer is emitted before the record is added,
  // and the buffer is emitted again if the record fills it).
  // InvalidArgument (record not buffered; caller reports it as failed) when
  // the partition key is invalid or data + key exceed max_record_bytes.
  Status Add(Record record, std::vector<Batch>* ready);

  // The buffered batch when its linger time has passed, else nullopt.
  std::optional<Batch> Poll();
  // The buffered batch regardless of time (shutdown, or an explicit flush);
  // nullopt when empty.
  std::optional<Batch> Flush();

  // Wall-clock ms at which Poll() will emit the buffer; nullopt when empty.
  std::optional<int64_t> NextDeadlineMs() const;

  size_t buffered_records() const { return current_.entries.size(); }
  size_t buffered_bytes() const { return current_.request_bytes; }
  const BatcherOptions& options() const { return options_; }

 private:
  Batcher(BatcherOptions options, const Clock* clock) : options_(options), clock_(clock) {}
  Batch Take(Batch::Reason reason);

  BatcherOptions options_;
  const Clock* clock_;
  Batch current_;
};

}  // namespace sluice::pipeline
