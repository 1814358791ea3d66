// Reading table schemas from CreateTable/UpdateTable requests: attribute
// definitions, key schemas, secondary indexes, throughput and tags, with
// AWS's validation messages (Status InvalidArgument carries the text).
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>

#include "dynamodb/table.h"
#include "sluice/status.h"

namespace sluice::dynamodb::api {

using AttributeDefinitions = std::map<std::string, AttributeType>;

Result<AttributeDefinitions> ParseAttributeDefinitions(const rapidjson::Value& in);
// A KeySchema array: HASH first, then an optional RANGE, every attribute
// defined in `defs`.
Result<KeySchema> ParseKeySchema(const rapidjson::Value& key_schema, const AttributeDefinitions& defs);
// ProvisionedThroughput of a table or index under `billing`.
Result<ProvisionedThroughput> ParseThroughput(const rapidjson::Value& in, BillingMode billing, bool for_index);
// One LocalSecondaryIndexes / GlobalSecondaryIndexes element (or a GSI
// Create update): name, key schema, projection, throughput.
Result<SecondaryIndex> ParseIndex(const rapidjson::Value& in, const AttributeDefinitions& defs, bool global,
                                  BillingMode billing);
// Tags: [{Key, Value}] -> map.
Result<std::map<std::string, std::string>> ParseTags(const rapidjson::Value& in, const char* member = "Tags");

}  // namespace sluice::dynamodb::api
