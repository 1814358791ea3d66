// Condition: a ConditionExpression / FilterExpression (or the legacy
// Expected, QueryFilter, ScanFilter translated to the same tree), evaluated
// with DynamoDB's semantics: comparisons only between values of one type
// (otherwise false), a missing attribute makes a comparison false.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dynamodb/expr/ast.h"
#include "dynamodb/value/attribute_value.h"

namespace sluice::dynamodb::expr {

class Condition {
 public:
  explicit Condition(ConditionNode root) : root_(std::make_shared<ConditionNode>(std::move(root))) {}

  // True when `item` (null: no item) satisfies the condition.
  bool Matches(const Item* item) const;
  // The top-level attribute names the condition reads (a Query filter may
  // not name key attributes).
  std::vector<std::string> TopLevelNames() const;
  const ConditionNode& root() const { return *root_; }

 private:
  std::shared_ptr<const ConditionNode> root_;
};

}  // namespace sluice::dynamodb::expr
