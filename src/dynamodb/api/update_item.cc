// UpdateItem: edits (or creates) an item by key with an UpdateExpression or
// legacy AttributeUpdates, under an optional condition; ReturnValues NONE,
// ALL_OLD, UPDATED_OLD, ALL_NEW or UPDATED_NEW (UPDATED_*: the item projected
// on the document paths the update wrote or removed, as AWS does: `SET m.a.b`
// returns {m: {a: {b}}}, not all of m).
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/item_write.h"
#include "dynamodb/expr/expression_set.h"
#include "dynamodb/expr/projection.h"

namespace sluice::dynamodb::api {

void UpdateItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto lookup = ResolveTable(ctx, in);
  if (lookup.error) return reply(*lookup.error);
  auto key = ParseItemMember(in, "Key");
  if (!key.ok()) return reply(Validation(key.status().message()));
  auto exprs = expr::ExpressionSet::FromRequest(in, "UpdateItem");
  if (!exprs.ok()) return reply(Validation(exprs.status().message()));
  auto rv = ParseReturnValues(in, {"ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
  if (!rv.ok()) return reply(Validation(rv.status().message()));
  ItemWrite write;
  write.kind = ItemWrite::Kind::kUpdate;
  write.table = lookup.table->name;
  write.item = std::move(*key);
  write.condition = exprs->condition;
  write.update = exprs->update;
  if (auto error = PrecheckItemWrite(*lookup.table, write)) return reply(*error);
  expr::Projection updated(write.update ? write.update->Paths() : std::vector<expr::Path>{});
  std::string mode = *rv;
  bool old_on_failure = GetString(in, "ReturnValuesOnConditionCheckFailure").value_or("NONE") == "ALL_OLD";
  std::string capacity = CapacityMode(in);
  RunItemWrite(
      ctx, std::move(write), old_on_failure,
      [mode, updated, capacity](const ItemWriteResult& r) {
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        w.StartObject();
        if (mode == "ALL_OLD" && r.old_item) WriteItemMember(w, "Attributes", *r.old_item);
        if (mode == "UPDATED_OLD" && r.old_item) {
          Item part = updated.Apply(*r.old_item);
          if (!part.empty()) WriteItemMember(w, "Attributes", part);
        }
        if (mode == "ALL_NEW" && r.new_item) WriteItemMember(w, "Attributes", *r.new_item);
        if (mode == "UPDATED_NEW" && r.new_item) {
          Item part = updated.Apply(*r.new_item);
          if (!part.empty()) WriteItemMember(w, "Attributes", part);
        }
        WriteConsumedCapacity(w, capacity, r.table_name, WriteUnits(r.bytes));
        w.EndObject();
        return Finish(sb);
      },
      std::move(reply));
}

}  // namespace sluice::dynamodb::api
