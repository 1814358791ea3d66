#include "dynamodb/api/item_write.h"

#include "dynamodb/expr/expression_set.h"
#include "dynamodb/value/item_size.h"

namespace sluice::dynamodb::api {

namespace {

bool IsKeyAttribute(const TableDefinition& t, const std::string& name) {
  return name == t.keys.hash.name || (t.keys.range && name == t.keys.range->name);
}

Status Fail(ItemWriteResult& result, ApiError error) {
  Status st = Status::InvalidArgument(error.message);
  result.error = std::move(error);
  return st;
}

}  // namespace

std::optional<ApiError> PrecheckItemWrite(const TableDefinition& table, const ItemWrite& write) {
  if (write.kind == ItemWrite::Kind::kPut) {
    auto key = KeyOfItem(table, write.item);
    if (!key.ok()) return Validation(key.status().message());
    if (ItemSize(write.item) > kMaxItemSize) return Validation("Item size has exceeded the maximum allowed size");
    auto index_keys = IndexKeysOf(table, write.item);
    if (!index_keys.ok()) return Validation(index_keys.status().message());
  } else {
    auto key = KeyOfKeyParameter(table, write.item);
    if (!key.ok()) return Validation(key.status().message());
  }
  if (write.update) {
    for (const auto& path : write.update->Paths())
      if (IsKeyAttribute(table, path.top()))
        return Validation("One or more parameter values were invalid: Cannot update attribute " + path.top() +
                          ". This attribute is part of the key");
  }
  return std::nullopt;
}

Status ApplyItemWrite(store::WriteTxn& txn, const TableDefinition& table, const ItemWrite& write,
                      ItemWriteResult& result) {
  result.table_name = table.name;
  auto key = write.kind == ItemWrite::Kind::kPut ? KeyOfItem(table, write.item) : KeyOfKeyParameter(table, write.item);
  if (!key.ok()) return Fail(result, Validation(key.status().message()));
  auto blob = txn.Get(table.id, *key);
  if (!blob.ok()) return Fail(result, InternalServerError("Internal server error: " + blob.status().message()));
  if (*blob) {
    auto old_item = DecodeItem(**blob);
    if (!old_item.ok()) return Fail(result, InternalServerError("Internal server error: stored item unreadable"));
    result.old_item = std::move(*old_item);
    result.bytes = blob->value().size();
  }
  if (write.condition && !write.condition->Matches(result.old_item ? &*result.old_item : nullptr)) {
    result.condition_failed = true;
    return Status::FailedPrecondition("The conditional request failed");
  }
  switch (write.kind) {
    case ItemWrite::Kind::kConditionCheck: return Status::Ok();
    case ItemWrite::Kind::kDelete: {
      if (!result.old_item) return Status::Ok();
      if (Status st = txn.Delete(table.id, *key); !st.ok())
        return Fail(result, InternalServerError("Internal server error: " + st.message()));
      return Status::Ok();
    }
    case ItemWrite::Kind::kPut: result.new_item = write.item; break;
    case ItemWrite::Kind::kUpdate: {
      Item next = result.old_item ? *result.old_item : write.item;  // a new item starts as its key
      if (write.update) {
        if (Status st = write.update->Apply(next); !st.ok()) return Fail(result, Validation(st.message()));
      }
      if (ItemSize(next) > kMaxItemSize)
        return Fail(result, Validation("Item size to update has exceeded the maximum allowed size"));
      result.new_item = std::move(next);
      break;
    }
  }
  const Item& item = *result.new_item;
  auto index_keys = IndexKeysOf(table, item);
  if (!index_keys.ok()) return Fail(result, Validation(index_keys.status().message()));
  std::string encoded = EncodeItem(item);
  result.bytes = std::max(result.bytes, encoded.size());
  if (Status st = txn.Put(table.id, *key, encoded, HashOf(table, item), *index_keys, ExpiryOf(table, item)); !st.ok())
    return Fail(result, InternalServerError("Internal server error: " + st.message()));
  return Status::Ok();
}

void RunItemWrite(Context& ctx, ItemWrite write, bool return_old_on_failure,
                  std::function<std::string(const ItemWriteResult&)> success, Reply reply) {
  auto result = std::make_shared<ItemWriteResult>();
  TableCatalog* catalog = &ctx.catalog;
  std::string region = ctx.region;
  ctx.catalog.store().Write(
      [catalog, region, write = std::move(write), result](store::WriteTxn& txn) -> Status {
        TableRef table = LiveTable(*catalog, region, write.table);
        if (!table) {
          result->error = ApiError::ResourceNotFound("Requested resource not found");
          return Status::NotFound("table");
        }
        return ApplyItemWrite(txn, *table, write, *result);
      },
      [result, return_old_on_failure, success = std::move(success), reply = std::move(reply)](Status st) {
        if (result->condition_failed)
          return reply(
              ConditionalCheckFailed(return_old_on_failure && result->old_item ? &*result->old_item : nullptr));
        if (result->error) return reply(*result->error);
        if (!st.ok()) return reply(InternalServerError("Internal server error: " + st.message()));
        reply(success(*result));
      });
}

void RunPutOrDelete(Context& ctx, const rapidjson::Value& in, ItemWrite::Kind kind, const char* member,
                    std::string_view operation, Reply reply) {
  auto lookup = ResolveTable(ctx, in);
  if (lookup.error) return reply(*lookup.error);
  auto item = ParseItemMember(in, member);
  if (!item.ok()) return reply(Validation(item.status().message()));
  auto exprs = expr::ExpressionSet::FromRequest(in, operation);
  if (!exprs.ok()) return reply(Validation(exprs.status().message()));
  auto rv = ParseReturnValues(in, {"ALL_OLD"});
  if (!rv.ok()) return reply(Validation(rv.status().message()));
  ItemWrite write;
  write.kind = kind;
  write.table = lookup.table->name;
  write.item = std::move(*item);
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
