#include "sluice/pipeline/shard_lineage.h"

#include <unordered_set>

namespace sluice::pipeline {

LineagePlan PlanReadableShards(const std::vector<ShardInfo>& shards, const std::set<std::string>& finished) {
  std::unordered_set<std::string> listed;
  for (const auto& s : shards) listed.insert(s.shard_id);
  auto parent_done = [&](const std::string& parent) {
    return parent.empty() || finished.count(parent) != 0 || listed.count(parent) == 0;
  };
  LineagePlan plan;
  for (const auto& s : shards) {
    if (finished.count(s.shard_id) != 0) {
      plan.finished.push_back(s.shard_id);
    } else if (parent_done(s.parent_shard_id) && parent_done(s.adjacent_parent_shard_id)) {
      plan.readable.push_back(s.shard_id);
    } else {
      plan.blocked.push_back(s.shard_id);
    }
  }
  return plan;
}

}  // namespace sluice::pipeline
