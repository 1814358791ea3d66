#include "dynamodb/api/page_reader.h"

#include "dynamodb/value/json.h"
#include "dynamodb/value/key_encoding.h"

namespace sluice::dynamodb::api {

bool PageReader::OnRow(const store::Row& row) {
  auto item = DecodeItem(row.item);
  if (!item.ok()) {
    error_ = InternalServerError("Internal server error: stored item unreadable");
    return false;
  }
  ++scanned_;
  bytes_ += row.item.size();
  Item visible = options_.index ? ProjectForIndex(*options_.table, *options_.index, *item) : std::move(*item);
  if (!options_.filter || options_.filter->Matches(&visible)) {
    ++count_;
    if (!options_.count_only) items_.push_back(options_.projection ? options_.projection->Apply(visible) : visible);
  }
  bool full = (options_.limit && scanned_ >= *options_.limit) || bytes_ >= kMaxPageBytes;
  if (full) last_key_ = KeyAttributes(*options_.table, options_.index, visible);
  return !full;
}

void PageReader::WriteMembers(JsonWriter& w, const std::string& capacity_mode, bool consistent) const {
  if (!options_.count_only) {
    w.Key("Items");
    w.StartArray();
    for (const auto& item : items_) WriteItem(w, item);
    w.EndArray();
  }
  w.Key("Count");
  w.Int64(count_);
  w.Key("ScannedCount");
  w.Int64(scanned_);
  if (last_key_) WriteItemMember(w, "LastEvaluatedKey", *last_key_);
  WriteConsumedCapacity(w, capacity_mode, options_.table->name, ReadUnits(bytes_, consistent));
}

Result<std::optional<store::StartAfter>> ParseStartKey(const TableDefinition& table, const SecondaryIndex* index,
                                                       const rapidjson::Value& in) {
  auto parsed = ParseItemMember(in, "ExclusiveStartKey");
  if (!parsed.ok()) return parsed.status();
  if (parsed->empty()) return std::optional<store::StartAfter>();
  const Item& start_key = *parsed;
  auto invalid = [](std::string why) {
    return Status::InvalidArgument("The provided starting key is invalid: " + why);
  };
  size_t expected = 0;
  std::vector<const KeyAttribute*> keys = {&table.keys.hash};
  if (table.keys.range) keys.push_back(&*table.keys.range);
  if (index) {
    keys.push_back(&index->keys.hash);
    if (index->keys.range) keys.push_back(&*index->keys.range);
  }
  for (const KeyAttribute* k : keys) {
    auto it = start_key.find(k->name);
    if (it == start_key.end()) return invalid("The provided key element does not match the schema");
    if (it->second.type() != k->type) return invalid("The provided key element does not match the schema");
  }
  for (const auto& [name, _] : start_key) {
    bool known = false;
    for (const KeyAttribute* k : keys) known |= k->name == name;
    if (!known) return invalid("The provided key element does not match the schema");
    ++expected;
  }
  store::StartAfter start;
  auto primary = KeyOfItem(table, start_key);
  if (!primary.ok()) return invalid(primary.status().message());
  start.primary = *primary;
  if (index) {
    auto entry = IndexKeyOf(*index, start_key);
    if (!entry) return invalid("The provided key element does not match the schema");
    start.index_hash = entry->hash;
    start.index_range = entry->range;
    start.hash32 = entry->hash32;
  } else {
    start.hash32 = HashOf(table, start_key);
  }
  return std::optional<store::StartAfter>(std::move(start));
}

void AnswerPage(const rapidjson::Value& in, const PageReader& page, const Status& status, Reply reply) {
  if (!status.ok()) return reply(FromStatus(status));
  if (page.error()) return reply(*page.error());
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  page.WriteMembers(w, CapacityMode(in), GetBool(in, "ConsistentRead").value_or(false));
  w.EndObject();
  reply(Finish(sb));
}

Result<const SecondaryIndex*> ResolveIndex(const TableDefinition& table, const rapidjson::Value& in) {
  auto name = GetString(in, "IndexName");
  if (!name) return static_cast<const SecondaryIndex*>(nullptr);
  const SecondaryIndex* index = table.FindIndex(*name);
  if (!index || index->status == IndexStatus::kDeleting)
    return Status::InvalidArgument("The table does not have the specified index: " + *name);
  if (index->status == IndexStatus::kCreating)
    return Status::InvalidArgument("Cannot read from backfilling global secondary index: " + *name);
  if (index->global && GetBool(in, "ConsistentRead").value_or(false))
    return Status::InvalidArgument("Consistent reads are not supported on global secondary indexes");
  return index;
}

Result<bool> CheckSelect(const rapidjson::Value& in, const SecondaryIndex* index, bool has_projection) {
  auto select = GetString(in, "Select");
  if (!select) return false;
  if (*select == "COUNT") {
    if (has_projection)
      return Status::InvalidArgument("Cannot specify the AttributesToGet when choosing to get only the Count");
    return true;
  }
  if (*select == "SPECIFIC_ATTRIBUTES" && !has_projection)
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires AttributesToGet or "
        "ProjectionExpression");
  if (*select == "ALL_ATTRIBUTES" && has_projection)
    return Status::InvalidArgument("Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES");
  if (*select == "ALL_PROJECTED_ATTRIBUTES") {
    if (!index)
      return Status::InvalidArgument(
          "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES "
          "is not supported for a table");
    if (has_projection)
      return Status::InvalidArgument(
          "Cannot specify the AttributesToGet when choosing to get ALL_PROJECTED_ATTRIBUTES");
  }
  if (*select == "ALL_ATTRIBUTES" && index && index->global && index->projection.type != ProjectionType::kAll)
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
        "supported for global secondary index " +
        index->name + " because its projection type is not ALL");
  return false;
}

}  // namespace sluice::dynamodb::api
