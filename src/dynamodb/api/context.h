// What every DynamoDB action handler receives, and the helpers they share.
// A handler validates what the botocore model cannot express, parses the
// request's values and expressions up front (the request JSON does not
// outlive the call), and answers exactly once through `reply`: at once for
// reads and refusals, or from the store's writer thread once a write is
// durable.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>

#include "dynamodb/catalog.h"
#include "dynamodb/item_keys.h"
#include "dynamodb/table.h"
#include "dynamodb/value/attribute_value.h"
#include "protocol/api_error.h"
#include "protocol/json_input.h"

namespace sluice::dynamodb::api {

using protocol::ApiError;
using protocol::Reply;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using protocol::GetBool;
using protocol::GetInt;
using protocol::GetString;

struct Context {
  TableCatalog& catalog;
  std::string region;
};

using Handler = void (*)(Context& ctx, const rapidjson::Value& input, Reply reply);

// --- errors, as DynamoDB answers them ---
ApiError Validation(std::string message);
ApiError TableNotFound(const std::string& name);  // ResourceNotFoundException
ApiError ResourceInUse(std::string message);
ApiError ConditionalCheckFailed(const Item* old_item);  // old_item: ReturnValuesOnConditionCheckFailure=ALL_OLD
ApiError InternalServerError(std::string message);
// A Status from the values, expressions, store or catalog as an AWS error:
// InvalidArgument -> ValidationException, NotFound -> ResourceNotFoundException,
// AlreadyExists -> ResourceInUseException, otherwise InternalServerError.
ApiError FromStatus(const Status& status);

// The table an item operation addresses: it must exist and be readable and
// writable (ACTIVE or UPDATING); CREATING and DELETING tables are not found,
// as on AWS.
struct TableLookup {
  TableRef table;
  std::optional<ApiError> error;
};
TableLookup ResolveTable(Context& ctx, const rapidjson::Value& in, const char* member = "TableName");
// The same inside a write body, on the writer thread (the current definition).
TableRef LiveTable(TableCatalog& catalog, const std::string& region, const std::string& name);

// --- input ---
// A member holding an Item/Key map, parsed; absent gives an empty item.
Result<Item> ParseItemMember(const rapidjson::Value& in, const char* name);
// ReturnValues: NONE and the values `allowed` lists; else AWS's message.
Result<std::string> ParseReturnValues(const rapidjson::Value& in, std::initializer_list<std::string_view> allowed);

// --- output ---
void WriteItemMember(JsonWriter& w, const char* name, const Item& item);
// ConsumedCapacity for ReturnConsumedCapacity TOTAL / INDEXES (nothing for
// NONE or absent). Units as AWS counts them: 1 per KB written, 1 per 4 KB
// read strongly (half that eventually consistent).
// `mode` is the request's ReturnConsumedCapacity (CapacityMode(in)).
std::string CapacityMode(const rapidjson::Value& in);
void WriteConsumedCapacity(JsonWriter& w, const std::string& mode, const std::string& table, double units);
// The body of a ConsumedCapacity object (for arrays of them).
void WriteCapacityObject(JsonWriter& w, const std::string& mode, const std::string& table, double units);
double WriteUnits(size_t bytes);
double ReadUnits(size_t bytes, bool consistent);

std::string Finish(rapidjson::StringBuffer& sb);
// {"<member>": TableDescription} with the store's current item count and size.
std::string TableDescriptionReply(TableCatalog& catalog, const char* member, const TableDefinition& table);

}  // namespace sluice::dynamodb::api
