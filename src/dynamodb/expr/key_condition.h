// KeyCondition: a KeyConditionExpression (or legacy KeyConditions): equality
// on the partition key and at most one condition on the sort key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamodb/expr/ast.h"
#include "dynamodb/value/attribute_value.h"
#include "sluice/status.h"

namespace sluice::dynamodb::expr {

enum class KeyOperator { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };

struct KeyComparison {
  std::string name;  // top-level attribute
  KeyOperator op = KeyOperator::kEq;
  std::vector<AttributeValue> operands;  // 1, or 2 for kBetween

  // Whether a sort key value satisfies this comparison (same type required).
  bool Matches(const AttributeValue& value) const;
};

// The key condition bound to a key schema: what the store's range query needs.
struct KeyQuery {
  std::string hash_name;
  AttributeValue hash_value;
  std::optional<KeyComparison> range;  // on the sort key
};

class KeyCondition {
 public:
  explicit KeyCondition(std::vector<KeyComparison> comparisons) : comparisons_(std::move(comparisons)) {}
  // From a parsed KeyConditionExpression: only AND of "=", "<", "<=", ">",
  // ">=", BETWEEN, begins_with on top-level names, one per key (AWS's
  // messages otherwise, e.g. "Invalid operator used in
  // KeyConditionExpression: OR").
  static Result<KeyCondition> FromTree(const ConditionNode& root);

  // Checks the comparisons against the table's or index's key schema with
  // AWS's messages ("Query condition missed key schema element: id",
  // "Query key condition not supported", ...); the hash comparison must be
  // kEq.
  Result<KeyQuery> Bind(std::string_view hash_key, std::optional<std::string_view> range_key) const;
  const std::vector<KeyComparison>& comparisons() const { return comparisons_; }

 private:
  std::vector<KeyComparison> comparisons_;
};

}  // namespace sluice::dynamodb::expr
