// Opaque tokens handed to clients: shard iterators and paging NextTokens.
// docs/format/tokens.md is the byte layout. Each token is base64 of a small
// binary payload followed by a truncated HMAC-SHA256 under the server's key,
// so a modified token is rejected instead of read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::kinesis {

// Iterators expire five minutes after they were issued, as on AWS.
inline constexpr int64_t kIteratorLifetimeMs = 5 * 60 * 1000;
// ListShards NextTokens expire after 300 seconds.
inline constexpr int64_t kNextTokenLifetimeMs = 300 * 1000;

struct IteratorPosition {
  std::string region;
  std::string stream_name;
  int64_t stream_created_ms = 0;  // tells a re-created stream of the same name apart
  uint32_t shard_index = 0;
  uint64_t offset = 0;
  int64_t issued_ms = 0;
};

std::string EncodeShardIterator(const IteratorPosition& pos, const std::string& key);
// InvalidArgument when `token` was not sealed with `key` or is not an iterator.
Result<IteratorPosition> DecodeShardIterator(std::string_view token, const std::string& key);

// Paging token: which listing, where it stopped, when it was issued.
struct PageToken {
  uint8_t kind = 0;         // one value per listing operation
  std::string stream_name;  // the stream being listed (ListShards), else ""
  int64_t stream_created_ms = 0;
  std::string after;  // the last item returned (shard id, stream name, ...)
  int64_t issued_ms = 0;
};

enum PageKind : uint8_t { kListShardsPage = 1, kListStreamsPage = 2, kListConsumersPage = 3 };

std::string EncodePageToken(const PageToken& token, const std::string& key);
// InvalidArgument when `text` was not sealed with `key` or is not a page token.
Result<PageToken> DecodePageToken(std::string_view text, const std::string& key);

}  // namespace sluice::kinesis
