// A Firehose delivery stream: its durable configuration (what
// CreateDeliveryStream / UpdateDestination set and DescribeDeliveryStream
// shows) and, for DirectPut streams, the spool that holds accepted records
// until they are delivered. docs/format/firehose.md is the on-disk layout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "compress/compress.h"
#include "io/file_system.h"
#include "storage/shard_log.h"

namespace sluice::firehose {

using Compression = compress::Compression;        // compress/compress.h
std::string_view CompressionName(Compression c);  // the API's enum strings
std::optional<Compression> ParseCompression(std::string_view s);

struct ProcessorConfig {
  std::string type;  // RecordDeAggregation | MetadataExtraction | AppendDelimiterToRecord | ...
  std::vector<std::pair<std::string, std::string>> parameters;  // ParameterName -> ParameterValue
  // The value of parameter `name`, or "".
  std::string Param(std::string_view name) const;
};

// The (Extended)S3 destination, with AWS's defaults applied.
struct S3DestinationConfig {
  std::string destination_id = "destinationId-000000000001";
  bool extended = true;  // ExtendedS3DestinationConfiguration (vs the legacy S3DestinationConfiguration)
  std::string role_arn;
  std::string bucket_arn;  // arn:aws:s3:::<bucket>
  std::string prefix;
  std::string error_output_prefix;
  int buffering_size_mb = 5;       // BufferingHints.SizeInMBs, 1..128
  int buffering_interval_s = 300;  // BufferingHints.IntervalInSeconds, 0..900
  Compression compression = Compression::kUncompressed;
  std::string file_extension;  // "" = by compression (".gz", ...)
  std::string custom_time_zone = "UTC";
  bool processing_enabled = false;
  std::vector<ProcessorConfig> processors;
  bool dynamic_partitioning = false;
  int dynamic_partitioning_retry_s = 300;
  std::string s3_backup_mode = "Disabled";
  // Fields we accept and echo back in DescribeDeliveryStream but do not act on
  // (CloudWatchLoggingOptions, EncryptionConfiguration, ...): their JSON text.
  std::map<std::string, std::string> passthrough_json;

  std::string bucket() const;  // from bucket_arn, "" when not an S3 ARN
};

enum class DeliveryStreamStatus { kCreating, kActive, kDeleting };
std::string_view StatusName(DeliveryStreamStatus s);

// DeliveryStreamType, as the API and config.json spell it (nullopt from
// Parse for any other string, including the unsupported sources).
enum class DeliveryStreamType { kDirectPut, kKinesisStreamAsSource };
std::string_view DeliveryStreamTypeName(DeliveryStreamType t);
std::optional<DeliveryStreamType> ParseDeliveryStreamType(std::string_view s);

struct DeliveryStreamConfig {
  std::string region;
  std::string account;
  std::string name;
  DeliveryStreamType type = DeliveryStreamType::kDirectPut;
  std::string source_stream_arn;  // KinesisStreamAsSource
  std::string source_role_arn;
  int64_t delivery_start_ms = 0;  // KinesisStreamAsSource: reading starts here (LATEST at creation)
  S3DestinationConfig destination;
  int64_t version_id = 1;  // bumped by UpdateDestination
  DeliveryStreamStatus status = DeliveryStreamStatus::kCreating;
  int64_t status_due_ms = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::map<std::string, std::string> tags;
  bool encryption_enabled = false;  // Start/StopDeliveryStreamEncryption
  std::string encryption_key_type = "AWS_OWNED_CMK";
  std::string encryption_key_arn;

  std::string arn() const;  // arn:aws:firehose:<region>:<account>:deliverystream/<name>
};

std::string SerializeConfig(const DeliveryStreamConfig& config);
Result<DeliveryStreamConfig> ParseConfig(std::string_view json);

// One delivery stream's live state. `mu` guards config(); the spool is
// internally synchronized (storage/shard_log.h).
class DeliveryStream {
 public:
  // config.json and positions.json are written through `fs` (nullptr:
  // io::FileSystem::Default(); it must outlive the stream).
  DeliveryStream(DeliveryStreamConfig config, std::filesystem::path dir, io::FileSystem* fs = nullptr)
      : config_(std::move(config)), dir_(std::move(dir)), fs_(fs ? fs : &io::FileSystem::Default()) {}

  mutable Mutex mu;
  DeliveryStreamConfig& config() REQUIRES(mu) { return config_; }
  const DeliveryStreamConfig& config() const REQUIRES(mu) { return config_; }
  const std::filesystem::path& dir() const { return dir_; }
  io::FileSystem& fs() const { return *fs_; }

  // DirectPut streams: records accepted by PutRecord(Batch), durable before
  // the put is acknowledged; the delivery engine reads and delivers them.
  // nullptr for other source types.
  storage::ShardLog* spool() const { return spool_.get(); }
  void set_spool(std::unique_ptr<storage::ShardLog> spool) { spool_ = std::move(spool); }

  // Writes config.json atomically. Caller holds mu.
  Status PersistLocked() const REQUIRES(mu);

 private:
  DeliveryStreamConfig config_ GUARDED_BY(mu);
  std::filesystem::path dir_;
  io::FileSystem* fs_;
  std::unique_ptr<storage::ShardLog> spool_;
};

// Told by the catalog when delivery streams come, change and go, so the
// delivery engine can start, reconfigure and stop their pipelines. Called
// without catalog locks held; must not block for long.
class DeliveryListener {
 public:
  virtual ~DeliveryListener() = default;
  virtual void OnActive(const std::shared_ptr<DeliveryStream>& stream) = 0;    // created (or loaded) and ACTIVE
  virtual void OnUpdated(const std::shared_ptr<DeliveryStream>& stream) = 0;   // UpdateDestination took effect
  virtual void OnDeleting(const std::shared_ptr<DeliveryStream>& stream) = 0;  // stop delivering
  // A DirectPut spool received records (wake the pipeline).
  virtual void OnRecords(const std::shared_ptr<DeliveryStream>& stream) = 0;
};

}  // namespace sluice::firehose
