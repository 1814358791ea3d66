// PutRecord and PutRecords: route each record to its shard by hash key,
// append per shard, and answer once the group committer has made the appends
// durable (storage/group_commit.h). Only then are sequence numbers returned.
#include <algorithm>
#include <atomic>

#include "base/mutex.h"
#include "codec/base64.h"
#include "kinesis/api/handlers.h"
#include "model/sequence_number.h"
#include "storage/data_quota.h"

namespace sluice::kinesis::api {

namespace {

// AWS limits on one PutRecords request: 500 entries (model) and 10 MiB of
// data plus partition keys.
constexpr size_t kMaxRequestBytes = 10u << 20;

struct Entry {
  std::string_view partition_key;
  size_t data_pos = 0, data_len = 0;  // into Payload::data
  uint32_t shard = 0;
  uint64_t offset = 0;
  bool failed = false;     // not written: InternalFailure (storage or injected fault)...
  bool throttled = false;  // ...or ProvisionedThroughputExceeded
};

// A request's decoded bytes. The shard logs may hold it until the records
// are synced (for a repair, storage/segment.h), so it holds nothing else: no
// path back to the stream that owns the logs.
struct Payload {
  std::string data;  // every entry's decoded bytes, back to back
  std::string keys;  // every entry's partition key, back to back (entries view them)
};

struct Batch {
  std::shared_ptr<Stream> stream;
  std::string stream_name;
  int64_t epoch_s = 0;
  bool encrypted = false;  // the reply then says EncryptionType KMS
  std::shared_ptr<Payload> payload = std::make_shared<Payload>();
  std::vector<Entry> entries;
  // Set when an append was refused by the data quota (--max-data-bytes):
  // the ErrorMessage of its InternalFailure, instead of the generic one.
  std::string quota_message;
};

// The message of a failed entry's InternalFailure.
std::string FailureMessage(const Batch& b) {
  return b.quota_message.empty() ? std::string("Internal service failure.") : b.quota_message;
}

// Open shards by hash range, for routing.
struct Route {
  model::HashKey start, end;
  uint32_t index;
};

std::optional<uint32_t> FindShard(const std::vector<Route>& routes, model::HashKey key) {
  auto it =
      std::upper_bound(routes.begin(), routes.end(), key, [](model::HashKey k, const Route& r) { return k < r.start; });
  if (it == routes.begin()) return std::nullopt;
  --it;
  if (key > it->end) return std::nullopt;
  return it->index;
}

std::string OversizeMessage(size_t index, bool batch, int64_t max_bytes) {
  std::string at = batch ? "records." + std::to_string(index + 1) + ".member.data" : "data";
  return "1 validation error detected: Value at '" + at +
         "' failed to satisfy constraint: Member must have length less than or equal to " + std::to_string(max_bytes);
}

// Decodes and routes every entry of `records` (PutRecords entries or the
// PutRecord body itself). Returns an error for the whole request.
ApiStatus Prepare(Context& ctx, const std::vector<const rapidjson::Value*>& records, bool batch, Batch& b)
    REQUIRES_SHARED(b.stream->mu) {
  const StreamMeta& m = b.stream->meta();
  std::vector<Route> routes;
  for (const auto& s : m.shards)
    if (s.open()) routes.push_back({s.range.start, s.range.end, s.index});
  std::sort(routes.begin(), routes.end(), [](const Route& a, const Route& c) { return a.start < c.start; });

  const int64_t max_record = int64_t{m.max_record_size_kib} * 1024;
  size_t encoded_total = 0, keys_total = 0;
  for (const auto* r : records) {
    encoded_total += (*r)["Data"].GetStringLength();
    keys_total += (*r)["PartitionKey"].GetStringLength();
  }
  b.payload->data.reserve(encoded_total / 4 * 3 + 4);
  b.payload->keys.reserve(keys_total);  // never reallocated: the entries' views stay valid
  b.entries.resize(records.size());
  size_t total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const rapidjson::Value& r = *records[i];
    Entry& e = b.entries[i];
    const auto& pk = r["PartitionKey"];
    size_t key_at = b.payload->keys.size();
    b.payload->keys.append(pk.GetString(), pk.GetStringLength());
    e.partition_key = std::string_view(b.payload->keys).substr(key_at);
    const auto& data = r["Data"];
    e.data_pos = b.payload->data.size();
    if (!codec::Base64DecodeAppend(std::string_view(data.GetString(), data.GetStringLength()), &b.payload->data))
      return ApiError::Serialization("Base64 encoded data is not valid for Data.");
    e.data_len = b.payload->data.size() - e.data_pos;
    if (static_cast<int64_t>(e.data_len + e.partition_key.size()) > max_record)
      return ApiError::Validation(OversizeMessage(i, batch, max_record));
    total += e.data_len + e.partition_key.size();

    model::HashKey key;
    if (auto ehk = r.FindMember("ExplicitHashKey"); ehk != r.MemberEnd() && ehk->value.IsString()) {
      auto parsed = model::ParseHashKey(ehk->value.GetString());
      if (!parsed)
        return ApiError::InvalidArgument(std::string("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                                                     "[0, 2^128-1]. Specified value was ") +
                                         ehk->value.GetString());
      key = *parsed;
    } else {
      key = model::HashKeyFromPartitionKey(e.partition_key);
    }
    auto shard = FindShard(routes, key);
    if (!shard) return ApiError::InternalFailure("No open shard covers hash key " + model::HashKeyToDecimal(key));
    e.shard = *shard;
  }
  if (total > kMaxRequestBytes) return ApiError::InvalidArgument("Records size exceeds 10 MB limit");
  return ApiStatus::Ok();
}

// Opt-in fault injection and per-shard write limits (kinesis/throughput.h),
// entry by entry in request order.
void AdmitEntries(Context& ctx, Batch& b) REQUIRES_SHARED(b.stream->mu) {
  ThroughputLimiter& limiter = ctx.catalog.limiter();
  if (!limiter.enforcing() && !limiter.injecting_faults()) return;
  std::string key = LimiterKey(b.stream->meta());
  int64_t now = ctx.catalog.NowMillis();
  for (Entry& e : b.entries) {
    if (limiter.NextPutFails()) e.failed = true;
    else if (!limiter.AdmitWrite(key, e.shard, e.data_len + e.partition_key.size(), now)) e.throttled = true;
  }
}

// Appends every entry, waits for durability, then calls `done` (on the
// committer thread, or inline when nothing was appended).
void AppendAndCommit(Context& ctx, const std::shared_ptr<Batch>& b, std::function<void(Batch&)> done)
    REQUIRES_SHARED(b->stream->mu) {
  std::vector<uint32_t> shards;
  for (const auto& e : b->entries) shards.push_back(e.shard);
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());

