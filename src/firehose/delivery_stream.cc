#include "firehose/delivery_stream.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "io/file_util.h"

namespace sluice::firehose {

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kUncompressed: return "UNCOMPRESSED";
    case Compression::kGzip: return "GZIP";
    case Compression::kZip: return "ZIP";
    case Compression::kSnappy: return "Snappy";
    case Compression::kHadoopSnappy: return "HADOOP_SNAPPY";
  }
  return "UNCOMPRESSED";
}

std::optional<Compression> ParseCompression(std::string_view s) {
  if (s == "UNCOMPRESSED") return Compression::kUncompressed;
  if (s == "GZIP") return Compression::kGzip;
  if (s == "ZIP") return Compression::kZip;
  if (s == "Snappy") return Compression::kSnappy;
  if (s == "HADOOP_SNAPPY") return Compression::kHadoopSnappy;
  return std::nullopt;
}

std::string_view StatusName(DeliveryStreamStatus s) {
  switch (s) {
    case DeliveryStreamStatus::kCreating: return "CREATING";
    case DeliveryStreamStatus::kActive: return "ACTIVE";
    case DeliveryStreamStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::string_view DeliveryStreamTypeName(DeliveryStreamType t) {
  return t == DeliveryStreamType::kKinesisStreamAsSource ? "KinesisStreamAsSource" : "DirectPut";
}

std::optional<DeliveryStreamType> ParseDeliveryStreamType(std::string_view s) {
  if (s == "DirectPut") return DeliveryStreamType::kDirectPut;
  if (s == "KinesisStreamAsSource") return DeliveryStreamType::kKinesisStreamAsSource;
  return std::nullopt;
}

namespace {

std::optional<DeliveryStreamStatus> ParseStatus(std::string_view s) {
  if (s == "CREATING") return DeliveryStreamStatus::kCreating;
  if (s == "ACTIVE") return DeliveryStreamStatus::kActive;
  if (s == "DELETING") return DeliveryStreamStatus::kDeleting;
  return std::nullopt;
}

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void WriteDestination(Writer& w, const S3DestinationConfig& d) {
  w.StartObject();
  w.Key("destination_id");
  w.String(d.destination_id);
  w.Key("extended");
  w.Bool(d.extended);
  w.Key("role_arn");
  w.String(d.role_arn);
  w.Key("bucket_arn");
  w.String(d.bucket_arn);
  w.Key("prefix");
  w.String(d.prefix);
  w.Key("error_output_prefix");
  w.String(d.error_output_prefix);
  w.Key("buffering_size_mb");
  w.Int(d.buffering_size_mb);
  w.Key("buffering_interval_s");
  w.Int(d.buffering_interval_s);
  w.Key("compression");
  w.String(std::string(CompressionName(d.compression)));
  w.Key("file_extension");
  w.String(d.file_extension);
  w.Key("custom_time_zone");
  w.String(d.custom_time_zone);
  w.Key("processing_enabled");
  w.Bool(d.processing_enabled);
  w.Key("processors");
  w.StartArray();
  for (const auto& p : d.processors) {
    w.StartObject();
    w.Key("type");
    w.String(p.type);
    w.Key("parameters");
    w.StartArray();
    for (const auto& [name, value] : p.parameters) {
      w.StartArray();
      w.String(name);
      w.String(value);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("dynamic_partitioning");
  w.Bool(d.dynamic_partitioning);
  w.Key("dynamic_partitioning_retry_s");
  w.Int(d.dynamic_partitioning_retry_s);
  w.Key("s3_backup_mode");
  w.String(d.s3_backup_mode);
  // Echoed-back API fields, stored as the JSON the client sent.
  w.Key("passthrough");
  w.StartObject();
  for (const auto& [k, v] : d.passthrough_json) {
    rapidjson::Document doc;
    doc.Parse(v.data(), v.size());
    if (doc.HasParseError()) continue;
    w.Key(k);
    doc.Accept(w);
  }
  w.EndObject();
  w.EndObject();
}

std::string Str(const rapidjson::Value& o, const char* k, std::string def = "") {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : def;
}

std::optional<int64_t> I64(const rapidjson::Value& o, const char* k) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

bool Bool(const rapidjson::Value& o, const char* k, bool def) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsBool() ? it->value.GetBool() : def;
}

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

Result<S3DestinationConfig> ParseDestination(const rapidjson::Value& o) {
  if (!o.IsObject()) return Status::Corruption("config.json: destination is not an object");
  S3DestinationConfig d;
  d.destination_id = Str(o, "destination_id", d.destination_id);
  d.extended = Bool(o, "extended", true);
  d.role_arn = Str(o, "role_arn");
  d.bucket_arn = Str(o, "bucket_arn");
  d.prefix = Str(o, "prefix");
  d.error_output_prefix = Str(o, "error_output_prefix");
  d.buffering_size_mb = static_cast<int>(I64(o, "buffering_size_mb").value_or(5));
  d.buffering_interval_s = static_cast<int>(I64(o, "buffering_interval_s").value_or(300));
  auto c = ParseCompression(Str(o, "compression", "UNCOMPRESSED"));
  if (!c) return Status::Corruption("config.json: unknown compression " + Str(o, "compression"));
  d.compression = *c;
  d.file_extension = Str(o, "file_extension");
  d.custom_time_zone = Str(o, "custom_time_zone", "UTC");
  d.processing_enabled = Bool(o, "processing_enabled", false);
  if (auto it = o.FindMember("processors"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& p : it->value.GetArray()) {
      if (!p.IsObject()) return Status::Corruption("config.json: bad processor");
      ProcessorConfig pc;
      pc.type = Str(p, "type");
      if (auto ps = p.FindMember("parameters"); ps != p.MemberEnd() && ps->value.IsArray()) {
        for (const auto& kv : ps->value.GetArray()) {
          if (!kv.IsArray() || kv.Size() != 2 || !kv[0].IsString() || !kv[1].IsString())
            return Status::Corruption("config.json: bad processor parameter");
          pc.parameters.emplace_back(std::string(kv[0].GetString(), kv[0].GetStringLength()),
                                     std::string(kv[1].GetString(), kv[1].GetStringLength()));
        }
      }
      d.processors.push_back(std::move(pc));
    }
  }
  d.dynamic_partitioning = Bool(o, "dynamic_partitioning", false);
  d.dynamic_partitioning_retry_s = static_cast<int>(I64(o, "dynamic_partitioning_retry_s").value_or(300));
  d.s3_backup_mode = Str(o, "s3_backup_mode", "Disabled");
  if (auto it = o.FindMember("passthrough"); it != o.MemberEnd() && it->value.IsObject())
    for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m)
      d.passthrough_json[std::string(m->name.GetString(), m->name.GetStringLength())] = ToJson(m->value);
  return d;
}

}  // namespace

std::string ProcessorConfig::Param(std::string_view name) const {
  for (const auto& [k, v] : parameters)
    if (k == name) return v;
  return "";
}

std::string S3DestinationConfig::bucket() const {
  // arn:<partition>:s3:::<bucket>
  constexpr std::string_view kMarker = ":s3:::";
  if (bucket_arn.rfind("arn:", 0) != 0) return "";
  size_t p = bucket_arn.find(kMarker);
  if (p == std::string::npos) return "";
  // The partition sits between "arn:" and ":s3:::" and has no colon.
  if (bucket_arn.find(':', 4) != p) return "";
  std::string b = bucket_arn.substr(p + kMarker.size());
  if (b.empty() || b.find('/') != std::string::npos || b.find(':') != std::string::npos) return "";
  return b;
}

std::string DeliveryStreamConfig::arn() const {
  return "arn:aws:firehose:" + region + ":" + account + ":deliverystream/" + name;
}

std::string SerializeConfig(const DeliveryStreamConfig& c) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("format_version");
  w.Int(1);
  w.Key("region");
  w.String(c.region);
  w.Key("account");
  w.String(c.account);
  w.Key("name");
  w.String(c.name);
  w.Key("type");
  w.String(std::string(DeliveryStreamTypeName(c.type)));
  w.Key("source_stream_arn");
  w.String(c.source_stream_arn);
  w.Key("source_role_arn");
  w.String(c.source_role_arn);
  w.Key("delivery_start_ms");
  w.Int64(c.delivery_start_ms);
  w.Key("version_id");
  w.Int64(c.version_id);
  w.Key("status");
  w.String(std::string(StatusName(c.status)));
  w.Key("status_due_ms");
  w.Int64(c.status_due_ms);
  w.Key("created_ms");
  w.Int64(c.created_ms);
  w.Key("updated_ms");
  w.Int64(c.updated_ms);
  w.Key("tags");
  w.StartObject();
  for (const auto& [k, v] : c.tags) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  w.Key("encryption");
  w.StartObject();
  w.Key("enabled");
  w.Bool(c.encryption_enabled);
  w.Key("key_type");
  w.String(c.encryption_key_type);
  w.Key("key_arn");
  w.String(c.encryption_key_arn);
  w.EndObject();
  w.Key("destination");
  WriteDestination(w, c.destination);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

Result<DeliveryStreamConfig> ParseConfig(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Status::Corruption("config.json is not a JSON object");
  if (I64(d, "format_version").value_or(0) != 1) return Status::Corruption("config.json: unsupported format_version");
  DeliveryStreamConfig c;
  c.region = Str(d, "region");
  c.account = Str(d, "account");
  c.name = Str(d, "name");
  auto status = ParseStatus(Str(d, "status"));
  auto created = I64(d, "created_ms");
  if (c.region.empty() || c.name.empty() || !status || !created)
    return Status::Corruption("config.json lacks required fields");
  c.status = *status;
  c.created_ms = *created;
  std::string type_name = Str(d, "type", "DirectPut");
  std::optional<DeliveryStreamType> type = ParseDeliveryStreamType(type_name);
  if (!type) return Status::Corruption("config.json: unknown delivery stream type " + type_name);
  c.type = *type;
  c.source_stream_arn = Str(d, "source_stream_arn");
  c.source_role_arn = Str(d, "source_role_arn");
  c.delivery_start_ms = I64(d, "delivery_start_ms").value_or(0);
  c.version_id = I64(d, "version_id").value_or(1);
  c.status_due_ms = I64(d, "status_due_ms").value_or(0);
  c.updated_ms = I64(d, "updated_ms").value_or(c.created_ms);
  if (auto it = d.FindMember("tags"); it != d.MemberEnd() && it->value.IsObject())
    for (auto t = it->value.MemberBegin(); t != it->value.MemberEnd(); ++t)
      if (t->value.IsString()) c.tags[t->name.GetString()] = t->value.GetString();
  if (auto it = d.FindMember("encryption"); it != d.MemberEnd() && it->value.IsObject()) {
    c.encryption_enabled = Bool(it->value, "enabled", false);
    c.encryption_key_type = Str(it->value, "key_type", "AWS_OWNED_CMK");
    c.encryption_key_arn = Str(it->value, "key_arn");
  }
  auto dest = d.FindMember("destination");
  if (dest == d.MemberEnd()) return Status::Corruption("config.json lacks destination");
  auto parsed = ParseDestination(dest->value);
  if (!parsed.ok()) return parsed.status();
  c.destination = std::move(parsed).value();
  return c;
}

Status DeliveryStream::PersistLocked() const {
  return io::WriteFileAtomically(*fs_, dir_ / "config.json", SerializeConfig(config_));
}

}  // namespace sluice::firehose
