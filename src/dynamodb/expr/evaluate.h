// Operand evaluation and the comparisons DynamoDB defines between values,
// shared by conditions, key conditions and updates.
#pragma once

#include <optional>

#include "dynamodb/expr/ast.h"

namespace sluice::dynamodb::expr {

// The operand's value in `item` (null: no item); nullopt when a path is
// missing or size() has no size.
std::optional<AttributeValue> EvaluateOperand(const Operand& op, const Item* item);

// Ordering of S, N and B values of one type; nullopt for other types or a
// type mismatch.
std::optional<int> CompareOrdered(const AttributeValue& a, const AttributeValue& b);
// contains(a, b): substring of S or B, member of a set, element of a list.
bool Contains(const AttributeValue& a, const AttributeValue& b);
// begins_with(a, b) for S or B.
bool BeginsWith(const AttributeValue& a, const AttributeValue& b);

}  // namespace sluice::dynamodb::expr
