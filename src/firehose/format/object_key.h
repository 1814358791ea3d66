// Object keys exactly as Firehose names S3 objects (docs: "Configure Amazon S3
// object name format", firehose/latest/dev/s3-object-name.html):
//
//   <evaluated prefix><stream name>-<stream version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>
//
// - stream version = DeliveryStreamConfig::version_id (starts at 1, +1 per
//   UpdateDestination);
// - the time is formatted in CustomTimeZone ("the time zone used for time
//   prefix and suffix"); which instant is the caller's choice (`name_time_ms`);
// - uuid is a random v4 UUID (injectable for tests);
// - extension = FileExtension if set, else by compression: GZIP ".gz",
//   ZIP ".zip", Snappy ".snappy", HADOOP_SNAPPY ".snappy" (what the service
//   delivers; the docs table says ".hsnappy"), UNCOMPRESSED none.
// Error output objects use the same name under the error prefix.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "firehose/delivery_stream.h"
#include "firehose/format/prefix.h"
#include "firehose/format/time_zone.h"

namespace sluice::firehose::format {

// The extension Firehose appends for a compression format ("" for none).
std::string_view DefaultFileExtension(Compression c);
// The Content-Encoding Firehose sets on the object ("" for none): gzip, zip,
// snappy-java (Snappy), hadoop-snappy (HADOOP_SNAPPY).
std::string_view ContentEncoding(Compression c);
// FileExtension as the API accepts it: "" or ^\.[0-9a-z!\-_.*'()]+ , <= 128 chars.
Status ValidateFileExtension(std::string_view ext);

// "<name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>" at `time_ms`
// in `zone` (nullptr = UTC).
std::string ObjectName(std::string_view stream_name, int64_t version, int64_t time_ms, const TimeZone* zone,
                       std::string_view uuid, std::string_view extension);

// Everything needed to name a stream's objects, from one configuration
// snapshot. Immutable after Create; Key/ErrorKey are const and thread-safe if
// the injected uuid source is.
class ObjectKeys {
 public:
  using UuidSource = std::function<std::string()>;  // returns a canonical UUID

  // Validates Prefix/ErrorOutputPrefix (S3Prefixes), FileExtension and
  // CustomTimeZone. `uuid_source` defaults to RandomUuid(); the random-string
  // expression uses the first 11 characters of a value from the same source.
  static Result<ObjectKeys> Create(const DeliveryStreamConfig& config, UuidSource uuid_source = nullptr);

  // The key of a data object whose oldest record arrived at `oldest_arrival_ms`
  // (prefix timestamps), named at `name_time_ms` (the suffix time).
  Result<std::string> Key(int64_t oldest_arrival_ms, int64_t name_time_ms, const PartitionKeys& query_keys = {},
                          const PartitionKeys& lambda_keys = {}) const;
  // The key of an error-output object, e.g. error_output_type "processing-failed".
  Result<std::string> ErrorKey(std::string_view error_output_type, int64_t oldest_arrival_ms,
                               int64_t name_time_ms) const;

  const std::string& extension() const { return extension_; }
  const S3Prefixes& prefixes() const { return prefixes_; }
  const TimeZone& zone() const { return *zone_; }

 private:
  ObjectKeys() = default;
  std::string NewUuid() const;
  std::string Name(int64_t name_time_ms) const;

  S3Prefixes prefixes_;
  std::shared_ptr<const TimeZone> zone_;
  std::string stream_name_;
  int64_t version_ = 1;
  std::string extension_;
  UuidSource uuid_source_;
  std::function<std::string()> random_string_;
};

}  // namespace sluice::firehose::format
