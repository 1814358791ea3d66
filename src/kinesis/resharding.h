// Resharding as pure edits of a StreamMeta: SplitShard, MergeShards and the
// uniform scaling of UpdateShardCount. They only rewrite metadata (closing
// parents, appending children with the next shard indexes); the caller holds
// the stream's lock, opens the new shards' logs and persists the result.
//
// A parent is closed at `ending_offset` (exclusive): the offset its log will
// give its next record, so every record it accepted stays readable and none
// arrives after. Children are open from `now` and carry their lineage
// (parent, and adjacent_parent for merges).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kinesis/stream.h"
#include "model/hash_key.h"

namespace sluice::kinesis {

// Offset at which shard `index` closes now (its log's next offset).
using EndingOffsetFn = std::function<uint64_t(uint32_t index)>;

// Why a split or merge is refused; the handler words the AWS error.
enum class ReshardRefusal {
  kNone,
  kShardClosed,        // the shard was already split or merged
  kHashKeyOutOfRange,  // NewStartingHashKey not inside the shard's range
  kNotAdjacent,        // the two shards' ranges do not touch
};

// Closes open shard `index` and adds [start, key-1] and [key, end] as its
// children. Valid keys: start + 1 < key < end (AWS's rule).
ReshardRefusal SplitShard(StreamMeta& meta, uint32_t index, model::HashKey new_starting_key, int64_t now,
                          const EndingOffsetFn& ending_offset);

// Closes open shards `a` and `b` (adjacent hash ranges, either order) and
// adds the child covering both; ParentShardId is `a`, AdjacentParentShardId `b`.
ReshardRefusal MergeShards(StreamMeta& meta, uint32_t a, uint32_t b, int64_t now, const EndingOffsetFn& ending_offset);

// UNIFORM_SCALING to `target` open shards with the ranges of
// model::EvenHashKeyRanges(target). Done as AWS does it, by splits then merges,
// so every child has at most two parents: each open shard is split at every
// target boundary inside it, then the pieces of each target range are merged
// left to right. Shards made and closed within this call are empty (ending
// offset 0). Open shards whose range already is a target range stay as they
// are. The open shards must cover the whole key space.
void ScaleUniformly(StreamMeta& meta, int target, int64_t now, const EndingOffsetFn& ending_offset);

// Open shards sorted by the start of their hash range.
std::vector<const ShardMeta*> OpenShardsByRange(const StreamMeta& meta);

// A closed shard whose close lies before the retention cutoff holds no
// readable record any more: AWS stops listing it.
inline bool ShardExpired(const ShardMeta& s, int64_t retention_cutoff_ms) {
  return s.closed_ms.has_value() && *s.closed_ms < retention_cutoff_ms;
}

}  // namespace sluice::kinesis
