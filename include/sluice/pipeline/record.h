// Record: one entry of a PutRecords request as the producer pipeline carries it,
// and the Kinesis limits that apply to it. Plain value types, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::pipeline {

// Kinesis Data Streams limits (AWS documentation, 2025): a partition key is
// 1..256 Unicode characters; a record (data blob + partition key) is at most
// 1 MiB by default (a stream may raise it to 10 MiB with UpdateMaxRecordSize);
// a PutRecords request holds at most 500 entries and 10 MiB of data blobs +
// partition keys.
inline constexpr size_t kMaxPartitionKeyChars = 256;
inline constexpr size_t kDefaultMaxRecordBytes = size_t{1} << 20;
inline constexpr size_t kMaxRecordBytesLimit = size_t{10} << 20;
inline constexpr size_t kMaxPutRecordsEntries = 500;
inline constexpr size_t kMaxPutRecordsRequestBytes = size_t{10} << 20;

struct Record {
  // Producer-assigned, increasing; only for reports and tracing (not sent).
  uint64_t id = 0;
  std::string partition_key;
  // Raw bytes (the transport base64-encodes them on the wire).
  std::string data;
  // Empty = none (Kinesis routes by MD5 of the partition key).
  std::string explicit_hash_key;
  // User records this record carries: 1, or more for a KPL aggregated record
  // (pipeline/kpl_aggregator.h); what the producer's counts are made of.
  uint32_t user_records = 1;
};

// Bytes this record counts towards the record and request limits, as Kinesis
// counts them: data + partition key (the ExplicitHashKey does not count).
inline size_t RecordRequestBytes(const Record& r) { return r.data.size() + r.partition_key.size(); }

// Number of Unicode code points in UTF-8 `s` (continuation bytes are not counted).
size_t Utf8Length(std::string_view s);

// Ok when `key` is 1..256 Unicode characters; InvalidArgument otherwise.
Status ValidatePartitionKey(std::string_view key);

}  // namespace sluice::pipeline
