// Kinesis hash keys: 128-bit unsigned integers, written as decimal strings on
// the wire. A partition key maps to MD5(partition key) read as a big-endian
// 128-bit integer; a record goes to the open shard whose HashKeyRange holds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::model {

using HashKey = unsigned __int128;

inline constexpr HashKey kMaxHashKey = ~HashKey{0};  // 2^128 - 1

HashKey HashKeyFromPartitionKey(std::string_view partition_key);

std::string HashKeyToDecimal(HashKey key);
// Parses a decimal string in [0, 2^128 - 1]; nullopt otherwise.
std::optional<HashKey> ParseHashKey(std::string_view decimal);

struct HashKeyRange {
  HashKey start = 0;
  HashKey end = kMaxHashKey;  // inclusive
  bool Contains(HashKey k) const { return k >= start && k <= end; }
};

// The ranges AWS gives `count` new shards: the key space cut into equal parts,
// the last one ending at 2^128 - 1.
std::vector<HashKeyRange> EvenHashKeyRanges(int count);

}  // namespace sluice::model
