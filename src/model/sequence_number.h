// AWS-style sequence numbers. docs/format/sequence-number.md is the contract.
//
// A sequence number is 56 decimal digits:
//   "49" | stream epoch (10 digits, the stream's creation time in seconds)
//        | shard index (6 digits) | record offset in the shard (38 digits)
// so numbers are strictly increasing within a shard, unique within a stream
// (and across re-creations of a stream with the same name), and can be mapped
// back to (shard, offset) without a lookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::model {

struct SequencePosition {
  int64_t stream_epoch_s = 0;
  uint32_t shard_index = 0;
  uint64_t offset = 0;
};

std::string FormatSequenceNumber(const SequencePosition& pos);

// nullopt when `text` is not a sequence number of this format.
std::optional<SequencePosition> ParseSequenceNumber(std::string_view text);

}  // namespace sluice::model
