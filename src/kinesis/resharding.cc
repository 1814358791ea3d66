#include "kinesis/resharding.h"

#include <algorithm>
#include <set>

namespace sluice::kinesis {

namespace {

uint32_t AddChild(StreamMeta& meta, model::HashKeyRange range, uint32_t parent, std::optional<uint32_t> adjacent,
                  int64_t now) {
  ShardMeta child;
  child.index = static_cast<uint32_t>(meta.shards.size());
  child.range = range;
  child.parent = parent;
  child.adjacent_parent = adjacent;
  child.created_ms = now;
  meta.shards.push_back(child);
  return child.index;
}

void Close(ShardMeta& s, int64_t now, uint64_t ending_offset) {
  s.closed_ms = now;
  s.ending_offset = ending_offset;
}

// Split without AWS's argument checks (uniform scaling cuts where it must).
void DoSplit(StreamMeta& meta, uint32_t index, model::HashKey key, int64_t now, uint64_t ending_offset) {
  model::HashKeyRange range = meta.shards[index].range;
  Close(meta.shards[index], now, ending_offset);
  AddChild(meta, {range.start, key - 1}, index, std::nullopt, now);
  AddChild(meta, {key, range.end}, index, std::nullopt, now);
}

uint32_t DoMerge(StreamMeta& meta, uint32_t a, uint32_t b, int64_t now, uint64_t end_a, uint64_t end_b) {
  model::HashKeyRange ra = meta.shards[a].range, rb = meta.shards[b].range;
  Close(meta.shards[a], now, end_a);
  Close(meta.shards[b], now, end_b);
  return AddChild(meta, {std::min(ra.start, rb.start), std::max(ra.end, rb.end)}, a, b, now);
}

}  // namespace

std::vector<const ShardMeta*> OpenShardsByRange(const StreamMeta& meta) {
  std::vector<const ShardMeta*> open;
  for (const auto& s : meta.shards)
    if (s.open()) open.push_back(&s);
  std::sort(open.begin(), open.end(),
            [](const ShardMeta* x, const ShardMeta* y) { return x->range.start < y->range.start; });
  return open;
}

ReshardRefusal SplitShard(StreamMeta& meta, uint32_t index, model::HashKey key, int64_t now,
                          const EndingOffsetFn& ending_offset) {
  const ShardMeta& s = meta.shards.at(index);
  if (!s.open()) return ReshardRefusal::kShardClosed;
  if (key <= s.range.start + 1 || key >= s.range.end) return ReshardRefusal::kHashKeyOutOfRange;
  DoSplit(meta, index, key, now, ending_offset(index));
  return ReshardRefusal::kNone;
}

ReshardRefusal MergeShards(StreamMeta& meta, uint32_t a, uint32_t b, int64_t now, const EndingOffsetFn& ending_offset) {
  const ShardMeta& sa = meta.shards.at(a);
  const ShardMeta& sb = meta.shards.at(b);
  if (!sa.open() || !sb.open()) return ReshardRefusal::kShardClosed;
  bool adjacent = (sa.range.end != model::kMaxHashKey && sa.range.end + 1 == sb.range.start) ||
                  (sb.range.end != model::kMaxHashKey && sb.range.end + 1 == sa.range.start);
  if (a == b || !adjacent) return ReshardRefusal::kNotAdjacent;
  DoMerge(meta, a, b, now, ending_offset(a), ending_offset(b));
  return ReshardRefusal::kNone;
}

void ScaleUniformly(StreamMeta& meta, int target, int64_t now, const EndingOffsetFn& ending_offset) {
  const auto targets = model::EvenHashKeyRanges(target);
  std::set<uint32_t> made_here;  // shards created by this call: closing them leaves them empty
  auto end_of = [&](uint32_t index) -> uint64_t { return made_here.count(index) ? 0 : ending_offset(index); };
  auto note_new = [&](size_t before) {
    for (size_t i = before; i < meta.shards.size(); ++i) made_here.insert(static_cast<uint32_t>(i));
  };

  // 1. Cut every open shard at each target boundary strictly inside it.
  for (size_t j = 1; j < targets.size(); ++j) {
    model::HashKey cut = targets[j].start;
    for (const ShardMeta* s : OpenShardsByRange(meta)) {
      if (s->range.start < cut && cut <= s->range.end) {
        size_t before = meta.shards.size();
        DoSplit(meta, s->index, cut, now, end_of(s->index));
        note_new(before);
        break;
      }
    }
  }
  // 2. Now every open shard lies within one target range: merge each range's
  //    pieces from left to right.
  for (const auto& t : targets) {
    while (true) {
      std::vector<uint32_t> pieces;
      for (const ShardMeta* s : OpenShardsByRange(meta))
        if (s->range.start >= t.start && s->range.end <= t.end) pieces.push_back(s->index);
      if (pieces.size() < 2) break;
      size_t before = meta.shards.size();
      DoMerge(meta, pieces[0], pieces[1], now, end_of(pieces[0]), end_of(pieces[1]));
      note_new(before);
    }
  }
}

}  // namespace sluice::kinesis
