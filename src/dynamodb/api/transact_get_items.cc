// TransactGetItems: up to 100 Gets across tables, read in one consistent
// snapshot; Responses in request order ({} for a missing item).
#include "dynamodb/api/handlers.h"
#include "dynamodb/expr/expression_set.h"

namespace sluice::dynamodb::api {

void TransactGetItems(Context& ctx, const rapidjson::Value& in, Reply reply) {
  struct Get {
    TableRef table;
    store::PrimaryKey key;
    std::optional<expr::Projection> projection;
  };
  std::vector<Get> gets;
  for (const auto& entry : in["TransactItems"].GetArray()) {
    const auto& get = entry["Get"];
    auto lookup = ResolveTable(ctx, get);
    if (lookup.error) return reply(*lookup.error);
    auto key_item = ParseItemMember(get, "Key");
    if (!key_item.ok()) return reply(Validation(key_item.status().message()));
    auto key = KeyOfKeyParameter(*lookup.table, *key_item);
    if (!key.ok()) return reply(Validation(key.status().message()));
    auto exprs = expr::ExpressionSet::FromRequest(get, "TransactGetItems");
    if (!exprs.ok()) return reply(Validation(exprs.status().message()));
    gets.push_back({lookup.table, std::move(*key), exprs->projection});
  }
  auto snapshot = ctx.catalog.store().Snapshot();
  if (!snapshot.ok()) return reply(FromStatus(snapshot.status()));
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  for (const auto& g : gets) {
    auto blob = snapshot->Get(g.table->id, g.key);
    if (!blob.ok()) return reply(FromStatus(blob.status()));
    w.StartObject();
    if (*blob) {
      auto item = DecodeItem(**blob);
      if (!item.ok()) return reply(FromStatus(item.status()));
      WriteItemMember(w, "Item", g.projection ? g.projection->Apply(*item) : *item);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::dynamodb::api
