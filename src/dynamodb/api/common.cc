#include <cmath>

#include "dynamodb/api/context.h"
#include "dynamodb/value/json.h"

namespace sluice::dynamodb::api {

ApiError Validation(std::string message) { return ApiError::Validation(std::move(message)); }

ApiError TableNotFound(const std::string& name) {
  return ApiError::ResourceNotFound("Requested resource not found: Table: " + name + " not found");
}

ApiError ResourceInUse(std::string message) { return ApiError::ResourceInUse(std::move(message)); }

ApiError ConditionalCheckFailed(const Item* old_item) {
  ApiError e{"ConditionalCheckFailedException", "The conditional request failed", 400};
  if (old_item) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    WriteItemMember(w, "Item", *old_item);
    w.EndObject();
    std::string body(sb.GetString(), sb.GetSize());
    e.extra_members = body.substr(1, body.size() - 2);
  }
  return e;
}

ApiError InternalServerError(std::string message) { return ApiError{"InternalServerError", std::move(message), 500}; }

ApiError FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Validation(status.message());
    case StatusCode::kNotFound: return ApiError::ResourceNotFound(status.message());
    case StatusCode::kAlreadyExists: return ResourceInUse(status.message());
    default: return InternalServerError("Internal server error: " + status.message());
  }
}

namespace {
bool Usable(const TableDefinition& t) { return t.status == TableStatus::kActive || t.status == TableStatus::kUpdating; }
}  // namespace

TableLookup ResolveTable(Context& ctx, const rapidjson::Value& in, const char* member) {
  std::string name = GetString(in, member).value_or("");
  TableRef t = ctx.catalog.Find(ctx.region, name);
  // Item operations answer without the name, as AWS does.
  if (!t || !Usable(*t)) return {nullptr, ApiError::ResourceNotFound("Requested resource not found")};
  return {t, std::nullopt};
}

TableRef LiveTable(TableCatalog& catalog, const std::string& region, const std::string& name) {
  TableRef t = catalog.Find(region, name);  // inside a body: the writer thread's view
  return t && Usable(*t) ? t : nullptr;
}

Result<Item> ParseItemMember(const rapidjson::Value& in, const char* name) {
  auto it = in.FindMember(name);
  if (it == in.MemberEnd() || it->value.IsNull()) return Item{};
  return ParseItem(it->value);
}

Result<std::string> ParseReturnValues(const rapidjson::Value& in, std::initializer_list<std::string_view> allowed) {
  std::string rv = GetString(in, "ReturnValues").value_or("NONE");
  if (rv == "NONE") return rv;
  for (auto a : allowed)
    if (rv == a) return rv;
  return Status::InvalidArgument("Return values set to invalid value");
}

void WriteItemMember(JsonWriter& w, const char* name, const Item& item) {
  w.Key(name);
  WriteItem(w, item);
}

double WriteUnits(size_t bytes) { return std::max(1.0, std::ceil(static_cast<double>(bytes) / 1024.0)); }

double ReadUnits(size_t bytes, bool consistent) {
  double units = std::max(1.0, std::ceil(static_cast<double>(bytes) / 4096.0));
  return consistent ? units : units / 2;
}

std::string CapacityMode(const rapidjson::Value& in) {
  return GetString(in, "ReturnConsumedCapacity").value_or("NONE");
}

void WriteConsumedCapacity(JsonWriter& w, const std::string& mode, const std::string& table, double units) {
  if (mode == "NONE") return;
  w.Key("ConsumedCapacity");
  WriteCapacityObject(w, mode, table, units);
}

void WriteCapacityObject(JsonWriter& w, const std::string& mode, const std::string& table, double units) {
  w.StartObject();
  w.Key("TableName");
  w.String(table.c_str(), static_cast<rapidjson::SizeType>(table.size()));
  w.Key("CapacityUnits");
  w.Double(units);
  if (mode == "INDEXES") {
    w.Key("Table");
    w.StartObject();
    w.Key("CapacityUnits");
    w.Double(units);
    w.EndObject();
  }
  w.EndObject();
}

std::string Finish(rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }

std::string TableDescriptionReply(TableCatalog& catalog, const char* member, const TableDefinition& t) {
  auto stats = catalog.store().Stats(t.id);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key(member);
  WriteTableDescription(w, t, stats.ok() ? *stats : store::TableStats{});
  w.EndObject();
  return Finish(sb);
}

}  // namespace sluice::dynamodb::api
