// The S3 destination: CreateDeliveryStream's (Extended)S3DestinationConfiguration
// and UpdateDestination's (Extended)S3DestinationUpdate applied to an
// S3DestinationConfig, the checks the model cannot express, and the
// DestinationDescription that DescribeDeliveryStream shows.
#include <rapidjson/document.h>

#include "firehose/api/context.h"
#include "firehose/format/object_key.h"

namespace sluice::firehose::api {

namespace {

// `old_json` with the top-level members of `update` replaced.
std::string MergeJson(const std::string& old_json, const rapidjson::Value& update) {
  rapidjson::Document d;
  d.Parse(old_json.c_str());
  if (d.HasParseError() || !d.IsObject()) return ToJson(update);
  for (auto m = update.MemberBegin(); m != update.MemberEnd(); ++m) {
    rapidjson::Value v(m->value, d.GetAllocator());
    if (auto it = d.FindMember(m->name); it != d.MemberEnd()) {
      it->value = v;
    } else {
      rapidjson::Value k(m->name, d.GetAllocator());
      d.AddMember(k, v, d.GetAllocator());
    }
  }
  return ToJson(d);
}

void Passthrough(const rapidjson::Value& in, const char* member, const char* key, bool merge, S3DestinationConfig& d) {
  const rapidjson::Value* v = GetObject(in, member);
  if (!v) return;
  auto it = d.passthrough_json.find(key);
  if (merge && it != d.passthrough_json.end()) {
    it->second = MergeJson(it->second, *v);
  } else {
    d.passthrough_json[key] = ToJson(*v);
  }
}

bool Contains(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

}  // namespace

ApiStatus ApplyS3(const rapidjson::Value& in, bool extended, bool update, S3DestinationConfig& d) {
  if (extended) d.extended = true;
  if (auto v = GetString(in, "RoleARN")) d.role_arn = *v;
  if (auto v = GetString(in, "BucketARN")) d.bucket_arn = *v;
  if (auto v = GetString(in, "Prefix")) d.prefix = *v;
  if (auto v = GetString(in, "ErrorOutputPrefix")) d.error_output_prefix = *v;
  if (const auto* b = GetObject(in, "BufferingHints")) {
    if (auto v = GetInt(*b, "SizeInMBs")) d.buffering_size_mb = static_cast<int>(*v);
    if (auto v = GetInt(*b, "IntervalInSeconds")) d.buffering_interval_s = static_cast<int>(*v);
  }
  if (auto v = GetString(in, "CompressionFormat")) {
    auto c = ParseCompression(*v);
    if (!c) return ApiError::InvalidArgument("Unsupported CompressionFormat " + *v + ".");
    d.compression = *c;
  }
  if (const auto* e = GetObject(in, "EncryptionConfiguration")) {
    if (e->HasMember("NoEncryptionConfig") && e->HasMember("KMSEncryptionConfig"))
      return ApiError::InvalidArgument(
          "EncryptionConfiguration may specify NoEncryptionConfig or KMSEncryptionConfig, not both.");
    // One choice replaces the other: never merged.
    Passthrough(in, "EncryptionConfiguration", "EncryptionConfiguration", false, d);
  }
  Passthrough(in, "CloudWatchLoggingOptions", "CloudWatchLoggingOptions", update, d);
  if (!extended) return ApiStatus::Ok();

  if (const auto* p = GetObject(in, "ProcessingConfiguration")) {
    if (auto v = GetBool(*p, "Enabled")) d.processing_enabled = *v;
    if (auto procs = p->FindMember("Processors"); procs != p->MemberEnd() && procs->value.IsArray()) {
      d.processors.clear();
      for (const auto& pr : procs->value.GetArray()) {
        ProcessorConfig pc;
        pc.type = GetString(pr, "Type").value_or("");
        if (auto ps = pr.FindMember("Parameters"); ps != pr.MemberEnd() && ps->value.IsArray())
          for (const auto& kv : ps->value.GetArray())
            pc.parameters.emplace_back(GetString(kv, "ParameterName").value_or(""),
                                       GetString(kv, "ParameterValue").value_or(""));
        d.processors.push_back(std::move(pc));
      }
    }
  }
  if (auto v = GetString(in, "S3BackupMode")) d.s3_backup_mode = *v;
  Passthrough(in, update ? "S3BackupUpdate" : "S3BackupConfiguration", "S3BackupDescription", update, d);
  if (const auto* f = GetObject(in, "DataFormatConversionConfiguration")) {
    if (GetBool(*f, "Enabled").value_or(true))
      return ApiError::InvalidArgument(
          "DataFormatConversionConfiguration is not supported: set Enabled to false or leave it out.");
    Passthrough(in, "DataFormatConversionConfiguration", "DataFormatConversionConfiguration", update, d);
  }
  if (const auto* dp = GetObject(in, "DynamicPartitioningConfiguration")) {
    if (auto v = GetBool(*dp, "Enabled")) d.dynamic_partitioning = *v;
    if (const auto* r = GetObject(*dp, "RetryOptions"))
      if (auto v = GetInt(*r, "DurationInSeconds")) d.dynamic_partitioning_retry_s = static_cast<int>(*v);
  }
  if (auto v = GetString(in, "FileExtension")) d.file_extension = *v;
  if (auto v = GetString(in, "CustomTimeZone")) d.custom_time_zone = v->empty() ? "UTC" : *v;
  return ApiStatus::Ok();
}

ApiStatus ValidateDestination(const S3DestinationConfig& d) {
  if (d.role_arn.empty()) return ApiError::InvalidArgument("RoleARN is required.");
  if (d.bucket().empty())
    return ApiError::InvalidArgument("BucketARN " + d.bucket_arn + " is not a valid S3 bucket ARN.");
  if (d.buffering_size_mb < 1 || d.buffering_size_mb > 128)
    return ApiError::InvalidArgument("BufferingHints.SizeInMBs must be between 1 and 128.");
  if (d.buffering_interval_s < 0 || d.buffering_interval_s > 900)
    return ApiError::InvalidArgument("BufferingHints.IntervalInSeconds must be between 0 and 900.");

  bool metadata_extraction = false;
  for (const auto& p : d.processors) {
    if (p.type == "Lambda")
      return ApiError::InvalidArgument("Processor type Lambda is not supported: Sluice runs no Lambda functions.");
    if (p.type == "AppendDelimiterToRecord" || p.type == "RecordDeAggregation") continue;
    if (p.type == "MetadataExtraction") {
      if (p.Param("MetadataExtractionQuery").empty())
        return ApiError::InvalidArgument(
            "MetadataExtraction processor requires the MetadataExtractionQuery parameter.");
      if (p.Param("JsonParsingEngine") != "JQ-1.6")
        return ApiError::InvalidArgument(
            "MetadataExtraction processor requires the JsonParsingEngine parameter with value JQ-1.6.");
      metadata_extraction = metadata_extraction || d.processing_enabled;
      continue;
    }
    return ApiError::InvalidArgument("Processor type " + p.type +
                                     " is not supported; supported types are AppendDelimiterToRecord, "
                                     "MetadataExtraction and RecordDeAggregation.");
  }

  // Prefix / ErrorOutputPrefix expressions, FileExtension and CustomTimeZone,
  // with AWS's rules (firehose/format/).
  {
    DeliveryStreamConfig probe;
    probe.destination = d;
    auto keys = format::ObjectKeys::Create(probe);
    if (!keys.ok()) return ApiError::InvalidArgument(keys.status().message());
  }
  // What the format helper leaves to us: the processors that produce keys.
  if (d.dynamic_partitioning) {
    if (Contains(d.prefix, "!{partitionKeyFromLambda:"))
      return ApiError::InvalidArgument("partitionKeyFromLambda is not supported: Sluice runs no Lambda functions.");
    if (Contains(d.prefix, "!{partitionKeyFromQuery:") && !metadata_extraction)
      return ApiError::InvalidArgument(
          "Prefix uses partitionKeyFromQuery but no enabled MetadataExtraction processor defines the keys.");
    if (d.buffering_interval_s == 0)
      return ApiError::InvalidArgument(
          "BufferingHints.IntervalInSeconds 0 (zero buffering) is not supported with dynamic partitioning.");
  }
  return ApiStatus::Ok();
}

namespace {

void WriteRaw(JsonWriter& w, const S3DestinationConfig& d, const char* key, const char* fallback) {
  auto it = d.passthrough_json.find(key);
  const std::string& text = it != d.passthrough_json.end() ? it->second : std::string();
  rapidjson::Document doc;
  if (!text.empty()) doc.Parse(text.c_str());
  if (text.empty() || doc.HasParseError()) {
    if (!fallback) return;
    doc.Parse(fallback);
  }
  w.Key(key);
  doc.Accept(w);
}

void WriteS3Common(JsonWriter& w, const S3DestinationConfig& d) {
  w.Key("RoleARN");
  w.String(d.role_arn);
  w.Key("BucketARN");
  w.String(d.bucket_arn);
  w.Key("Prefix");
  w.String(d.prefix);
  if (!d.error_output_prefix.empty()) {
    w.Key("ErrorOutputPrefix");
    w.String(d.error_output_prefix);
  }
  w.Key("BufferingHints");
  w.StartObject();
  w.Key("SizeInMBs");
  w.Int(d.buffering_size_mb);
  w.Key("IntervalInSeconds");
  w.Int(d.buffering_interval_s);
  w.EndObject();
  w.Key("CompressionFormat");
  w.String(std::string(CompressionName(d.compression)));
  WriteRaw(w, d, "EncryptionConfiguration", R"({"NoEncryptionConfig":"NoEncryption"})");
  WriteRaw(w, d, "CloudWatchLoggingOptions", R"({"Enabled":false})");
}

}  // namespace

void WriteDestinationDescription(JsonWriter& w, const S3DestinationConfig& d) {
  w.Key("DestinationId");
  w.String(d.destination_id);
  w.Key("S3DestinationDescription");
  w.StartObject();
  WriteS3Common(w, d);
  w.EndObject();
  w.Key("ExtendedS3DestinationDescription");
  w.StartObject();
  WriteS3Common(w, d);
  if (d.processing_enabled || !d.processors.empty()) {
    w.Key("ProcessingConfiguration");
    w.StartObject();
    w.Key("Enabled");
    w.Bool(d.processing_enabled);
    w.Key("Processors");
    w.StartArray();
    for (const auto& p : d.processors) {
      w.StartObject();
      w.Key("Type");
      w.String(p.type);
      w.Key("Parameters");
      w.StartArray();
      for (const auto& [k, v] : p.parameters) {
        w.StartObject();
        w.Key("ParameterName");
        w.String(k);
        w.Key("ParameterValue");
        w.String(v);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.Key("S3BackupMode");
  w.String(d.s3_backup_mode);
  WriteRaw(w, d, "S3BackupDescription", nullptr);
  WriteRaw(w, d, "DataFormatConversionConfiguration", nullptr);
  if (d.dynamic_partitioning) {
    w.Key("DynamicPartitioningConfiguration");
    w.StartObject();
    w.Key("RetryOptions");
    w.StartObject();
    w.Key("DurationInSeconds");
    w.Int(d.dynamic_partitioning_retry_s);
    w.EndObject();
    w.Key("Enabled");
    w.Bool(true);
    w.EndObject();
  }
  if (!d.file_extension.empty()) {
    w.Key("FileExtension");
    w.String(d.file_extension);
  }
  if (!d.custom_time_zone.empty() && d.custom_time_zone != "UTC") {
    w.Key("CustomTimeZone");
    w.String(d.custom_time_zone);
  }
  w.EndObject();
}

}  // namespace sluice::firehose::api
