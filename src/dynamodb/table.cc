#include "dynamodb/table.h"

#include <rapidjson/document.h>

namespace sluice::dynamodb {

namespace {

void Str(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void Key(JsonWriter& w, const char* k) { w.Key(k); }
// AWS writes timestamps as epoch seconds with a fraction.
void Seconds(JsonWriter& w, int64_t ms) { w.Double(static_cast<double>(ms) / 1000.0); }

template <typename E>
Result<E> ParseEnum(std::string_view s, std::initializer_list<E> all) {
  for (E e : all)
    if (ToString(e) == s) return e;
  return Status::Corruption("unknown value in table definition: " + std::string(s));
}

void WriteKeySchema(JsonWriter& w, const KeySchema& keys) {
  w.StartArray();
  w.StartObject();
  Key(w, "AttributeName");
  Str(w, keys.hash.name);
  Key(w, "KeyType");
  Str(w, "HASH");
  w.EndObject();
  if (keys.range) {
    w.StartObject();
    Key(w, "AttributeName");
    Str(w, keys.range->name);
    Key(w, "KeyType");
    Str(w, "RANGE");
    w.EndObject();
  }
  w.EndArray();
}

void WriteProjection(JsonWriter& w, const IndexProjection& p) {
  w.StartObject();
  Key(w, "ProjectionType");
  Str(w, ToString(p.type));
  if (p.type == ProjectionType::kInclude) {
    Key(w, "NonKeyAttributes");
    w.StartArray();
    for (const auto& a : p.non_key_attributes) Str(w, a);
    w.EndArray();
  }
  w.EndObject();
}

void WriteThroughput(JsonWriter& w, const ProvisionedThroughput& t, bool with_dates) {
  w.StartObject();
  if (with_dates && t.last_increase_ms) {
    Key(w, "LastIncreaseDateTime");
    Seconds(w, t.last_increase_ms);
  }
  if (with_dates && t.last_decrease_ms) {
    Key(w, "LastDecreaseDateTime");
    Seconds(w, t.last_decrease_ms);
  }
  Key(w, "NumberOfDecreasesToday");
  w.Int(0);
  Key(w, "ReadCapacityUnits");
  w.Int64(t.read);
  Key(w, "WriteCapacityUnits");
  w.Int64(t.write);
  w.EndObject();
}

// --- the catalog row ---

void WriteKeyAttribute(JsonWriter& w, const KeyAttribute& k) {
  w.StartObject();
  Key(w, "name");
  Str(w, k.name);
  Key(w, "type");
  Str(w, TypeName(k.type));
  w.EndObject();
}

void WriteInternalKeys(JsonWriter& w, const KeySchema& keys) {
  w.StartObject();
  Key(w, "hash");
  WriteKeyAttribute(w, keys.hash);
  if (keys.range) {
    Key(w, "range");
    WriteKeyAttribute(w, *keys.range);
  }
  w.EndObject();
}

void WriteInternalThroughput(JsonWriter& w, const ProvisionedThroughput& t) {
  w.StartObject();
  Key(w, "read");
  w.Int64(t.read);
  Key(w, "write");
  w.Int64(t.write);
  Key(w, "increased_ms");
  w.Int64(t.last_increase_ms);
  Key(w, "decreased_ms");
  w.Int64(t.last_decrease_ms);
  w.EndObject();
}

std::string GetStr(const rapidjson::Value& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : std::string();
}
int64_t GetI64(const rapidjson::Value& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}
bool GetBoolean(const rapidjson::Value& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}
const rapidjson::Value* GetObj(const rapidjson::Value& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

Result<KeyAttribute> ParseKeyAttribute(const rapidjson::Value& o) {
  KeyAttribute k;
  k.name = GetStr(o, "name");
  if (!ParseTypeName(GetStr(o, "type"), &k.type)) return Status::Corruption("bad key type in table definition");
  return k;
}

Result<KeySchema> ParseInternalKeys(const rapidjson::Value* o) {
  if (!o || !GetObj(*o, "hash")) return Status::Corruption("table definition without a key schema");
  KeySchema keys;
  auto hash = ParseKeyAttribute(*GetObj(*o, "hash"));
  if (!hash.ok()) return hash.status();
  keys.hash = *hash;
  if (const auto* r = GetObj(*o, "range")) {
    auto range = ParseKeyAttribute(*r);
    if (!range.ok()) return range.status();
    keys.range = *range;
  }
  return keys;
}

ProvisionedThroughput ParseInternalThroughput(const rapidjson::Value* o) {
  ProvisionedThroughput t;
  if (!o) return t;
  t.read = GetI64(*o, "read");
  t.write = GetI64(*o, "write");
  t.last_increase_ms = GetI64(*o, "increased_ms");
  t.last_decrease_ms = GetI64(*o, "decreased_ms");
  return t;
}

}  // namespace

std::string_view ToString(TableStatus status) {
  switch (status) {
    case TableStatus::kCreating: return "CREATING";
    case TableStatus::kActive: return "ACTIVE";
    case TableStatus::kUpdating: return "UPDATING";
    case TableStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::string_view ToString(IndexStatus status) {
  switch (status) {
    case IndexStatus::kCreating: return "CREATING";
    case IndexStatus::kActive: return "ACTIVE";
    case IndexStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::string_view ToString(BillingMode mode) {
  return mode == BillingMode::kPayPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED";
}

std::string_view ToString(ProjectionType type) {
  switch (type) {
    case ProjectionType::kAll: return "ALL";
    case ProjectionType::kKeysOnly: return "KEYS_ONLY";
    case ProjectionType::kInclude: return "INCLUDE";
  }
  return "ALL";
}

std::string TableDefinition::Arn() const { return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name; }

std::string TableDefinition::IndexArn(const SecondaryIndex& index) const { return Arn() + "/index/" + index.name; }

const SecondaryIndex* TableDefinition::FindIndex(std::string_view index_name) const {
  for (const auto& i : indexes)
    if (i.name == index_name) return &i;
  return nullptr;
}

SecondaryIndex* TableDefinition::FindIndex(std::string_view index_name) {
  for (auto& i : indexes)
    if (i.name == index_name) return &i;
  return nullptr;
}

std::string SerializeDefinition(const TableDefinition& t) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  Key(w, "version");
  w.Int(1);
  Key(w, "region");
  Str(w, t.region);
  Key(w, "name");
  Str(w, t.name);
  Key(w, "uuid");
  Str(w, t.uuid);
  Key(w, "account");
  Str(w, t.account);
  Key(w, "status");
  Str(w, ToString(t.status));
  Key(w, "created_ms");
  w.Int64(t.created_ms);
  Key(w, "status_since_ms");
  w.Int64(t.status_since_ms);
  Key(w, "keys");
  WriteInternalKeys(w, t.keys);
  Key(w, "attributes");
  w.StartObject();
  for (const auto& [name, type] : t.attribute_definitions) {
    Str(w, name);
    Str(w, TypeName(type));
  }
  w.EndObject();
  Key(w, "indexes");
  w.StartArray();
  for (const auto& i : t.indexes) {
    w.StartObject();
    Key(w, "name");
    Str(w, i.name);
    Key(w, "id");
    w.Int64(i.id);
    Key(w, "global");
    w.Bool(i.global);
    Key(w, "keys");
    WriteInternalKeys(w, i.keys);
    Key(w, "projection");
    WriteProjection(w, i.projection);
    Key(w, "status");
    Str(w, ToString(i.status));
    Key(w, "backfilling");
    w.Bool(i.backfilling);
    Key(w, "throughput");
    WriteInternalThroughput(w, i.throughput);
    w.EndObject();
  }
  w.EndArray();
  Key(w, "next_index_id");
  w.Int64(t.next_index_id);
  Key(w, "billing");
  Str(w, ToString(t.billing));
  Key(w, "pay_per_request_since_ms");
  w.Int64(t.pay_per_request_since_ms);
  Key(w, "throughput");
  WriteInternalThroughput(w, t.throughput);
  Key(w, "ttl");
  w.StartObject();
  Key(w, "attribute");
  Str(w, t.ttl.attribute);
  Key(w, "enabled");
  w.Bool(t.ttl.enabled);
  Key(w, "pass_pending");
  w.Bool(t.ttl.pass_pending);
  w.EndObject();
  Key(w, "tags");
  w.StartObject();
  for (const auto& [k, v] : t.tags) {
    Str(w, k);
    Str(w, v);
  }
  w.EndObject();
  Key(w, "pitr");
  w.Bool(t.point_in_time_recovery);
  Key(w, "pitr_since_ms");
  w.Int64(t.pitr_since_ms);
  Key(w, "deletion_protection");
  w.Bool(t.deletion_protection);
  Key(w, "table_class");
  Str(w, t.table_class);
  Key(w, "stream_enabled");
  w.Bool(t.stream_enabled);
  Key(w, "stream_view_type");
  Str(w, t.stream_view_type);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Result<TableDefinition> ParseDefinition(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return Status::Corruption("table definition is not a JSON object");
  TableDefinition t;
  t.region = GetStr(d, "region");
  t.name = GetStr(d, "name");
  t.uuid = GetStr(d, "uuid");
  t.account = GetStr(d, "account");
  auto status = ParseEnum(GetStr(d, "status"), {TableStatus::kCreating, TableStatus::kActive, TableStatus::kUpdating,
                                                TableStatus::kDeleting});
  if (!status.ok()) return status.status();
  t.status = *status;
  t.created_ms = GetI64(d, "created_ms");
  t.status_since_ms = GetI64(d, "status_since_ms");
  auto keys = ParseInternalKeys(GetObj(d, "keys"));
  if (!keys.ok()) return keys.status();
  t.keys = *keys;
  if (const auto* attrs = GetObj(d, "attributes")) {
    for (const auto& m : attrs->GetObject()) {
      AttributeType type;
      if (!m.value.IsString() || !ParseTypeName(m.value.GetString(), &type))
        return Status::Corruption("bad attribute type in table definition");
      t.attribute_definitions[m.name.GetString()] = type;
    }
  }
  auto idx = d.FindMember("indexes");
  if (idx != d.MemberEnd() && idx->value.IsArray()) {
    for (const auto& o : idx->value.GetArray()) {
      SecondaryIndex i;
      i.name = GetStr(o, "name");
      i.id = GetI64(o, "id");
      i.global = GetBoolean(o, "global");
      auto ikeys = ParseInternalKeys(GetObj(o, "keys"));
      if (!ikeys.ok()) return ikeys.status();
      i.keys = *ikeys;
      if (const auto* p = GetObj(o, "projection")) {
        auto type = ParseEnum(GetStr(*p, "ProjectionType"),
                              {ProjectionType::kAll, ProjectionType::kKeysOnly, ProjectionType::kInclude});
        if (!type.ok()) return type.status();
        i.projection.type = *type;
        auto nk = p->FindMember("NonKeyAttributes");
        if (nk != p->MemberEnd() && nk->value.IsArray())
          for (const auto& a : nk->value.GetArray())
            if (a.IsString()) i.projection.non_key_attributes.emplace_back(a.GetString(), a.GetStringLength());
      }
      auto istatus =
          ParseEnum(GetStr(o, "status"), {IndexStatus::kCreating, IndexStatus::kActive, IndexStatus::kDeleting});
      if (!istatus.ok()) return istatus.status();
      i.status = *istatus;
      i.backfilling = GetBoolean(o, "backfilling");
      i.throughput = ParseInternalThroughput(GetObj(o, "throughput"));
      t.indexes.push_back(std::move(i));
    }
  }
  t.next_index_id = GetI64(d, "next_index_id");
  if (t.next_index_id <= 0) t.next_index_id = 1;
  t.billing = GetStr(d, "billing") == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned;
  t.pay_per_request_since_ms = GetI64(d, "pay_per_request_since_ms");
  t.throughput = ParseInternalThroughput(GetObj(d, "throughput"));
  if (const auto* ttl = GetObj(d, "ttl")) {
    t.ttl.attribute = GetStr(*ttl, "attribute");
    t.ttl.enabled = GetBoolean(*ttl, "enabled");
    t.ttl.pass_pending = GetBoolean(*ttl, "pass_pending");
  }
  if (const auto* tags = GetObj(d, "tags"))
    for (const auto& m : tags->GetObject())
      if (m.value.IsString()) t.tags[m.name.GetString()] = m.value.GetString();
  t.point_in_time_recovery = GetBoolean(d, "pitr");
  t.pitr_since_ms = GetI64(d, "pitr_since_ms");
  t.deletion_protection = GetBoolean(d, "deletion_protection");
  t.table_class = GetStr(d, "table_class");
  if (t.table_class.empty()) t.table_class = "STANDARD";
  t.stream_enabled = GetBoolean(d, "stream_enabled");
  t.stream_view_type = GetStr(d, "stream_view_type");
  return t;
}

void WriteTableDescription(JsonWriter& w, const TableDefinition& t, const store::TableStats& stats) {
  w.StartObject();
  Key(w, "AttributeDefinitions");
  w.StartArray();
  for (const auto& [name, type] : t.attribute_definitions) {
    w.StartObject();
    Key(w, "AttributeName");
    Str(w, name);
    Key(w, "AttributeType");
    Str(w, TypeName(type));
    w.EndObject();
  }
  w.EndArray();
  Key(w, "TableName");
  Str(w, t.name);
  Key(w, "KeySchema");
  WriteKeySchema(w, t.keys);
  Key(w, "TableStatus");
  Str(w, ToString(t.status));
  Key(w, "CreationDateTime");
  Seconds(w, t.created_ms);
  Key(w, "ProvisionedThroughput");
  WriteThroughput(w, t.throughput, true);
  Key(w, "TableSizeBytes");
  w.Int64(stats.size_bytes);
  Key(w, "ItemCount");
  w.Int64(stats.item_count);
  Key(w, "TableArn");
  Str(w, t.Arn());
  Key(w, "TableId");
  Str(w, t.uuid);
  if (t.billing == BillingMode::kPayPerRequest) {
    Key(w, "BillingModeSummary");
    w.StartObject();
    Key(w, "BillingMode");
    Str(w, "PAY_PER_REQUEST");
    Key(w, "LastUpdateToPayPerRequestDateTime");
    Seconds(w, t.pay_per_request_since_ms);
    w.EndObject();
  }
  bool any_lsi = false, any_gsi = false;
  for (const auto& i : t.indexes) (i.global ? any_gsi : any_lsi) = true;
  auto write_indexes = [&](bool global) {
    w.StartArray();
    for (const auto& i : t.indexes) {
      if (i.global != global) continue;
      w.StartObject();
      Key(w, "IndexName");
      Str(w, i.name);
      Key(w, "KeySchema");
      WriteKeySchema(w, i.keys);
      Key(w, "Projection");
      WriteProjection(w, i.projection);
      if (global) {
        Key(w, "IndexStatus");
        Str(w, ToString(i.status));
        if (i.status == IndexStatus::kCreating) {
          Key(w, "Backfilling");
          w.Bool(i.backfilling);
        }
        Key(w, "ProvisionedThroughput");
        WriteThroughput(w, i.throughput, false);
      }
      // Index sizes are not tracked per index; the table's figures bound them.
      Key(w, "IndexSizeBytes");
      w.Int64(0);
      Key(w, "ItemCount");
      w.Int64(0);
      Key(w, "IndexArn");
      Str(w, t.IndexArn(i));
      w.EndObject();
    }
    w.EndArray();
  };
  if (any_lsi) {
    Key(w, "LocalSecondaryIndexes");
    write_indexes(false);
  }
  if (any_gsi) {
    Key(w, "GlobalSecondaryIndexes");
    write_indexes(true);
  }
  if (t.stream_enabled) {
    Key(w, "StreamSpecification");
    w.StartObject();
    Key(w, "StreamEnabled");
    w.Bool(true);
    Key(w, "StreamViewType");
    Str(w, t.stream_view_type);
    w.EndObject();
  }
  Key(w, "TableClassSummary");
  w.StartObject();
  Key(w, "TableClass");
  Str(w, t.table_class);
  w.EndObject();
  Key(w, "DeletionProtectionEnabled");
  w.Bool(t.deletion_protection);
  w.EndObject();
}

}  // namespace sluice::dynamodb
