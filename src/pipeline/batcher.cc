#include "sluice/pipeline/batcher.h"

#include <utility>

namespace sluice::pipeline {

Status ValidateBatcherOptions(const BatcherOptions& o) {
  if (o.max_entries < 1 || o.max_entries > kMaxPutRecordsEntries)
    return Status::InvalidArgument("max_entries must be in 1.." + std::to_string(kMaxPutRecordsEntries));
  if (o.max_record_bytes < 1 || o.max_record_bytes > kMaxRecordBytesLimit)
    return Status::InvalidArgument("max_record_bytes must be in 1.." + std::to_string(kMaxRecordBytesLimit));
  if (o.max_request_bytes < o.max_record_bytes || o.max_request_bytes > kMaxPutRecordsRequestBytes)
    return Status::InvalidArgument("max_request_bytes must be in max_record_bytes.." +
                                   std::to_string(kMaxPutRecordsRequestBytes));
  if (o.linger_ms < 0) return Status::InvalidArgument("linger_ms must be >= 0");
  return Status::Ok();
}

const char* BatchReasonName(Batch::Reason reason) {
  switch (reason) {
    case Batch::Reason::kEntries: return "entries";
    case Batch::Reason::kBytes: return "bytes";
    case Batch::Reason::kLinger: return "linger";
    case Batch::Reason::kFlush: return "flush";
    case Batch::Reason::kRetry: return "retry";
  }
  return "unknown";
}

Result<Batcher> Batcher::Create(BatcherOptions options, const Clock* clock) {
  SLUICE_RETURN_IF_ERROR(ValidateBatcherOptions(options));
  if (clock == nullptr) return Status::InvalidArgument("clock is null");
  return Batcher(options, clock);
}

Batch Batcher::Take(Batch::Reason reason) {
  Batch out = std::move(current_);
  out.reason = reason;
  current_ = Batch();
  return out;
}

Status Batcher::Add(Record record, std::vector<Batch>* ready) {
  SLUICE_RETURN_IF_ERROR(ValidatePartitionKey(record.partition_key));
  const size_t bytes = RecordRequestBytes(record);
  if (bytes > options_.max_record_bytes)
    return Status::InvalidArgument("record " + std::to_string(record.id) + " is " + std::to_string(bytes) +
                                   " bytes (data + partition key), more than the limit of " +
                                   std::to_string(options_.max_record_bytes));
  const int64_t now = clock_->NowMillis();
  if (!current_.entries.empty()) {
    if (now - current_.oldest_ms >= options_.linger_ms) {
      ready->push_back(Take(Batch::Reason::kLinger));
    } else if (current_.request_bytes + bytes > options_.max_request_bytes) {
      ready->push_back(Take(Batch::Reason::kBytes));
    }
  }
  if (current_.entries.empty()) current_.oldest_ms = now;
  current_.request_bytes += bytes;
  current_.entries.push_back(BatchEntry{std::move(record), 0});
  if (current_.entries.size() >= options_.max_entries) {
    ready->push_back(Take(Batch::Reason::kEntries));
  } else if (current_.request_bytes == options_.max_request_bytes) {
    ready->push_back(Take(Batch::Reason::kBytes));  // exactly full: nothing more fits
  } else if (options_.linger_ms == 0) {
    ready->push_back(Take(Batch::Reason::kLinger));
  }
  return Status::Ok();
}

std::optional<Batch> Batcher::Poll() {
  if (current_.entries.empty() || clock_->NowMillis() - current_.oldest_ms < options_.linger_ms) return std::nullopt;
  return Take(Batch::Reason::kLinger);
}

std::optional<Batch> Batcher::Flush() {
  if (current_.entries.empty()) return std::nullopt;
  return Take(Batch::Reason::kFlush);
}

std::optional<int64_t> Batcher::NextDeadlineMs() const {
  if (current_.entries.empty()) return std::nullopt;
  return current_.oldest_ms + options_.linger_ms;
}

}  // namespace sluice::pipeline
