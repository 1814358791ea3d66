#include "client/kinesis_json.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "codec/base64.h"

namespace sluice::client::kinesis::json {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

// ---- writing -------------------------------------------------------------

class Body {
 public:
  Body() : w_(buf_) { w_.StartObject(); }
  Writer& w() { return w_; }
  void Str(const char* key, std::string_view v) {
    w_.Key(key);
    w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  void OptStr(const char* key, const std::optional<std::string>& v) {
    if (v) Str(key, *v);
  }
  void OptInt(const char* key, const std::optional<int>& v) {
    if (v) {
      w_.Key(key);
      w_.Int(*v);
    }
  }
  void Timestamp(const char* key, int64_t ms) {
    w_.Key(key);
    if (ms % 1000 == 0) {
      w_.Int64(ms / 1000);
    } else {
      w_.Double(static_cast<double>(ms) / 1000.0);
    }
  }
  void Blob(const char* key, std::string_view bytes) { Str(key, codec::Base64Encode(bytes)); }
  void Stream(const StreamId& s) {
    if (!s.arn.empty()) {
      Str("StreamARN", s.arn);
    } else {
      Str("StreamName", s.name);
    }
  }
  std::string Finish() {
    w_.EndObject();
    return std::string(buf_.GetString(), buf_.GetSize());
  }

 private:
  rapidjson::StringBuffer buf_;
  Writer w_;
};

// ---- reading -------------------------------------------------------------

// Reads members of one JSON object, remembering the first problem.
class Reader {
 public:
  Reader(const Value* obj, std::string* error, std::string where)
      : obj_(obj), error_(error), where_(std::move(where)) {}

