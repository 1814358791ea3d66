// BatchWriteItem: up to 25 PutRequest/DeleteRequest across tables, without
// conditions. All of them are applied in one store write body (stronger than
// AWS, which may apply a part), so UnprocessedItems is always empty.
#include <set>

#include "dynamodb/api/handlers.h"
#include "dynamodb/api/item_write.h"

namespace sluice::dynamodb::api {

namespace {
constexpr size_t kMaxRequests = 25;
}

void BatchWriteItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto writes = std::make_shared<std::vector<ItemWrite>>();
  std::set<std::pair<std::string, std::string>> seen;
  size_t total = 0;
  for (const auto& [table_name, requests] : in["RequestItems"].GetObject()) {
    std::string name(table_name.GetString(), table_name.GetStringLength());
    TableRef table = ctx.catalog.Find(ctx.region, name);
    if (!table || !(table->status == TableStatus::kActive || table->status == TableStatus::kUpdating))
      return reply(ApiError::ResourceNotFound("Requested resource not found"));
    for (const auto& request : requests.GetArray()) {
      if (++total > kMaxRequests) return reply(Validation("Too many items requested for the BatchWriteItem call"));
      ItemWrite write;
      write.table = name;
      auto put = request.FindMember("PutRequest");
      auto del = request.FindMember("DeleteRequest");
      bool is_put = put != request.MemberEnd() && put->value.IsObject();
      bool is_del = del != request.MemberEnd() && del->value.IsObject();
      if (is_put == is_del)
        return reply(
            Validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                       "the supported datatypes"));
      auto item = is_put ? ParseItemMember(put->value, "Item") : ParseItemMember(del->value, "Key");
      if (!item.ok()) return reply(Validation(item.status().message()));
      write.kind = is_put ? ItemWrite::Kind::kPut : ItemWrite::Kind::kDelete;
      write.item = std::move(*item);
      if (auto error = PrecheckItemWrite(*table, write)) return reply(*error);
      auto key = is_put ? KeyOfItem(*table, write.item) : KeyOfKeyParameter(*table, write.item);
      if (!key.ok()) return reply(Validation(key.status().message()));
      if (!seen.insert({name, key->hash + '\0' + key->range}).second)
        return reply(Validation("Provided list of item keys contains duplicates"));
      writes->push_back(std::move(write));
    }
  }
  std::string capacity = CapacityMode(in);
  auto results = std::make_shared<std::vector<ItemWriteResult>>();
  auto error = std::make_shared<std::optional<ApiError>>();
  TableCatalog* catalog = &ctx.catalog;
  std::string region = ctx.region;
  ctx.catalog.store().Write(
      [catalog, region, writes, results, error](store::WriteTxn& txn) -> Status {
        for (const auto& write : *writes) {
          TableRef table = LiveTable(*catalog, region, write.table);
          if (!table) {
            *error = ApiError::ResourceNotFound("Requested resource not found");
            return Status::NotFound("table");
          }
          results->emplace_back();
          if (Status st = ApplyItemWrite(txn, *table, write, results->back()); !st.ok()) {
            *error = results->back().error.value_or(InternalServerError("Internal server error"));
            return st;
          }
        }
        return Status::Ok();
      },
      [results, error, capacity, reply = std::move(reply)](Status st) {
        if (*error) return reply(**error);
        if (!st.ok()) return reply(InternalServerError("Internal server error: " + st.message()));
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        w.StartObject();
        w.Key("UnprocessedItems");
        w.StartObject();
        w.EndObject();
        if (capacity != "NONE") {
          std::map<std::string, double> units;
          for (const auto& r : *results) units[r.table_name] += WriteUnits(r.bytes);
          w.Key("ConsumedCapacity");
          w.StartArray();
          for (const auto& [table, u] : units) WriteCapacityObject(w, capacity, table, u);
          w.EndArray();
        }
        w.EndObject();
        reply(Finish(sb));
      });
}

}  // namespace sluice::dynamodb::api
