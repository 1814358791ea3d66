#include "firehose/format/object_key.h"

#include <cstdio>

namespace sluice::firehose::format {

std::string_view DefaultFileExtension(Compression c) {
  switch (c) {
    case Compression::kGzip: return ".gz";
    case Compression::kZip: return ".zip";
    case Compression::kSnappy: return ".snappy";
    case Compression::kHadoopSnappy: return ".snappy";
    case Compression::kUncompressed: break;
  }
  return "";
}

std::string_view ContentEncoding(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kZip: return "zip";
    case Compression::kSnappy: return "snappy-java";
    case Compression::kHadoopSnappy: return "hadoop-snappy";
    case Compression::kUncompressed: break;
  }
  return "";
}

Status ValidateFileExtension(std::string_view ext) {
  if (ext.empty()) return Status::Ok();
  auto bad = [&] {
    return Status::InvalidArgument("FileExtension '" + std::string(ext) +
                                   "' must start with '.' and contain only 0-9a-z!-_.*'() (at most 128 characters)");
  };
  if (ext.size() > 128 || ext.size() < 2 || ext[0] != '.') return bad();
  for (char c : ext) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '!' || c == '-' || c == '_' || c == '.' ||
              c == '*' || c == '\'' || c == '(' || c == ')';
    if (!ok) return bad();
  }
  return Status::Ok();
}

std::string ObjectName(std::string_view stream_name, int64_t version, int64_t time_ms, const TimeZone* zone,
                       std::string_view uuid, std::string_view extension) {
  int64_t secs = time_ms / 1000 - (time_ms % 1000 < 0 ? 1 : 0);
  LocalTime t = BreakDown(time_ms, zone ? zone->OffsetSeconds(secs) : 0);
  char when[32];
  std::snprintf(when, sizeof when, "%04d-%02d-%02d-%02d-%02d-%02d", t.year, t.month, t.day, t.hour, t.minute, t.second);
  std::string out;
  out.reserve(stream_name.size() + 64 + extension.size());
  out.append(stream_name).append("-").append(std::to_string(version)).append("-").append(when).append("-");
  out.append(uuid).append(extension);
  return out;
}

Result<ObjectKeys> ObjectKeys::Create(const DeliveryStreamConfig& config, UuidSource uuid_source) {
  const S3DestinationConfig& d = config.destination;
  ObjectKeys k;
  SLUICE_ASSIGN_OR_RETURN(k.prefixes_, S3Prefixes::Create(d.prefix, d.error_output_prefix, d.dynamic_partitioning));
  SLUICE_RETURN_IF_ERROR(ValidateFileExtension(d.file_extension));
  SLUICE_ASSIGN_OR_RETURN(k.zone_, TimeZone::Load(d.custom_time_zone));
  k.stream_name_ = config.name;
  k.version_ = config.version_id;
  k.extension_ = d.file_extension.empty() ? std::string(DefaultFileExtension(d.compression)) : d.file_extension;
  k.uuid_source_ = uuid_source ? std::move(uuid_source) : UuidSource(RandomUuid);
  UuidSource src = k.uuid_source_;
  k.random_string_ = [src] { return src().substr(0, 11); };
  return k;
}

std::string ObjectKeys::NewUuid() const { return uuid_source_(); }

std::string ObjectKeys::Name(int64_t name_time_ms) const {
  return ObjectName(stream_name_, version_, name_time_ms, zone_.get(), NewUuid(), extension_);
}

Result<std::string> ObjectKeys::Key(int64_t oldest_arrival_ms, int64_t name_time_ms, const PartitionKeys& query_keys,
                                    const PartitionKeys& lambda_keys) const {
  PrefixContext ctx;
  ctx.timestamp_ms = oldest_arrival_ms;
  ctx.zone = zone_.get();
  ctx.query_keys = &query_keys;
  ctx.lambda_keys = &lambda_keys;
  ctx.random_string = &random_string_;
  SLUICE_ASSIGN_OR_RETURN(std::string prefix, prefixes_.EvaluatePrefix(ctx));
  return prefix + Name(name_time_ms);
}

Result<std::string> ObjectKeys::ErrorKey(std::string_view error_output_type, int64_t oldest_arrival_ms,
                                         int64_t name_time_ms) const {
  if (error_output_type.empty()) return Status::InvalidArgument("an error output type is required");
  PrefixContext ctx;
  ctx.timestamp_ms = oldest_arrival_ms;
  ctx.zone = zone_.get();
  ctx.error_output_type = error_output_type;
  ctx.random_string = &random_string_;
  SLUICE_ASSIGN_OR_RETURN(std::string prefix, prefixes_.EvaluateErrorPrefix(ctx));
  return prefix + Name(name_time_ms);
}

}  // namespace sluice::firehose::format
