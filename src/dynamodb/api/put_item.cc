// PutItem: creates or replaces an item, under an optional condition
// (ConditionExpression or legacy Expected); ReturnValues NONE or ALL_OLD.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/item_write.h"

namespace sluice::dynamodb::api {

void PutItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  RunPutOrDelete(ctx, in, ItemWrite::Kind::kPut, "Item", "PutItem", std::move(reply));
}

}  // namespace sluice::dynamodb::api
