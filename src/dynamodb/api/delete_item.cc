// DeleteItem: removes an item by key, under an optional condition;
// ReturnValues NONE or ALL_OLD.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/item_write.h"

namespace sluice::dynamodb::api {

void DeleteItem(Context& ctx, const rapidjson::Value& in, Reply reply) {
  RunPutOrDelete(ctx, in, ItemWrite::Kind::kDelete, "Key", "DeleteItem", std::move(reply));
}

}  // namespace sluice::dynamodb::api
