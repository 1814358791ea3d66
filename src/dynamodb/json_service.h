// The DynamoDB actions as a JSON 1.0 service for the router
// (X-Amz-Target: DynamoDB_20120810.<Operation>, signing name "dynamodb").
// Operations without a handler (PartiQL, backups, exports, global tables,
// Kinesis streaming destinations) answer UnknownOperationException.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "dynamodb/catalog.h"
#include "protocol/api_error.h"
#include "protocol/json_service.h"

namespace sluice::dynamodb {

// True when `operation` has a handler.
bool Implements(std::string_view operation);
// Runs `operation` (input already validated against the model) for `region`.
void Call(TableCatalog& catalog, std::string_view operation, const std::string& region, const rapidjson::Value& input,
          protocol::Reply reply);
// DynamoDB's dialect: JSON 1.0, error types qualified as AWS writes them
// (com.amazon.coral.validate#ValidationException,
// com.amazon.coral.service#..., com.amazonaws.dynamodb.v20120810#...), and
// x-amz-crc32 on every answer.
const protocol::JsonDialect& Dialect();
// The service for the router, calling into `catalog` (which must outlive it).
protocol::JsonService Service(TableCatalog& catalog);

}  // namespace sluice::dynamodb
