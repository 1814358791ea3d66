#include "sluice/pipeline/kpl_aggregator.h"

#include <algorithm>
#include <unordered_map>

#include "codec/kpl_aggregation.h"
#include "model/hash_key.h"

namespace sluice::pipeline {

namespace {

constexpr size_t kOverhead = 4 + 16;  // magic + MD5 trailer

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Bytes of a length-delimited protobuf field with a one-byte tag.
size_t FieldSize(size_t len) { return 1 + VarintSize(len) + len; }

model::HashKey HashOf(const Record& r) {
  if (!r.explicit_hash_key.empty())
    if (auto k = model::ParseHashKey(r.explicit_hash_key)) return *k;
  return model::HashKeyFromPartitionKey(r.partition_key);
}

}  // namespace

struct KplAggregator::Group {
  std::vector<Record> records;
  std::unordered_map<std::string, size_t> keys;  // partition keys in the table
  std::unordered_map<std::string, size_t> hash_keys;
  size_t bytes = kOverhead;  // exact encoded size so far
  int64_t first_ms = 0;

  // Encoded size after adding `r`.
  size_t SizeWith(const Record& r) const {
    size_t n = bytes;
    size_t key_index = keys.size();
    if (auto it = keys.find(r.partition_key); it != keys.end()) key_index = it->second;
    else n += FieldSize(r.partition_key.size());
    size_t inner = 1 + VarintSize(key_index) + FieldSize(r.data.size());
    if (!r.explicit_hash_key.empty()) {
      size_t ehk_index = hash_keys.size();
      if (auto it = hash_keys.find(r.explicit_hash_key); it != hash_keys.end()) ehk_index = it->second;
      else n += FieldSize(r.explicit_hash_key.size());
      inner += 1 + VarintSize(ehk_index);
    }
    return n + FieldSize(inner);
  }

  void Add(Record r, int64_t now) {
    bytes = SizeWith(r);
    if (records.empty()) first_ms = now;
    keys.emplace(r.partition_key, keys.size());
    if (!r.explicit_hash_key.empty()) hash_keys.emplace(r.explicit_hash_key, hash_keys.size());
    records.push_back(std::move(r));
  }
};

KplAggregator::KplAggregator(KplAggregatorOptions options, std::vector<ShardRange> shards, const Clock* clock)
    : options_(options), clock_(clock) {
  for (const auto& s : shards) {
    auto start = model::ParseHashKey(s.starting_hash_key);
    auto end = model::ParseHashKey(s.ending_hash_key);
    if (start && end) ranges_.emplace_back(*start, *end);
  }
  std::sort(ranges_.begin(), ranges_.end());
}

KplAggregator::~KplAggregator() = default;
KplAggregator::KplAggregator(KplAggregator&&) noexcept = default;

size_t KplAggregator::ShardIndexOf(const Record& record) const {
  model::HashKey h = HashOf(record);
  for (size_t i = 0; i < ranges_.size(); ++i)
    if (h >= ranges_[i].first && h <= ranges_[i].second) return i;
  return ranges_.size();  // not covered (stale map): a group of its own
}

void KplAggregator::Emit(Group& group, std::vector<Record>* ready) {
  if (group.records.empty()) return;
  Record out;
  const Record& first = group.records.front();
  out.id = first.id;
  out.partition_key = first.partition_key;
  out.explicit_hash_key = model::HashKeyToDecimal(HashOf(first));
  out.user_records = static_cast<uint32_t>(group.records.size());
  std::vector<codec::UserRecord> users;
  users.reserve(group.records.size());
  for (auto& r : group.records) {
    codec::UserRecord u;
    u.partition_key = std::move(r.partition_key);
    if (!r.explicit_hash_key.empty()) u.explicit_hash_key = std::move(r.explicit_hash_key);
    u.data = std::move(r.data);
    users.push_back(std::move(u));
  }
  out.data = codec::Aggregate(users);
  ready->push_back(std::move(out));
  group = Group{};
}

void KplAggregator::Add(Record record, std::vector<Record>* ready) {
  Group& group = groups_[ShardIndexOf(record)];
  // Too large to share a record with anything: send it as it is, after what
  // its shard has buffered (order per shard holds).
  if (Group{}.SizeWith(record) > options_.max_bytes) {
    Emit(group, ready);
    ready->push_back(std::move(record));
    return;
  }
  if (!group.records.empty() &&
      (group.SizeWith(record) > options_.max_bytes || group.records.size() >= options_.max_records))
    Emit(group, ready);
  group.Add(std::move(record), clock_->NowMillis());
}

void KplAggregator::Poll(std::vector<Record>* ready) {
  int64_t now = clock_->NowMillis();
  for (auto& [_, group] : groups_)
    if (!group.records.empty() && now - group.first_ms >= options_.linger_ms) Emit(group, ready);
}

void KplAggregator::Flush(std::vector<Record>* ready) {
  for (auto& [_, group] : groups_) Emit(group, ready);
}

std::optional<int64_t> KplAggregator::NextDeadlineMs() const {
  std::optional<int64_t> next;
  for (const auto& [_, group] : groups_)
    if (!group.records.empty()) {
      int64_t due = group.first_ms + options_.linger_ms;
      next = next ? std::min(*next, due) : due;
    }
  return next;
}

}  // namespace sluice::pipeline
