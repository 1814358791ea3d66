// GetItem: one item by key (always strongly consistent here), projected by
// ProjectionExpression or legacy AttributesToGet.
#include "dynamodb/api/handlers.h"
#include "dynamodb/expr/expression_set.h"

namespace sluice::dynamodb::api {

void GetItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto lookup = ResolveTable(ctx, in);
  if (lookup.error) return reply(*lookup.error);
  const TableDefinition& table = *lookup.table;
  auto key_item = ParseItemMember(in, "Key");
  if (!key_item.ok()) return reply(Validation(key_item.status().message()));
  auto key = KeyOfKeyParameter(table, *key_item);
  if (!key.ok()) return reply(Validation(key.status().message()));
  auto exprs = expr::ExpressionSet::FromRequest(in, "GetItem");
  if (!exprs.ok()) return reply(Validation(exprs.status().message()));
  auto blob = ctx.catalog.store().Get(table.id, *key);
  if (!blob.ok()) return reply(FromStatus(blob.status()));
  bool consistent = GetBool(in, "ConsistentRead").value_or(false);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  size_t bytes = 0;
  if (*blob) {
    bytes = (*blob)->size();
    auto item = DecodeItem(**blob);
    if (!item.ok()) return reply(FromStatus(item.status()));
    WriteItemMember(w, "Item", exprs->projection ? exprs->projection->Apply(*item) : *item);
  }
  WriteConsumedCapacity(w, CapacityMode(in), table.name, ReadUnits(bytes, consistent));
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::dynamodb::api
