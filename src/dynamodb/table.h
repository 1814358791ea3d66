// TableDefinition: what the catalog knows of one DynamoDB table — its key
// schema, secondary indexes, billing, TTL, tags and states — and the two
// JSON forms of it: the catalog row persisted in the store (all fields, for
// recovery) and AWS's TableDescription (DescribeTable, CreateTable, ...).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dynamodb/store/store_types.h"
#include "dynamodb/value/attribute_value.h"
#include "sluice/status.h"

namespace sluice::dynamodb {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// A key attribute: its name and scalar type (kS, kN or kB).
struct KeyAttribute {
  std::string name;
  AttributeType type = AttributeType::kS;
};

struct KeySchema {
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
};

enum class ProjectionType { kAll, kKeysOnly, kInclude };

struct IndexProjection {
  ProjectionType type = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude
};

enum class IndexStatus { kCreating, kActive, kDeleting };

struct ProvisionedThroughput {
  int64_t read = 0, write = 0;
  int64_t last_increase_ms = 0, last_decrease_ms = 0;
};

struct SecondaryIndex {
  std::string name;
  store::IndexId id = 0;  // > 0, never reused within the table
  bool global = true;     // GSI; false: LSI
  KeySchema keys;
  IndexProjection projection;
  IndexStatus status = IndexStatus::kActive;
  bool backfilling = false;
  ProvisionedThroughput throughput;  // GSIs of PROVISIONED tables
};

enum class TableStatus { kCreating, kActive, kUpdating, kDeleting };
enum class BillingMode { kProvisioned, kPayPerRequest };

struct TimeToLive {
  std::string attribute;  // empty: never enabled
  bool enabled = false;
  bool pass_pending = false;  // items written before enabling still lack their deadline in the store
};

struct TableDefinition {
  std::string region;
  std::string name;
  store::TableId id = 0;
  std::string uuid;  // TableId in AWS's description
  std::string account;
  TableStatus status = TableStatus::kCreating;
  int64_t created_ms = 0;
  int64_t status_since_ms = 0;  // when the current transient status began
  KeySchema keys;
  std::map<std::string, AttributeType> attribute_definitions;
  std::vector<SecondaryIndex> indexes;
  store::IndexId next_index_id = 1;
  BillingMode billing = BillingMode::kProvisioned;
  int64_t pay_per_request_since_ms = 0;
  ProvisionedThroughput throughput;
  TimeToLive ttl;
  std::map<std::string, std::string> tags;
  bool point_in_time_recovery = false;
  int64_t pitr_since_ms = 0;
  bool deletion_protection = false;
  std::string table_class = "STANDARD";
  bool stream_enabled = false;
  std::string stream_view_type;

  std::string Arn() const;
  std::string IndexArn(const SecondaryIndex& index) const;
  const SecondaryIndex* FindIndex(std::string_view index_name) const;
  SecondaryIndex* FindIndex(std::string_view index_name);
};

std::string_view ToString(TableStatus status);
std::string_view ToString(IndexStatus status);
std::string_view ToString(BillingMode mode);
std::string_view ToString(ProjectionType type);

// The catalog row (the store's opaque description) and back.
std::string SerializeDefinition(const TableDefinition& table);
Result<TableDefinition> ParseDefinition(std::string_view json);

// AWS's TableDescription object (written as one JSON object on `w`), with
// ItemCount/TableSizeBytes from `stats`.
void WriteTableDescription(JsonWriter& w, const TableDefinition& table, const store::TableStats& stats);

}  // namespace sluice::dynamodb