  int64_t now = ctx.catalog.NowMillis();
  std::vector<std::pair<storage::ShardLog*, uint32_t>> appended;  // log, shard
  std::vector<storage::AppendEntry> batch;
  std::vector<size_t> members;
  for (uint32_t shard : shards) {
    batch.clear();
    members.clear();
    for (size_t i = 0; i < b->entries.size(); ++i) {
      const Entry& e = b->entries[i];
      if (e.shard != shard || e.failed || e.throttled) continue;
      batch.push_back({e.partition_key, std::string_view(b->payload->data).substr(e.data_pos, e.data_len)});
      members.push_back(i);
    }
    if (batch.empty()) continue;
    storage::ShardLog* log = b->stream->log(shard);
    // The payload owns every byte appended, so the log may keep it, not a copy.
    auto first = log ? log->Append(batch, now, b->payload) : Result<uint64_t>(Status::Internal("no log for shard"));
    if (!first.ok() && storage::DataQuota::IsQuotaRefusal(first.status())) b->quota_message = first.status().message();
    for (size_t k = 0; k < members.size(); ++k) {
      Entry& e = b->entries[members[k]];
      if (first.ok()) {
        e.offset = *first + k;
      } else {
        e.failed = true;
      }
    }
    if (first.ok()) appended.emplace_back(log, shard);
  }
  if (appended.empty()) return done(*b);

