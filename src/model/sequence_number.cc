#include "model/sequence_number.h"

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

namespace {
// Writes `v` right-aligned into [p, p + width), zero-padded (digits beyond
// the width are dropped, as the layout allows).
void PutDigits(char* p, size_t width, uint64_t v) {
  for (size_t i = width; i-- > 0;) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}
}  // namespace

std::string FormatSequenceNumber(const SequencePosition& pos) {
  std::string s(kLength, '0');
  s[0] = '4';
  s[1] = '9';
  PutDigits(&s[2], 10, static_cast<uint64_t>(pos.stream_epoch_s));
  PutDigits(&s[12], 6, pos.shard_index);
  PutDigits(&s[18 + 18], 20, pos.offset);  // 38-digit field; a u64 needs at most 20
  return s;
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
