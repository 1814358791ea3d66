// Stream: one Kinesis data stream — its durable metadata (StreamMeta) and its
// shards' record logs. docs/format/stream-metadata.md is the file format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "model/hash_key.h"
#include "storage/shard_log.h"

namespace sluice::io {
class FileSystem;
}  // namespace sluice::io

namespace sluice::kinesis {

enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };
std::string_view StatusName(StreamStatus s);
std::optional<StreamStatus> ParseStatus(std::string_view s);

// The closed sets below travel as AWS's strings on the wire and in
// stream.json: each has one Name (the string) and one Parse (nullopt for any
// other string).
enum class StreamMode { kProvisioned, kOnDemand };  // PROVISIONED, ON_DEMAND
std::string_view StreamModeName(StreamMode mode);
std::optional<StreamMode> ParseStreamMode(std::string_view s);

enum class EncryptionType { kNone, kKms };  // NONE, KMS
std::string_view EncryptionTypeName(EncryptionType type);
std::optional<EncryptionType> ParseEncryptionType(std::string_view s);

enum class ConsumerStatus { kCreating, kActive, kDeleting };  // CREATING, ACTIVE, DELETING
std::string_view ConsumerStatusName(ConsumerStatus status);
std::optional<ConsumerStatus> ParseConsumerStatus(std::string_view s);

struct ShardMeta {
  uint32_t index = 0;  // shardId-<index as 12 digits>
  model::HashKeyRange range;
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  int64_t created_ms = 0;
  // Set once the shard is closed by resharding: its records end at
  // ending_offset (exclusive) and no more are accepted.
  std::optional<int64_t> closed_ms;
  std::optional<uint64_t> ending_offset;

  bool open() const { return !closed_ms.has_value(); }
};

// An enhanced fan-out consumer (RegisterStreamConsumer). Its ARN is the
// stream's ARN + "/consumer/<name>:<creation epoch seconds>".
struct ConsumerMeta {
  std::string name;
  int64_t created_ms = 0;
  ConsumerStatus status = ConsumerStatus::kCreating;
  int64_t status_due_ms = 0;  // when CREATING/DELETING ends
  std::map<std::string, std::string> tags;
};

struct StreamMeta {
  std::string region;
  std::string account;
  std::string name;
  int64_t created_ms = 0;  // StreamCreationTimestamp; its seconds are the sequence-number epoch
  StreamStatus status = StreamStatus::kCreating;
  int64_t status_due_ms = 0;  // when a CREATING/UPDATING/DELETING state ends
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  int max_record_size_kib = 1024;
  EncryptionType encryption_type = EncryptionType::kNone;
  std::string key_id;
  std::map<std::string, std::string> tags;
  // EnableEnhancedMonitoring: metric names (never "ALL"), kept sorted.
  std::vector<std::string> shard_level_metrics;
  int warm_throughput_mibps = 0;  // ON_DEMAND only; 0 = none requested
  // PutResourcePolicy: policy JSON by the ARN it is attached to (the stream
  // or one of its consumers).
  std::map<std::string, std::string> resource_policies;
  std::vector<ConsumerMeta> consumers;  // in registration order
  std::vector<ShardMeta> shards;

  int64_t epoch_s() const { return created_ms / 1000; }
  std::string arn() const;
  std::string ConsumerArn(const ConsumerMeta& c) const;
  ConsumerMeta* FindConsumer(std::string_view name);
  const ConsumerMeta* FindConsumer(std::string_view name) const;
  int OpenShardCount() const;
};

std::string ShardIdFromIndex(uint32_t index);
// "shardId-000000000007" -> 7; nullopt when not of that form.
std::optional<uint32_t> ShardIndexFromId(std::string_view id);

// JSON form of StreamMeta, as stored in stream.json.
std::string SerializeStreamMeta(const StreamMeta& meta);
Result<StreamMeta> ParseStreamMeta(std::string_view json);

class Stream {
 public:
  // stream.json is written through `fs` (nullptr: io::FileSystem::Default();
  // it must outlive the stream). The shard logs use their own options' fs.
  Stream(StreamMeta meta, std::filesystem::path dir, io::FileSystem* fs = nullptr)
      : meta_(std::move(meta)), dir_(std::move(dir)), fs_(fs) {}

  // Guards meta_ and logs_. Readers of records take it shared; metadata
  // changes take it exclusively and then call PersistLocked().
  mutable SharedMutex mu;

  // Callers hold mu: shared to read, exclusive to change what it returns.
  StreamMeta& meta() REQUIRES_SHARED(mu) { return meta_; }
  const StreamMeta& meta() const REQUIRES_SHARED(mu) { return meta_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Log of shard `index`, or nullptr. Caller holds mu (shared is enough).
  storage::ShardLog* log(uint32_t index) const REQUIRES_SHARED(mu) {
    return index < logs_.size() ? logs_[index].get() : nullptr;
  }

  // Opens (creating if absent) the log of every shard in meta. Holds mu.
  Status OpenLogsLocked(const storage::ShardLogOptions& options) REQUIRES(mu);
  // Writes stream.json atomically (durable on return). Holds mu.
  Status PersistLocked() const REQUIRES(mu);

 private:
  StreamMeta meta_ GUARDED_BY(mu);
  std::filesystem::path dir_;
  io::FileSystem* fs_;
  std::vector<std::unique_ptr<storage::ShardLog>> logs_ GUARDED_BY(mu);
};

}  // namespace sluice::kinesis
