// ExpressionSet: every expression of one request, parsed together from the
// request's JSON object: ConditionExpression, FilterExpression,
// KeyConditionExpression, UpdateExpression, ProjectionExpression with
// ExpressionAttributeNames/Values, or the legacy parameters (Expected with
// ConditionalOperator, AttributeUpdates, KeyConditions, QueryFilter,
// ScanFilter, AttributesToGet) translated to the same trees.
//
// Placeholders are checked across all expressions of the request (undefined
// and unused ones), reserved words, syntax, overlapping update paths, and
// the mix of legacy and expression parameters, each with AWS's message. The
// Status message is the ValidationException text.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string_view>

#include "dynamodb/expr/condition.h"
#include "dynamodb/expr/key_condition.h"
#include "dynamodb/expr/projection.h"
#include "dynamodb/expr/update.h"
#include "sluice/status.h"

namespace sluice::dynamodb::expr {

struct ExpressionSet {
  std::optional<Condition> condition;         // ConditionExpression / Expected
  std::optional<Condition> filter;            // FilterExpression / QueryFilter / ScanFilter
  std::optional<Update> update;               // UpdateExpression / AttributeUpdates
  std::optional<Projection> projection;       // ProjectionExpression / AttributesToGet
  std::optional<KeyCondition> key_condition;  // KeyConditionExpression / KeyConditions

  // `request`: the request's (or a transaction item's) JSON object; fields
  // absent from it are simply absent here. `operation` ("UpdateItem",
  // "Query", ...; empty for any) picks which parameters AWS's messages about
  // mixing legacy and expression parameters list, and in which order.
  static Result<ExpressionSet> FromRequest(const rapidjson::Value& request, std::string_view operation = {});
};

}  // namespace sluice::dynamodb::expr
