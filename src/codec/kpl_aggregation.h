// KPL aggregated records (Kinesis Producer Library "aggregation format",
// amazon-kinesis-producer aggregation-format.md): what Firehose de-aggregates
// natively for a Kinesis source, what `sluice produce --aggregate` writes and
// what the consumer de-aggregates.
//
//   0xF3 0x89 0x9A 0xC2 | protobuf AggregatedRecord | MD5(protobuf bytes) (16 B)
//
//   message AggregatedRecord {
//     repeated string partition_key_table     = 1;
//     repeated string explicit_hash_key_table = 2;
//     repeated Record records                 = 3;
//   }
//   message Record {
//     required uint64 partition_key_index     = 1;
//     optional uint64 explicit_hash_key_index = 2;
//     required bytes  data                    = 3;
//     repeated Tag    tags                    = 4;  // {key = 1, value = 2}; ignored
//   }
//
// Decoding is hand-written protobuf wire format (varints, length-delimited
// fields, unknown fields of any wire type skipped), bounded by the input.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::codec {

inline constexpr std::string_view kKplMagic{"\xF3\x89\x9A\xC2", 4};

struct UserRecord {
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
  std::string data;

  bool operator==(const UserRecord&) const = default;
};

// True when `record` starts with the KPL magic and is long enough to hold the
// MD5 trailer (it may still be corrupt).
bool LooksAggregated(std::string_view record);

// The user records of an aggregated record; std::nullopt when `record` is not
// aggregated (no magic, or shorter than magic + MD5), so the caller delivers
// it as is. A record with the magic whose MD5 does not match, whose protobuf
// is malformed or truncated, or whose indexes point outside the key tables is
// Corruption (Firehose then sends it to the error output).
// Note: KCL instead treats an MD5 mismatch as "not aggregated"; we follow the
// stricter rule because a Firehose object must not silently contain garbage.
Result<std::optional<std::vector<UserRecord>>> Deaggregate(std::string_view record);

// Encodes `records` (at least one) as one aggregated record, with partition
// and explicit hash keys deduplicated into the tables in first-use order.
std::string Aggregate(const std::vector<UserRecord>& records);

}  // namespace sluice::codec
