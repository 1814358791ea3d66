// GetRecords: reads from an iterator's position, hides records past
// retention, and hands back the next iterator (none once a closed shard has
// been read to its end, with ChildShards instead).
#include <algorithm>

#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "kinesis/tokens.h"

namespace sluice::kinesis::api {

namespace {
// AWS caps one GetRecords answer at 10 MiB of data.
constexpr size_t kMaxResponseBytes = 10u << 20;

std::string FormatIso(int64_t ms) {
  time_t secs = ms / 1000;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

}  // namespace

void GetRecords(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string token = *GetString(in, "ShardIterator");
  auto pos = DecodeShardIterator(token, ctx.catalog.token_key());
  if (!pos.ok()) return reply(ApiError::InvalidArgument("Invalid ShardIterator."));
  int64_t now = ctx.catalog.NowMillis();
  if (now - pos->issued_ms > kIteratorLifetimeMs)
    return reply(ApiError::ExpiredIterator("Iterator expired. The iterator was created at time " +
                                           FormatIso(pos->issued_ms) + " while right now it is " + FormatIso(now) +
                                           " which is further in the future than the tolerated delay of " +
                                           std::to_string(kIteratorLifetimeMs) + " milliseconds."));
  if (auto arn = GetString(in, "StreamARN")) {
    auto ref = ResolveStream(ctx, in);
    if (ref.error) return reply(*ref.error);
    bool same_stream;
    {
      ReaderLock lk(ref.stream->mu);
      same_stream = ref.stream->meta().name == pos->stream_name;
    }
    if (!same_stream)
      return reply(ApiError::InvalidArgument("The StreamARN does not match the stream of the ShardIterator."));
  }
  auto stream = ctx.catalog.Find(pos->region, pos->stream_name);
  if (!stream) return reply(StreamNotFound(ctx, pos->stream_name));
  int64_t limit = GetInt(in, "Limit").value_or(10000);

  ReaderLock lk(stream->mu);
  const StreamMeta& m = stream->meta();
  if (m.created_ms != pos->stream_created_ms || !AcceptsData(m.status) || pos->shard_index >= m.shards.size())
    return reply(ShardNotFound(ctx, pos->stream_name, ShardIdFromIndex(pos->shard_index)));
  const ShardMeta& shard = m.shards[pos->shard_index];
  storage::ShardLog* log = stream->log(pos->shard_index);
  ThroughputLimiter& limiter = ctx.catalog.limiter();
  if (!limiter.AdmitRead(LimiterKey(m), pos->shard_index, now))
    return reply(ThroughputExceeded(ctx, m, pos->shard_index));
  uint64_t end = shard.ending_offset.value_or(UINT64_MAX);
  int64_t cutoff = ctx.catalog.RetentionCutoff(m, now);

  uint64_t from = std::min(pos->offset, end);
  auto read_from = [&](uint64_t at) {
    return at < end ? log->Read(at, static_cast<size_t>(limit), kMaxResponseBytes)
                    : Result<storage::ReadResult>(storage::ReadResult{{}, at});
  };
  auto read = read_from(from);
  if (read.ok() && !read->records.empty() && read->records.front().arrival_ms < cutoff) {
    // The position lies in data past retention that is not deleted yet: jump
    // to the first retained record instead of handing out expired ones.
    auto first_kept = log->FindByTime(cutoff);
    if (first_kept.ok() && *first_kept > from) read = read_from(std::min(*first_kept, end));
  }
  if (!read.ok())
    return reply(ApiError::InternalFailure("Reading shard " + ShardIdFromIndex(pos->shard_index) +
                                           " failed: " + read.status().message()));
  uint64_t next = std::min(read->next_offset, end);

  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Records");
  w.StartArray();
  std::string b64;
  for (const auto& r : read->records) {
    if (r.offset >= end) break;
    if (r.arrival_ms < cutoff) continue;  // past retention, not yet deleted from disk
    WriteRecord(w, m, pos->shard_index, r, &b64);
  }
  w.EndArray();
  if (limiter.enforcing()) {
    size_t bytes = 0;
    for (const auto& r : read->records) bytes += r.data.size() + r.partition_key.size();
    limiter.ChargeRead(LimiterKey(m), pos->shard_index, bytes, now);
  }

  // A closed shard ends at ending_offset, or earlier when records appended
  // before the close never became durable (a failed sync, or a torn tail cut
  // at recovery): it takes no appends, so once nothing of it is pending (or
  // its log has failed) committed_end() is final.
  auto nothing_pending = [&] { return !log->HasUnsynced() || !log->Append({}, now).ok(); };
  bool shard_finished =
      shard.ending_offset && (next >= *shard.ending_offset || (next >= log->committed_end() && nothing_pending()));
  if (shard_finished) {
    WriteChildShards(w, m, pos->shard_index);  // and no NextShardIterator
  } else {
    IteratorPosition np = *pos;
    np.offset = next;
    np.issued_ms = now;
    w.Key("NextShardIterator");
    w.String(EncodeShardIterator(np, ctx.catalog.token_key()));
  }
  // How far behind the tip this answer leaves the reader.
  int64_t behind = 0;
  if (!shard_finished && next < log->committed_end()) {
    auto peek = log->Read(next, 1, 1);
    if (peek.ok() && !peek->records.empty()) behind = std::max<int64_t>(0, now - peek->records[0].arrival_ms);
  }
  w.Key("MillisBehindLatest");
  w.Int64(behind);
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
