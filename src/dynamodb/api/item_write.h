// One item write (a Put, an Update or a Delete, with its condition), decided
// and applied inside a store write body, on the writer thread, against the
// item as it is then: PutItem, UpdateItem, DeleteItem, and each action of
// BatchWriteItem and TransactWriteItems.
#pragma once

#include <optional>
#include <string>

#include "dynamodb/api/context.h"
#include "dynamodb/expr/condition.h"
#include "dynamodb/expr/update.h"
#include "dynamodb/store/write_txn.h"

namespace sluice::dynamodb::api {

struct ItemWrite {
  enum class Kind { kPut, kUpdate, kDelete, kConditionCheck };
  Kind kind = Kind::kPut;
  std::string table;  // its name, in the request's region
  Item item;          // kPut: the new item; otherwise the Key
  std::optional<expr::Condition> condition;
  std::optional<expr::Update> update;  // kUpdate
};

// What happened to the item.
struct ItemWriteResult {
  std::optional<Item> old_item;  // before (absent: there was none)
  std::optional<Item> new_item;  // after (kPut, kUpdate)
  std::string table_name;
  size_t bytes = 0;  // the larger of the old and new item's size (capacity units)
  bool condition_failed = false;
  std::optional<ApiError> error;  // validation or storage error (the body fails)
};

// Checks the parts of `write` that do not depend on the stored item (key
// shape, item size, index key types) with `table`, before queueing.
std::optional<ApiError> PrecheckItemWrite(const TableDefinition& table, const ItemWrite& write);

// Inside a body. Returns !ok when the write must not happen: a failed
// condition (result.condition_failed) or an error (result.error); the
// caller's body then returns that status so nothing of it is kept.
Status ApplyItemWrite(store::WriteTxn& txn, const TableDefinition& table, const ItemWrite& write,
                      ItemWriteResult& result);

// PutItem, UpdateItem, DeleteItem: queues `write` as one body against the
// live definition of its table and answers through `reply` once durable:
// `success` builds the body; a failed condition is
// ConditionalCheckFailedException (with the old item when
// `return_old_on_failure`).
void RunItemWrite(Context& ctx, ItemWrite write, bool return_old_on_failure,
                  std::function<std::string(const ItemWriteResult&)> success, Reply reply);

// PutItem and DeleteItem: the whole request (the item or key in `member`,
// the condition, ReturnValues NONE or ALL_OLD) run as one RunItemWrite.
void RunPutOrDelete(Context& ctx, const rapidjson::Value& in, ItemWrite::Kind kind, const char* member,
                    std::string_view operation, Reply reply);

}  // namespace sluice::dynamodb::api