  struct Pending {
    std::atomic<size_t> left;
    Mutex mu;
    std::vector<uint32_t> failed_shards;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = appended.size();
  for (const auto& appended_log : appended) {
    storage::ShardLog* log = appended_log.first;
    uint32_t shard = appended_log.second;
    SubscriptionHub* hub = &ctx.catalog.subscriptions();
    // Runs on the committer thread without the stream's lock: it works by
    // shard number, not through b->stream->log() (a reshard may add logs).
    ctx.catalog.committer().Commit(log, [b, pending, log, shard, done, hub](const Status& st) {
      if (!st.ok()) {
        MutexLock lk(pending->mu);
        pending->failed_shards.push_back(shard);
      } else {
        hub->Notify(log);  // enhanced fan-out subscribers of this shard
      }
      if (pending->left.fetch_sub(1) != 1) return;
      for (auto& e : b->entries)
        for (uint32_t f : pending->failed_shards)
          if (e.shard == f) e.failed = true;
      done(*b);
    });
  }
}

}  // namespace

void PutRecords(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  auto b = std::make_shared<Batch>();
  b->stream = ref.stream;
  std::vector<const rapidjson::Value*> records;
  for (const auto& r : in["Records"].GetArray()) records.push_back(&r);
  {
    ReaderLock lk(b->stream->mu);
    const StreamMeta& m = b->stream->meta();
    if (!AcceptsData(m.status)) return reply(StreamNotFound(ctx, m.name));
    b->epoch_s = m.epoch_s();
    b->encrypted = m.encryption_type == EncryptionType::kKms;
    if (ApiStatus err = Prepare(ctx, records, true, *b); !err.ok()) return reply(err.error());
    b->stream_name = m.name;
    AdmitEntries(ctx, *b);
    AppendAndCommit(ctx, b, [reply, account = ctx.account()](Batch& batch) {
      std::string body;
      body.reserve(64 + batch.entries.size() * 110);
      size_t failed = 0;
      body += "{\"Records\":[";
      for (size_t i = 0; i < batch.entries.size(); ++i) {
        const Entry& e = batch.entries[i];
        if (i) body += ',';
        if (e.throttled) {
          ++failed;
          body +=
              "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":\"Rate exceeded for "
              "shard " +
              ShardIdFromIndex(e.shard) + " in stream " + batch.stream_name + " under account " + account + ".\"}";
        } else if (e.failed) {
          ++failed;
          body += "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"" + FailureMessage(batch) + "\"}";
        } else {
          body += "{\"SequenceNumber\":\"";
          body += model::FormatSequenceNumber({batch.epoch_s, e.shard, e.offset});
          body += "\",\"ShardId\":\"";
          body += ShardIdFromIndex(e.shard);
          body += "\"}";
        }
      }
      body += "],\"FailedRecordCount\":" + std::to_string(failed);
      if (batch.encrypted) body += ",\"EncryptionType\":\"KMS\"";
      body += "}";
      reply(std::move(body));
    });
  }
}

void PutRecord(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  auto b = std::make_shared<Batch>();
  b->stream = ref.stream;
  ReaderLock lk(b->stream->mu);
  const StreamMeta& m = b->stream->meta();
  if (!AcceptsData(m.status)) return reply(StreamNotFound(ctx, m.name));
  b->epoch_s = m.epoch_s();
  b->encrypted = m.encryption_type == EncryptionType::kKms;
  if (ApiStatus err = Prepare(ctx, {&in}, false, *b); !err.ok()) return reply(err.error());
  b->stream_name = m.name;
  AdmitEntries(ctx, *b);
  if (b->entries[0].throttled) return reply(ThroughputExceeded(ctx, m, b->entries[0].shard));
  AppendAndCommit(ctx, b, [reply](Batch& batch) {
    const Entry& e = batch.entries[0];
    if (e.failed) return reply(ApiError::InternalFailure(FailureMessage(batch)));
    reply("{\"ShardId\":\"" + ShardIdFromIndex(e.shard) + "\",\"SequenceNumber\":\"" +
          model::FormatSequenceNumber({batch.epoch_s, e.shard, e.offset}) + "\"" +
          (batch.encrypted ? ",\"EncryptionType\":\"KMS\"}" : "}"));
  });
}

}  // namespace sluice::kinesis::api
