#include "model/sequence_number.h"

#include <cstdio>

namespace sluice::model {

namespace {
constexpr size_t kLength = 56;

std::optional<uint64_t> ParseDigits(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(c - '0')) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}
}  // namespace

std::string FormatSequenceNumber(const SequencePosition& pos) {
  char buf[kLength + 1];
  std::snprintf(buf, sizeof buf, "49%010lld%06u%038llu", static_cast<long long>(pos.stream_epoch_s % 10000000000LL),
                pos.shard_index % 1000000u, static_cast<unsigned long long>(pos.offset));
  return std::string(buf, kLength);
}

std::optional<SequencePosition> ParseSequenceNumber(std::string_view text) {
  if (text.size() != kLength || text.substr(0, 2) != "49") return std::nullopt;
  auto epoch = ParseDigits(text.substr(2, 10));
  auto shard = ParseDigits(text.substr(12, 6));
  auto offset = ParseDigits(text.substr(18, 38));
  if (!epoch || !shard || !offset) return std::nullopt;
  return SequencePosition{static_cast<int64_t>(*epoch), static_cast<uint32_t>(*shard), *offset};
}

}  // namespace sluice::model
