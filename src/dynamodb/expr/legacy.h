// The legacy conditional parameters, translated into the expression trees
// with AWS's validation messages: Expected (Exists / Value /
// ComparisonOperator + AttributeValueList) and QueryFilter / ScanFilter
// joined by ConditionalOperator, AttributeUpdates (PUT / ADD / DELETE),
// KeyConditions and AttributesToGet. Attribute names are literal top-level
// names (no paths).
#pragma once

#include <rapidjson/document.h>

#include <vector>

#include "dynamodb/expr/ast.h"
#include "dynamodb/expr/key_condition.h"
#include "dynamodb/expr/update.h"
#include "sluice/status.h"

namespace sluice::dynamodb::expr {

enum class LegacyConditionKind { kExpected, kFilter };

// `conditions`: the Expected / QueryFilter / ScanFilter object;
// `conditional_operator`: "AND" (also when null) or "OR".
Result<ConditionNode> ConditionFromLegacy(const rapidjson::Value& conditions,
                                          const rapidjson::Value* conditional_operator, LegacyConditionKind kind);
Result<std::vector<UpdateAction>> UpdateFromAttributeUpdates(const rapidjson::Value& attribute_updates);
Result<KeyCondition> KeyConditionFromLegacy(const rapidjson::Value& key_conditions);
Result<std::vector<Path>> ProjectionFromAttributesToGet(const rapidjson::Value& attributes_to_get);

}  // namespace sluice::dynamodb::expr
