// DeleteItem: removes an item by key, under an optional condition;
// ReturnValues NONE or ALL_OLD.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/item_write.h"
#include "dynamodb/expr/expression_set.h"

namespace sluice::dynamodb::api {

void DeleteItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto lookup = ResolveTable(ctx, in);
  if (lookup.error) return reply(*lookup.error);
  auto key = ParseItemMember(in, "Key");
  if (!key.ok()) return reply(Validation(key.status().message()));
  auto exprs = expr::ExpressionSet::FromRequest(in, "DeleteItem");
  if (!exprs.ok()) return reply(Validation(exprs.status().message()));
  auto rv = ParseReturnValues(in, {"ALL_OLD"});
  if (!rv.ok()) return reply(Validation(rv.status().message()));
  ItemWrite write;
  write.kind = ItemWrite::Kind::kDelete;
  write.table = lookup.table->name;
  write.item = std::move(*key);
  write.condition = exprs->condition;
  if (auto error = PrecheckItemWrite(*lookup.table, write)) return reply(*error);
  bool all_old = *rv == "ALL_OLD";
  bool old_on_failure = GetString(in, "ReturnValuesOnConditionCheckFailure").value_or("NONE") == "ALL_OLD";
  std::string capacity = CapacityMode(in);
  RunItemWrite(
      ctx, std::move(write), old_on_failure,
      [all_old, capacity](const ItemWriteResult& r) {
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        w.StartObject();
        if (all_old && r.old_item) WriteItemMember(w, "Attributes", *r.old_item);
        WriteConsumedCapacity(w, capacity, r.table_name, WriteUnits(r.bytes));
        w.EndObject();
        return Finish(sb);
      },
      std::move(reply));
}

}  // namespace sluice::dynamodb::api
