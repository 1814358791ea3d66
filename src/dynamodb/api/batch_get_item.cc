// BatchGetItem: up to 100 keys across tables, each table with its own
// projection, read in one consistent snapshot; UnprocessedKeys is always
// empty.
#include <set>

#include "dynamodb/api/handlers.h"
#include "dynamodb/expr/expression_set.h"
#include "dynamodb/value/json.h"

namespace sluice::dynamodb::api {

namespace {
constexpr size_t kMaxKeys = 100;

struct TableRead {
  TableRef table;
  std::vector<store::PrimaryKey> keys;
  std::optional<expr::Projection> projection;
};
}  // namespace

void BatchGetItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::vector<TableRead> reads;
  size_t total = 0;
  for (const auto& [table_name, request] : in["RequestItems"].GetObject()) {
    std::string name(table_name.GetString(), table_name.GetStringLength());
    TableRef table = ctx.catalog.Find(ctx.region, name);
    if (!table || !(table->status == TableStatus::kActive || table->status == TableStatus::kUpdating))
      return reply(ApiError::ResourceNotFound("Requested resource not found"));
    TableRead read;
    read.table = table;
    auto exprs = expr::ExpressionSet::FromRequest(request, "BatchGetItem");
    if (!exprs.ok()) return reply(Validation(exprs.status().message()));
    read.projection = exprs->projection;
    std::set<std::string> seen;
    for (const auto& k : request["Keys"].GetArray()) {
      if (++total > kMaxKeys) return reply(Validation("Too many items requested for the BatchGetItem call"));
      auto key_item = ParseItem(k);
      if (!key_item.ok()) return reply(Validation(key_item.status().message()));
      auto key = KeyOfKeyParameter(*table, *key_item);
      if (!key.ok()) return reply(Validation(key.status().message()));
      if (!seen.insert(key->hash + '\0' + key->range).second)
        return reply(Validation("Provided list of item keys contains duplicates"));
      read.keys.push_back(std::move(*key));
    }
    reads.push_back(std::move(read));
  }
  auto snapshot = ctx.catalog.store().Snapshot();
  if (!snapshot.ok()) return reply(FromStatus(snapshot.status()));
  std::string capacity = CapacityMode(in);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Responses");
  w.StartObject();
  std::map<std::string, double> units;
  for (const auto& read : reads) {
    w.Key(read.table->name.c_str(), static_cast<rapidjson::SizeType>(read.table->name.size()));
    w.StartArray();
    for (const auto& key : read.keys) {
      auto blob = snapshot->Get(read.table->id, key);
      if (!blob.ok()) return reply(FromStatus(blob.status()));
      if (!*blob) continue;
      units[read.table->name] += ReadUnits((*blob)->size(), true);
      auto item = DecodeItem(**blob);
      if (!item.ok()) return reply(FromStatus(item.status()));
      WriteItem(w, read.projection ? read.projection->Apply(*item) : *item);
    }
    w.EndArray();
  }
  w.EndObject();
  w.Key("UnprocessedKeys");
  w.StartObject();
  w.EndObject();
  if (capacity != "NONE") {
    w.Key("ConsumedCapacity");
    w.StartArray();
    for (const auto& read : reads) WriteCapacityObject(w, capacity, read.table->name, units[read.table->name]);
    w.EndArray();
  }
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::dynamodb::api
