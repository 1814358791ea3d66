// Shard lineage: which shards a consumer may read now so that records of one
// partition key are processed in order across resharding. After a split or
// merge the parent shard(s) close and new records of the same keys go to the
// child; reading a child before its parents are read to the end would process
// newer records of a key before older ones.
//
// Rule (the KCL's): a shard is readable when it is not finished and each of
// its parents (ParentShardId, AdjacentParentShardId) is either finished or
// absent from `shards` (expired past the retention period, so nothing of it
// is left to read). A finished shard is never readable again.
//
// Pure function of its inputs; thread-safe.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace sluice::pipeline {

// As ListShards describes a shard.
struct ShardInfo {
  std::string shard_id;
  std::string parent_shard_id;           // empty = none
  std::string adjacent_parent_shard_id;  // empty = none (set for merges)
  bool closed = false;                   // SequenceNumberRange has an EndingSequenceNumber
};

struct LineagePlan {
  std::vector<std::string> readable;  // not finished, parents done: read these now
  std::vector<std::string> blocked;   // waiting for a parent to be finished
  std::vector<std::string> finished;  // read to the end already
};

// Lists keep the order of `shards`. `finished` holds the ids of shards read to
// their end (ShardCheckpoint::shard_finished); ids in it that are not in
// `shards` only count as finished parents.
LineagePlan PlanReadableShards(const std::vector<ShardInfo>& shards, const std::set<std::string>& finished);

}  // namespace sluice::pipeline
