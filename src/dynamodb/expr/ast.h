// The trees every expression and legacy parameter is translated into:
// operands (paths, values, functions, arithmetic) and conditions.
#pragma once

#include <memory>
#include <vector>

#include "dynamodb/expr/path.h"
#include "dynamodb/value/attribute_value.h"

namespace sluice::dynamodb::expr {

struct Operand {
  enum class Kind {
    kPath,         // path
    kValue,        // value (a resolved :placeholder or a legacy value)
    kSize,         // size(path): args[0]
    kIfNotExists,  // if_not_exists(path, operand): args[0], args[1]
    kListAppend,   // list_append(a, b): args[0], args[1]
    kPlus,         // args[0] + args[1]
    kMinus,        // args[0] - args[1]
  };
  Kind kind = Kind::kValue;
  Path path;
  AttributeValue value;
  std::vector<Operand> args;
};

enum class Comparator { kEq, kNe, kLt, kLe, kGt, kGe };

struct ConditionNode {
  enum class Kind {
    kCompare,  // operands[0] <op> operands[1]
    kBetween,  // operands[0] BETWEEN operands[1] AND operands[2]
    kIn,       // operands[0] IN (operands[1..])
    kAnd,
    kOr,
    kNot,                 // children
    kAttributeExists,     // operands[0] is a path
    kAttributeNotExists,  // operands[0] is a path
    kAttributeType,       // operands[0] path, operands[1] the type name (S)
    kBeginsWith,          // operands[0], operands[1]
    kContains,            // operands[0], operands[1]
  };
  Kind kind = Kind::kAnd;
  Comparator comparator = Comparator::kEq;
  std::vector<Operand> operands;
  std::vector<ConditionNode> children;
};

}  // namespace sluice::dynamodb::expr
