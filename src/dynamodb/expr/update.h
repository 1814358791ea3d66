// Update: an UpdateExpression (or legacy AttributeUpdates) as an ordered list
// of actions, applied to an item in place.
#pragma once

#include <string>
#include <vector>

#include "dynamodb/expr/ast.h"
#include "sluice/status.h"

namespace sluice::dynamodb::expr {

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  Operand operand;  // kSet: the value; kAdd / kDelete: a kValue operand
};

class Update {
 public:
  explicit Update(std::vector<UpdateAction> actions) : actions_(std::move(actions)) {}

  // Applies every action to `item` (all operands are evaluated against the
  // item as it was before the update, as AWS does). On error `item` is left
  // unchanged; messages are AWS's: "The provided expression refers to an
  // attribute that does not exist in the item", "An operand in the update
  // expression has an incorrect data type", "The document path provided in
  // the update expression is invalid for update".
  Status Apply(Item& item) const;
  // The paths the update writes or removes (ReturnValues UPDATED_*; a
  // key attribute may not be updated).
  std::vector<Path> Paths() const;
  const std::vector<UpdateAction>& actions() const { return actions_; }

 private:
  std::vector<UpdateAction> actions_;
};

}  // namespace sluice::dynamodb::expr
