// Formatter: everything a delivery stream's configuration says about turning
// source records into S3 objects — record processing (KPL de-aggregation,
// JQ metadata extraction for dynamic partitioning, delimiters), object keys
// (prefix expressions, AWS's object name), and compression. Built from one
// configuration snapshot; used by one pipeline thread (not thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "firehose/delivery_stream.h"
#include "firehose/engine/source.h"

namespace sluice::firehose::engine {

using PartitionValues = std::map<std::string, std::string>;

struct ProcessedRecord {
  PartitionValues partition;  // empty unless dynamic partitioning
  std::string bytes;          // what goes into the object (delimiter included)
};

struct ProcessingFailure {
  std::string error_code;  // e.g. "DynamicPartitioning.MetadataExtractionFailed"
  std::string error_message;
};

class Formatter {
 public:
  static Result<std::unique_ptr<Formatter>> Create(const DeliveryStreamConfig& config);
  ~Formatter();

  // One source record -> the records to buffer (several for a KPL aggregate),
  // or why it goes to the error output instead.
  Status Process(const SourceRecord& record, std::vector<ProcessedRecord>* out,
                 std::optional<ProcessingFailure>* failure);

  // The object key for a buffer whose oldest record arrived at
  // `oldest_arrival_ms`, delivered at `now_ms`.
  Result<std::string> ObjectKey(const PartitionValues& partition, int64_t oldest_arrival_ms, int64_t now_ms) const;
  // The key for an error-output object (error_type e.g. "processing-failed").
  Result<std::string> ErrorObjectKey(const std::string& error_type, int64_t oldest_arrival_ms, int64_t now_ms) const;
  // The object body: `payload` compressed per CompressionFormat.
  Result<std::string> Encode(std::string payload, const std::string& object_key) const;
  // The Content-Encoding AWS sets on objects of this compression ("" if none).
  std::string ContentEncoding() const;

 private:
  explicit Formatter(const DeliveryStreamConfig& config);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::firehose::engine
