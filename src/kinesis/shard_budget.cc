#include "kinesis/shard_budget.h"

#include <algorithm>

namespace sluice::kinesis {

Result<ShardBudget::Reservation> ShardBudget::Reserve(int64_t shards) {
  shards = std::max<int64_t>(shards, 0);
  MutexLock lock(mu_);
  if (max_ > 0 && used_ + shards > max_) {
    return Status::ResourceExhausted(
        "This request would exceed the server's total shard limit across all regions (--max-total-shards). "
        "Current shard count for the server: " +
        std::to_string(used_) + ". Limit: " + std::to_string(max_) +
        ". Number of additional shards that would have resulted from this request: " + std::to_string(shards) +
        ". Delete streams or start the server with a higher --max-total-shards.");
  }
  used_ += shards;
  return Reservation(this, shards);
}

void ShardBudget::Release(int64_t shards) {
  MutexLock lock(mu_);
  used_ = std::max<int64_t>(0, used_ - std::max<int64_t>(shards, 0));
}

void ShardBudget::Set(int64_t used) {
  MutexLock lock(mu_);
  used_ = used;
}

int64_t ShardBudget::used() const {
  MutexLock lock(mu_);
  return used_;
}

}  // namespace sluice::kinesis