  const Value* Find(const char* key) const {
    if (!obj_ || !obj_->IsObject()) return nullptr;
    auto it = obj_->FindMember(key);
    if (it == obj_->MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }
  void Fail(const char* key, const char* what) {
    if (error_->empty()) *error_ = where_ + "." + key + ": " + what;
  }
  std::string Str(const char* key, bool required = true) {
    const Value* v = Find(key);
    if (!v) {
      if (required) Fail(key, "missing");
      return {};
    }
    if (!v->IsString()) {
      Fail(key, "not a string");
      return {};
    }
    return std::string(v->GetString(), v->GetStringLength());
  }
  std::optional<std::string> OptStr(const char* key) {
    if (!Find(key)) return std::nullopt;
    return Str(key);
  }
  std::optional<int64_t> OptInt(const char* key) {
    const Value* v = Find(key);
    if (!v) return std::nullopt;
    if (v->IsInt64()) return v->GetInt64();
    if (v->IsUint64()) return static_cast<int64_t>(v->GetUint64());
    if (v->IsNumber()) return static_cast<int64_t>(v->GetDouble());
    Fail(key, "not a number");
    return std::nullopt;
  }
  int64_t Int(const char* key, bool required = true) {
    auto v = OptInt(key);
    if (!v && required) Fail(key, "missing");
    return v.value_or(0);
  }
  // Seconds (with a fraction) on the wire -> milliseconds.
  int64_t TimestampMs(const char* key, bool required = true) {
    const Value* v = Find(key);
    if (!v) {
      if (required) Fail(key, "missing");
      return 0;
    }
    if (!v->IsNumber()) {
      Fail(key, "not a number");
      return 0;
    }
    return static_cast<int64_t>(std::llround(v->GetDouble() * 1000.0));
  }
  std::string Blob(const char* key) {
    const Value* v = Find(key);
    if (!v) {
      Fail(key, "missing");
      return {};
    }
    if (!v->IsString()) {
      Fail(key, "not a string");
      return {};
    }
    auto decoded = codec::Base64Decode(std::string_view(v->GetString(), v->GetStringLength()));
    if (!decoded.ok()) {
      Fail(key, "not base64");
      return {};
    }
    return std::move(decoded).value();
  }
  const Value* Object(const char* key, bool required = true) {
    const Value* v = Find(key);
    if (!v) {
      if (required) Fail(key, "missing");
      return nullptr;
    }
    if (!v->IsObject()) {
      Fail(key, "not an object");
      return nullptr;
    }
    return v;
  }
  const Value* Array(const char* key, bool required = true) {
    const Value* v = Find(key);
    if (!v) {
      if (required) Fail(key, "missing");
      return nullptr;
    }
    if (!v->IsArray()) {
      Fail(key, "not an array");
      return nullptr;
    }
    return v;
  }
  Reader Sub(const Value* v, const std::string& name) { return Reader(v, error_, where_ + "." + name); }
  const std::string& where() const { return where_; }

 private:
  const Value* obj_;
  std::string* error_;
  std::string where_;
};

ApiError Malformed(std::string message) {
  ApiError e;
  e.kind = ErrorKind::kMalformedResponse;
  e.message = "malformed response: " + std::move(message);
  return e;
}

// Parses `body` as a JSON object and calls fill(reader, result).
template <typename T, typename Fill>
ApiResult<T> ParseObject(std::string_view body, Fill fill) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return Malformed("invalid JSON at offset " + std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject()) return Malformed("expected a JSON object");
  std::string error;
  Reader r(&doc, &error, "$");
  T out{};
  fill(r, out);
  if (!error.empty()) return Malformed(error);
  return out;
}

HashKeyRange ReadHashKeyRange(Reader r) { return {r.Str("StartingHashKey"), r.Str("EndingHashKey")}; }

}  // namespace

// ---- requests --------------------------------------------------------------

std::string Serialize(const CreateStreamRequest& r) {
  Body b;
  b.Str("StreamName", r.stream_name);
  b.OptInt("ShardCount", r.shard_count);
  if (r.stream_mode) {
    b.w().Key("StreamModeDetails");
    b.w().StartObject();
    b.Str("StreamMode", *r.stream_mode);
    b.w().EndObject();
  }
  if (!r.tags.empty()) {
    b.w().Key("Tags");
    b.w().StartObject();
    for (const auto& [k, v] : r.tags) b.Str(k.c_str(), v);
    b.w().EndObject();
  }
  return b.Finish();
}

std::string Serialize(const DeleteStreamRequest& r) {
  Body b;
  b.Stream(r.stream);
  if (r.enforce_consumer_deletion) {
    b.w().Key("EnforceConsumerDeletion");
    b.w().Bool(*r.enforce_consumer_deletion);
  }
  return b.Finish();
}

std::string SerializeDescribeStreamSummary(const StreamId& stream) {
  Body b;
  b.Stream(stream);
  return b.Finish();
}

std::string Serialize(const ListShardsRequest& r) {
  Body b;
  if (r.next_token) {
    b.Str("NextToken", *r.next_token);  // AWS rejects StreamName/ShardFilter alongside NextToken
  } else {
    b.Stream(r.stream);
    b.OptStr("ExclusiveStartShardId", r.exclusive_start_shard_id);
    if (r.stream_creation_timestamp_ms) b.Timestamp("StreamCreationTimestamp", *r.stream_creation_timestamp_ms);
    if (r.shard_filter) {
      b.w().Key("ShardFilter");
      b.w().StartObject();
      b.Str("Type", r.shard_filter->type);
      b.OptStr("ShardId", r.shard_filter->shard_id);
      if (r.shard_filter->timestamp_ms) b.Timestamp("Timestamp", *r.shard_filter->timestamp_ms);
      b.w().EndObject();
    }
  }
  b.OptInt("MaxResults", r.max_results);
  return b.Finish();
}

std::string Serialize(const PutRecordRequest& r) {
  Body b;
  b.Stream(r.stream);
  b.Blob("Data", r.data);
  b.Str("PartitionKey", r.partition_key);
  b.OptStr("ExplicitHashKey", r.explicit_hash_key);
  b.OptStr("SequenceNumberForOrdering", r.sequence_number_for_ordering);
  return b.Finish();
}

std::string Serialize(const PutRecordsRequest& r) {
  Body b;
  b.Stream(r.stream);
  b.w().Key("Records");
  b.w().StartArray();
  for (const auto& e : r.records) {
    b.w().StartObject();
    b.Blob("Data", e.data);
    b.Str("PartitionKey", e.partition_key);
    b.OptStr("ExplicitHashKey", e.explicit_hash_key);
    b.w().EndObject();
  }
  b.w().EndArray();
  return b.Finish();
}

std::string Serialize(const GetShardIteratorRequest& r) {
  Body b;
  b.Stream(r.stream);
  b.Str("ShardId", r.shard_id);
  b.Str("ShardIteratorType", ShardIteratorTypeName(r.type));
  b.OptStr("StartingSequenceNumber", r.starting_sequence_number);
  if (r.timestamp_ms) b.Timestamp("Timestamp", *r.timestamp_ms);
  return b.Finish();
}

std::string Serialize(const SubscribeToShardRequest& r) {
  Body b;
  b.Str("ConsumerARN", r.consumer_arn);
  b.Str("ShardId", r.shard_id);
  b.w().Key("StartingPosition");
  b.w().StartObject();
  b.Str("Type", ShardIteratorTypeName(r.type));
  b.OptStr("SequenceNumber", r.sequence_number);
  if (r.timestamp_ms) b.Timestamp("Timestamp", *r.timestamp_ms);
  b.w().EndObject();
  return b.Finish();
}

std::string SerializeRegisterStreamConsumer(const std::string& stream_arn, const std::string& name) {
  Body b;
  b.Str("StreamARN", stream_arn);
  b.Str("ConsumerName", name);
  return b.Finish();
}

std::string SerializeDescribeStreamConsumer(const std::string& stream_arn, const std::string& name) {
  return SerializeRegisterStreamConsumer(stream_arn, name);
}

std::string Serialize(const GetRecordsRequest& r) {
  Body b;
  b.Str("ShardIterator", r.shard_iterator);
  b.OptInt("Limit", r.limit);
  b.OptStr("StreamARN", r.stream_arn);
  return b.Finish();
}

// ---- responses -------------------------------------------------------------

ApiResult<Empty> ParseEmpty(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Empty{};
  return ParseObject<Empty>(body, [](Reader&, Empty&) {});
}

ApiResult<StreamSummary> ParseDescribeStreamSummary(std::string_view body) {
  return ParseObject<StreamSummary>(body, [](Reader& root, StreamSummary& s) {
    Reader r = root.Sub(root.Object("StreamDescriptionSummary"), "StreamDescriptionSummary");
    s.stream_name = r.Str("StreamName");
    s.stream_arn = r.Str("StreamARN");
    s.stream_status = r.Str("StreamStatus");
    if (const Value* mode = r.Object("StreamModeDetails", false)) {
      s.stream_mode = r.Sub(mode, "StreamModeDetails").Str("StreamMode");
    }
    s.retention_period_hours = static_cast<int>(r.Int("RetentionPeriodHours"));
    s.stream_creation_timestamp_ms = r.TimestampMs("StreamCreationTimestamp");
    s.open_shard_count = static_cast<int>(r.Int("OpenShardCount"));
    if (auto c = r.OptInt("ConsumerCount")) s.consumer_count = static_cast<int>(*c);
    s.encryption_type = r.Str("EncryptionType", false);
    s.key_id = r.OptStr("KeyId");
    if (auto kib = r.OptInt("MaxRecordSizeInKiB")) s.max_record_size_kib = static_cast<int>(*kib);
  });
}

ApiResult<ListShardsResult> ParseListShards(std::string_view body) {
  return ParseObject<ListShardsResult>(body, [](Reader& r, ListShardsResult& out) {
    if (const Value* shards = r.Array("Shards", false)) {
      for (rapidjson::SizeType i = 0; i < shards->Size(); ++i) {
        Reader s = r.Sub(&(*shards)[i], "Shards[" + std::to_string(i) + "]");
        Shard shard;
        shard.shard_id = s.Str("ShardId");
        shard.parent_shard_id = s.OptStr("ParentShardId");
        shard.adjacent_parent_shard_id = s.OptStr("AdjacentParentShardId");
        shard.hash_key_range = ReadHashKeyRange(s.Sub(s.Object("HashKeyRange"), "HashKeyRange"));
        Reader seq = s.Sub(s.Object("SequenceNumberRange"), "SequenceNumberRange");
        shard.sequence_number_range.starting_sequence_number = seq.Str("StartingSequenceNumber");
        shard.sequence_number_range.ending_sequence_number = seq.OptStr("EndingSequenceNumber");
        out.shards.push_back(std::move(shard));
      }
    }
    out.next_token = r.OptStr("NextToken");
  });
}

ApiResult<PutRecordResult> ParsePutRecord(std::string_view body) {
  return ParseObject<PutRecordResult>(body, [](Reader& r, PutRecordResult& out) {
    out.shard_id = r.Str("ShardId");
    out.sequence_number = r.Str("SequenceNumber");
    out.encryption_type = r.Str("EncryptionType", false);
  });
}

ApiResult<PutRecordsResult> ParsePutRecords(std::string_view body) {
  return ParseObject<PutRecordsResult>(body, [](Reader& r, PutRecordsResult& out) {
    out.failed_record_count = static_cast<int>(r.Int("FailedRecordCount", false));
    out.encryption_type = r.Str("EncryptionType", false);
    const Value* records = r.Array("Records");
    if (!records) return;
    for (rapidjson::SizeType i = 0; i < records->Size(); ++i) {
      Reader e = r.Sub(&(*records)[i], "Records[" + std::to_string(i) + "]");
      PutRecordsResultEntry entry;
      entry.error_code = e.Str("ErrorCode", false);
      entry.error_message = e.Str("ErrorMessage", false);
      const bool ok = entry.error_code.empty();
      entry.shard_id = e.Str("ShardId", ok);
      entry.sequence_number = e.Str("SequenceNumber", ok);
      out.records.push_back(std::move(entry));
    }
  });
}

ApiResult<GetShardIteratorResult> ParseGetShardIterator(std::string_view body) {
  return ParseObject<GetShardIteratorResult>(
      body, [](Reader& r, GetShardIteratorResult& out) { out.shard_iterator = r.Str("ShardIterator"); });
}

ApiResult<GetRecordsResult> ParseGetRecords(std::string_view body) {
  return ParseObject<GetRecordsResult>(body, [](Reader& r, GetRecordsResult& out) {
    const Value* records = r.Array("Records");
    if (records) {
      out.records.reserve(records->Size());
      for (rapidjson::SizeType i = 0; i < records->Size(); ++i) {
        Reader e = r.Sub(&(*records)[i], "Records[" + std::to_string(i) + "]");
        Record rec;
        rec.sequence_number = e.Str("SequenceNumber");
        rec.approximate_arrival_timestamp_ms = e.TimestampMs("ApproximateArrivalTimestamp", false);
        rec.data = e.Blob("Data");
        rec.partition_key = e.Str("PartitionKey");
        rec.encryption_type = e.Str("EncryptionType", false);
        out.records.push_back(std::move(rec));
      }
    }
    out.next_shard_iterator = r.OptStr("NextShardIterator");
    out.millis_behind_latest = r.OptInt("MillisBehindLatest");
    if (const Value* children = r.Array("ChildShards", false)) {
      for (rapidjson::SizeType i = 0; i < children->Size(); ++i) {
        Reader c = r.Sub(&(*children)[i], "ChildShards[" + std::to_string(i) + "]");
        ChildShard child;
        child.shard_id = c.Str("ShardId");
        if (const Value* parents = c.Array("ParentShards")) {
          for (const auto& p : parents->GetArray()) {
            if (p.IsString()) child.parent_shards.emplace_back(p.GetString(), p.GetStringLength());
          }
        }
        child.hash_key_range = ReadHashKeyRange(c.Sub(c.Object("HashKeyRange"), "HashKeyRange"));
        out.child_shards.push_back(std::move(child));
      }
    }
  });
}

ApiResult<StreamConsumer> ParseStreamConsumer(std::string_view body) {
  return ParseObject<StreamConsumer>(body, [](Reader& root, StreamConsumer& c) {
    const char* key = root.Find("Consumer") ? "Consumer" : "ConsumerDescription";
    Reader r = root.Sub(root.Object(key), key);
    c.consumer_name = r.Str("ConsumerName");
    c.consumer_arn = r.Str("ConsumerARN");
    c.consumer_status = r.Str("ConsumerStatus");
  });
}

ApiResult<SubscribeToShardEvent> ParseSubscribeToShardEvent(std::string_view body) {
  // The records, MillisBehindLatest and ChildShards read as in GetRecords.
  auto records = ParseGetRecords(body);
  if (!records.ok()) return records.error();
  SubscribeToShardEvent event;
  event.records = std::move(records->records);
  event.millis_behind_latest = records->millis_behind_latest.value_or(0);
  event.child_shards = std::move(records->child_shards);
  auto rest = ParseObject<SubscribeToShardEvent>(body, [](Reader& r, SubscribeToShardEvent& e) {
    e.continuation_sequence_number = r.OptStr("ContinuationSequenceNumber");
  });
  if (!rest.ok()) return rest.error();
  event.continuation_sequence_number = std::move(rest->continuation_sequence_number);
  return event;
}

}  // namespace sluice::client::kinesis::json
