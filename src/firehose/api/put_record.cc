// PutRecord and PutRecordBatch (DirectPut delivery streams only): the records
// are appended to the stream's spool and the reply waits until the group
// committer has made them durable; then the listener is told (OnRecords) so
// the delivery engine picks them up.
#include <cstdio>

#include "base/mutex.h"
#include "codec/base64.h"
#include "firehose/api/handlers.h"
#include "storage/data_quota.h"

namespace sluice::firehose::api {

namespace {

// AWS limits: 1,000 KiB per record (also in the model) and 4 MiB per
// PutRecordBatch request; 500 records per batch is in the model.
constexpr size_t kMaxRecordBytes = 1000u * 1024;
constexpr size_t kMaxBatchBytes = 4u << 20;
// Spool records need a partition key; a DirectPut record has none.
constexpr std::string_view kSpoolKey = "-";

struct Batch {
  std::shared_ptr<DeliveryStream> stream;
  int64_t created_ms = 0;  // with the offset, makes RecordIds unique across re-creations
  bool encrypted = false;
  // The decoded bytes; the spool may hold them until synced (for a repair),
  // so they are shared apart from the rest (no path back to the stream).
  std::shared_ptr<std::string> data = std::make_shared<std::string>();
  std::vector<std::pair<size_t, size_t>> records;  // (pos, len) into *data
  uint64_t first_offset = 0;
  std::string error_message = "Slow down.";  // of ServiceUnavailableException
};

// An opaque, unique id: the stream's creation time and the record's spool offset.
std::string RecordId(const Batch& b, size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx%032llu", static_cast<unsigned long long>(b.created_ms),
                static_cast<unsigned long long>(b.first_offset + i));
  return buf;
}

// Checks the stream and decodes every record. Replies and returns false on error.
bool Prepare(Context& ctx, const std::vector<const rapidjson::Value*>& records, bool batch, Batch& b,
             const Reply& reply) {
  {
    MutexLock lk(b.stream->mu);
    const auto& c = b.stream->config();
    if (c.type != DeliveryStreamType::kDirectPut) {
      reply(
          ApiError::InvalidArgument("This operation is not permitted on KinesisStreamAsSource delivery stream type."));
      return false;
    }
    if (c.status != DeliveryStreamStatus::kActive) {
      reply(NotFound(ctx, c.name));
      return false;
    }
    b.created_ms = c.created_ms;
    b.encrypted = CurrentEncryptionStatus(*b.stream, ctx.catalog.NowMillis()) == EncryptionStatus::kEnabled;
  }
  if (!b.stream->spool()) {
    reply(ApiError::InternalFailure("Delivery stream has no spool."));
    return false;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& d = (*records[i])["Data"];
    size_t pos = b.data->size();
    if (!codec::Base64DecodeAppend(std::string_view(d.GetString(), d.GetStringLength()), b.data.get())) {
      reply(ApiError::Serialization("Base64 encoded data is not valid for Data."));
      return false;
    }
    size_t len = b.data->size() - pos;
    if (len > kMaxRecordBytes) {
      std::string at = batch ? "records." + std::to_string(i + 1) + ".member.data" : "record.data";
      reply(ApiError::Validation("1 validation error detected: Value at '" + at +
                                 "' failed to satisfy constraint: Member must have length less than or equal to " +
                                 std::to_string(kMaxRecordBytes)));
      return false;
    }
    b.records.emplace_back(pos, len);
  }
  if (batch && b.data->size() > kMaxBatchBytes) {
    reply(ApiError::InvalidArgument("Records size exceeds 4 MB limit"));
    return false;
  }
  return true;
}

// Appends, waits for durability, then calls done(ok) on the committer thread.
void AppendAndCommit(Context& ctx, std::shared_ptr<Batch> b, std::function<void(Batch&, bool)> done) {
  std::vector<storage::AppendEntry> entries;
  entries.reserve(b->records.size());
  for (const auto& [pos, len] : b->records) entries.push_back({kSpoolKey, std::string_view(*b->data).substr(pos, len)});
  storage::ShardLog* spool = b->stream->spool();
  auto first = spool->Append(entries, ctx.catalog.NowMillis(), b->data);  // it owns the bytes
  if (!first.ok()) {
    // The data quota (--max-data-bytes) says so; other failures keep AWS's text.
    if (storage::DataQuota::IsQuotaRefusal(first.status())) b->error_message = first.status().message();
    return done(*b, false);
  }
  b->first_offset = *first;
  DeliveryCatalog* catalog = &ctx.catalog;
  catalog->committer().Commit(spool, [catalog, b, done](const Status& st) {
    done(*b, st.ok());
    if (st.ok()) catalog->NotifyRecords(b->stream);
  });
}

}  // namespace

void PutRecordBatch(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  auto b = std::make_shared<Batch>();
  b->stream = s;
  std::vector<const rapidjson::Value*> records;
  for (const auto& r : in["Records"].GetArray()) records.push_back(&r);
  if (!Prepare(ctx, records, true, *b, reply)) return;
  AppendAndCommit(ctx, b, [reply](Batch& batch, bool ok) {
    std::string body;
    body.reserve(64 + batch.records.size() * 64);
    body += "{\"FailedPutCount\":" + std::to_string(ok ? 0 : batch.records.size());
    body += ",\"Encrypted\":";
    body += batch.encrypted ? "true" : "false";
    body += ",\"RequestResponses\":[";
    for (size_t i = 0; i < batch.records.size(); ++i) {
      if (i) body += ',';
      if (ok) {
        body += "{\"RecordId\":\"" + RecordId(batch, i) + "\"}";
      } else {
        body += "{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"" + batch.error_message + "\"}";
      }
    }
    body += "]}";
    reply(std::move(body));
  });
}

void PutRecord(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  auto b = std::make_shared<Batch>();
  b->stream = s;
  if (!Prepare(ctx, {&in["Record"]}, false, *b, reply)) return;
  AppendAndCommit(ctx, b, [reply](Batch& batch, bool ok) {
    if (!ok) return reply(ApiError::ServiceUnavailable(batch.error_message));
    std::string body = "{\"RecordId\":\"" + RecordId(batch, 0) + "\",\"Encrypted\":";
    body += batch.encrypted ? "true}" : "false}";
    reply(std::move(body));
  });
}

}  // namespace sluice::firehose::api
