#include "kinesis/stream.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>

#include "io/file_system.h"
#include "io/file_util.h"
#include "model/arn.h"

namespace sluice::kinesis {

std::string_view StatusName(StreamStatus s) {
  switch (s) {
    case StreamStatus::kCreating: return "CREATING";
    case StreamStatus::kActive: return "ACTIVE";
    case StreamStatus::kUpdating: return "UPDATING";
    case StreamStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::optional<StreamStatus> ParseStatus(std::string_view s) {
  if (s == "CREATING") return StreamStatus::kCreating;
  if (s == "ACTIVE") return StreamStatus::kActive;
  if (s == "UPDATING") return StreamStatus::kUpdating;
  if (s == "DELETING") return StreamStatus::kDeleting;
  return std::nullopt;
}

std::string_view StreamModeName(StreamMode mode) { return mode == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED"; }

std::optional<StreamMode> ParseStreamMode(std::string_view s) {
  if (s == "PROVISIONED") return StreamMode::kProvisioned;
  if (s == "ON_DEMAND") return StreamMode::kOnDemand;
  return std::nullopt;
}

std::string_view EncryptionTypeName(EncryptionType type) { return type == EncryptionType::kKms ? "KMS" : "NONE"; }

std::optional<EncryptionType> ParseEncryptionType(std::string_view s) {
  if (s == "NONE") return EncryptionType::kNone;
  if (s == "KMS") return EncryptionType::kKms;
  return std::nullopt;
}

std::string_view ConsumerStatusName(ConsumerStatus status) {
  switch (status) {
    case ConsumerStatus::kCreating: return "CREATING";
    case ConsumerStatus::kActive: return "ACTIVE";
    case ConsumerStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::optional<ConsumerStatus> ParseConsumerStatus(std::string_view s) {
  if (s == "CREATING") return ConsumerStatus::kCreating;
  if (s == "ACTIVE") return ConsumerStatus::kActive;
  if (s == "DELETING") return ConsumerStatus::kDeleting;
  return std::nullopt;
}

std::string StreamMeta::arn() const { return model::FormatStreamArn(region, account, name); }

std::string StreamMeta::ConsumerArn(const ConsumerMeta& c) const {
  return arn() + "/consumer/" + c.name + ":" + std::to_string(c.created_ms / 1000);
}

ConsumerMeta* StreamMeta::FindConsumer(std::string_view consumer) {
  for (auto& c : consumers)
    if (c.name == consumer) return &c;
  return nullptr;
}

const ConsumerMeta* StreamMeta::FindConsumer(std::string_view consumer) const {
  return const_cast<StreamMeta*>(this)->FindConsumer(consumer);
}

int StreamMeta::OpenShardCount() const {
  int n = 0;
  for (const auto& s : shards) n += s.open();
  return n;
}

std::string ShardIdFromIndex(uint32_t index) {
  std::string id = "shardId-000000000000";
  for (size_t at = id.size(); index != 0 && at > 8; index /= 10) id[--at] = static_cast<char>('0' + index % 10);
  return id;
}

std::optional<uint32_t> ShardIndexFromId(std::string_view id) {
  constexpr std::string_view kPrefix = "shardId-";
  if (id.size() != kPrefix.size() + 12 || id.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  uint64_t v = 0;
  for (char c : id.substr(kPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::string SerializeStreamMeta(const StreamMeta& m) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("format_version");
  w.Int(1);
  w.Key("region");
  w.String(m.region);
  w.Key("account");
  w.String(m.account);
  w.Key("name");
  w.String(m.name);
  w.Key("created_ms");
  w.Int64(m.created_ms);
  w.Key("status");
  w.String(std::string(StatusName(m.status)));
  w.Key("status_due_ms");
  w.Int64(m.status_due_ms);
  w.Key("mode");
  w.String(std::string(StreamModeName(m.mode)));
  w.Key("retention_hours");
  w.Int(m.retention_hours);
  w.Key("max_record_size_kib");
  w.Int(m.max_record_size_kib);
  w.Key("encryption_type");
  w.String(std::string(EncryptionTypeName(m.encryption_type)));
  w.Key("key_id");
  w.String(m.key_id);
  w.Key("tags");
  w.StartObject();
  for (const auto& [k, v] : m.tags) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  w.Key("shard_level_metrics");
  w.StartArray();
  for (const auto& metric : m.shard_level_metrics) w.String(metric);
  w.EndArray();
  w.Key("warm_throughput_mibps");
  w.Int(m.warm_throughput_mibps);
  w.Key("resource_policies");
  w.StartObject();
  for (const auto& [arn, policy] : m.resource_policies) {
    w.Key(arn);
    w.String(policy);
  }
  w.EndObject();
  w.Key("consumers");
  w.StartArray();
  for (const auto& c : m.consumers) {
    w.StartObject();
    w.Key("name");
    w.String(c.name);
    w.Key("created_ms");
    w.Int64(c.created_ms);
    w.Key("status");
    w.String(std::string(ConsumerStatusName(c.status)));
    w.Key("status_due_ms");
    w.Int64(c.status_due_ms);
    w.Key("tags");
    w.StartObject();
    for (const auto& [k, v] : c.tags) {
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Key("shards");
  w.StartArray();
  for (const auto& s : m.shards) {
    w.StartObject();
    w.Key("index");
    w.Uint(s.index);
    w.Key("hash_start");
    w.String(model::HashKeyToDecimal(s.range.start));
    w.Key("hash_end");
    w.String(model::HashKeyToDecimal(s.range.end));
    if (s.parent) {
      w.Key("parent");
      w.Uint(*s.parent);
    }
    if (s.adjacent_parent) {
      w.Key("adjacent_parent");
      w.Uint(*s.adjacent_parent);
    }
    w.Key("created_ms");
    w.Int64(s.created_ms);
    if (s.closed_ms) {
      w.Key("closed_ms");
      w.Int64(*s.closed_ms);
    }
    if (s.ending_offset) {
      w.Key("ending_offset");
      w.Uint64(*s.ending_offset);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

Result<StreamMeta> ParseStreamMeta(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Status::Corruption("stream.json is not a JSON object");
  auto str = [&](const rapidjson::Value& o, const char* k) -> std::string {
    auto it = o.FindMember(k);
    return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  auto i64 = [&](const rapidjson::Value& o, const char* k) -> std::optional<int64_t> {
    auto it = o.FindMember(k);
    if (it == o.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
    return it->value.GetInt64();
  };
  StreamMeta m;
  m.region = str(d, "region");
  m.account = str(d, "account");
  m.name = str(d, "name");
  auto status = ParseStatus(str(d, "status"));
  auto created = i64(d, "created_ms");
  if (m.name.empty() || m.region.empty() || !status || !created)
    return Status::Corruption("stream.json lacks required fields");
  m.status = *status;
  m.created_ms = *created;
  m.status_due_ms = i64(d, "status_due_ms").value_or(0);
  auto mode = ParseStreamMode(str(d, "mode"));
  if (!mode) return Status::Corruption("stream.json has an unknown mode");
  m.mode = *mode;
  m.retention_hours = static_cast<int>(i64(d, "retention_hours").value_or(24));
  m.max_record_size_kib = static_cast<int>(i64(d, "max_record_size_kib").value_or(1024));
  auto encryption = ParseEncryptionType(str(d, "encryption_type"));
  if (!encryption) return Status::Corruption("stream.json has an unknown encryption_type");
  m.encryption_type = *encryption;
  m.key_id = str(d, "key_id");
  if (auto it = d.FindMember("tags"); it != d.MemberEnd() && it->value.IsObject())
    for (auto t = it->value.MemberBegin(); t != it->value.MemberEnd(); ++t)
      if (t->value.IsString()) m.tags[t->name.GetString()] = t->value.GetString();
  if (auto it = d.FindMember("shard_level_metrics"); it != d.MemberEnd() && it->value.IsArray())
    for (const auto& v : it->value.GetArray())
      if (v.IsString()) m.shard_level_metrics.push_back(v.GetString());
  m.warm_throughput_mibps = static_cast<int>(i64(d, "warm_throughput_mibps").value_or(0));
  if (auto it = d.FindMember("resource_policies"); it != d.MemberEnd() && it->value.IsObject())
    for (auto t = it->value.MemberBegin(); t != it->value.MemberEnd(); ++t)
      if (t->value.IsString()) m.resource_policies[t->name.GetString()] = t->value.GetString();
  if (auto it = d.FindMember("consumers"); it != d.MemberEnd() && it->value.IsArray())
    for (const auto& c : it->value.GetArray()) {
      ConsumerMeta cm;
      cm.name = str(c, "name");
      cm.created_ms = i64(c, "created_ms").value_or(0);
      auto consumer_status = ParseConsumerStatus(str(c, "status"));
      if (!consumer_status) return Status::Corruption("stream.json has a consumer with an unknown status");
      cm.status = *consumer_status;
      cm.status_due_ms = i64(c, "status_due_ms").value_or(0);
      if (auto t = c.FindMember("tags"); t != c.MemberEnd() && t->value.IsObject())
        for (auto kv = t->value.MemberBegin(); kv != t->value.MemberEnd(); ++kv)
          if (kv->value.IsString()) cm.tags[kv->name.GetString()] = kv->value.GetString();
      if (cm.name.empty()) return Status::Corruption("stream.json has a consumer without a name");
      m.consumers.push_back(std::move(cm));
    }
  auto shards = d.FindMember("shards");
  if (shards == d.MemberEnd() || !shards->value.IsArray()) return Status::Corruption("stream.json lacks shards");
  for (const auto& s : shards->value.GetArray()) {
    ShardMeta sm;
    sm.index = static_cast<uint32_t>(i64(s, "index").value_or(0));
    auto hs = model::ParseHashKey(str(s, "hash_start"));
    auto he = model::ParseHashKey(str(s, "hash_end"));
    if (!hs || !he) return Status::Corruption("stream.json has a bad hash key range");
    sm.range = {*hs, *he};
    if (auto p = i64(s, "parent")) sm.parent = static_cast<uint32_t>(*p);
    if (auto p = i64(s, "adjacent_parent")) sm.adjacent_parent = static_cast<uint32_t>(*p);
    sm.created_ms = i64(s, "created_ms").value_or(m.created_ms);
    sm.closed_ms = i64(s, "closed_ms");
    if (auto e = i64(s, "ending_offset")) sm.ending_offset = static_cast<uint64_t>(*e);
    m.shards.push_back(sm);
  }
  return m;
}

Status Stream::OpenLogsLocked(const storage::ShardLogOptions& options) {
  logs_.resize(meta_.shards.size());
  for (const auto& s : meta_.shards) {
    if (logs_[s.index]) continue;
    auto log = storage::ShardLog::Open(dir_ / "shards" / ShardIdFromIndex(s.index), options);
    if (!log.ok()) return log.status();
    logs_[s.index] = std::move(log).value();
  }
  return Status::Ok();
}

Status Stream::PersistLocked() const {
  io::FileSystem& fs = fs_ ? *fs_ : io::FileSystem::Default();
  return io::WriteFileAtomically(fs, dir_ / "stream.json", SerializeStreamMeta(meta_));
}

}  // namespace sluice::kinesis
