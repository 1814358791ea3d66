#include "dynamodb/expr/key_condition.h"

#include "dynamodb/expr/evaluate.h"

namespace sluice::dynamodb::expr {
namespace {

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

Status Collect(const ConditionNode& n, std::vector<KeyComparison>& out) {
  using K = ConditionNode::Kind;
  switch (n.kind) {
    case K::kAnd:
      for (const auto& c : n.children) SLUICE_RETURN_IF_ERROR(Collect(c, out));
      return Status::Ok();
    case K::kOr: return Invalid("Invalid operator used in KeyConditionExpression: OR");
    case K::kNot: return Invalid("Invalid operator used in KeyConditionExpression: NOT");
    case K::kIn: return Invalid("Invalid operator used in KeyConditionExpression: IN");
    case K::kAttributeExists: return Invalid("Invalid operator used in KeyConditionExpression: attribute_exists");
    case K::kAttributeNotExists:
      return Invalid("Invalid operator used in KeyConditionExpression: attribute_not_exists");
    case K::kAttributeType: return Invalid("Invalid operator used in KeyConditionExpression: attribute_type");
    case K::kContains: return Invalid("Invalid operator used in KeyConditionExpression: contains");
    case K::kCompare:
      if (n.comparator == Comparator::kNe) return Invalid("Invalid operator used in KeyConditionExpression: <>");
      break;
    case K::kBetween:
    case K::kBeginsWith:
      if (n.operands.empty() || n.operands[0].kind != Operand::Kind::kPath) {
        return Invalid(std::string("Invalid condition in KeyConditionExpression: ") +
                       (n.kind == K::kBetween ? "BETWEEN" : "begins_with") +
                       " operator must have the key attribute as its first operand");
      }
      break;
  }
  KeyComparison c;
  int path_index = -1;
  for (size_t i = 0; i < n.operands.size(); ++i) {
    const Operand& op = n.operands[i];
    if (op.kind == Operand::Kind::kSize) return Invalid("KeyConditionExpressions cannot contain nested operations");
    if (op.kind == Operand::Kind::kPath) {
      if (path_index >= 0)
        return Invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
      if (op.path.elements.size() > 1)
        return Invalid("KeyConditionExpressions cannot have conditions on nested attributes");
      path_index = static_cast<int>(i);
      c.name = op.path.top();
    } else {
      c.operands.push_back(op.value);
    }
  }
  if (path_index < 0) return Invalid("Invalid condition in KeyConditionExpression: No key attribute specified");
  for (const auto& other : out) {
    if (other.name == c.name) return Invalid("KeyConditionExpressions must only contain one condition per key");
  }
  if (n.kind == K::kBetween) {
    c.op = KeyOperator::kBetween;
  } else if (n.kind == K::kBeginsWith) {
    c.op = KeyOperator::kBeginsWith;
  } else {
    // ":v < k" is "k > :v".
    bool flipped = path_index == 1;
    switch (n.comparator) {
      case Comparator::kLt: c.op = flipped ? KeyOperator::kGt : KeyOperator::kLt; break;
      case Comparator::kLe: c.op = flipped ? KeyOperator::kGe : KeyOperator::kLe; break;
      case Comparator::kGt: c.op = flipped ? KeyOperator::kLt : KeyOperator::kGt; break;
      case Comparator::kGe: c.op = flipped ? KeyOperator::kLe : KeyOperator::kGe; break;
      default: c.op = KeyOperator::kEq; break;
    }
  }
  out.push_back(std::move(c));
  return Status::Ok();
}

}  // namespace

bool KeyComparison::Matches(const AttributeValue& value) const {
  if (operands.empty()) return false;
  if (op == KeyOperator::kBeginsWith) return BeginsWith(value, operands[0]);
  auto c = CompareOrdered(value, operands[0]);
  if (!c) return false;
  switch (op) {
    case KeyOperator::kEq: return *c == 0;
    case KeyOperator::kLt: return *c < 0;
    case KeyOperator::kLe: return *c <= 0;
    case KeyOperator::kGt: return *c > 0;
    case KeyOperator::kGe: return *c >= 0;
    case KeyOperator::kBetween: {
      if (operands.size() < 2) return false;
      auto high = CompareOrdered(value, operands[1]);
      return *c >= 0 && high && *high <= 0;
    }
    case KeyOperator::kBeginsWith: break;
  }
  return false;
}

Result<KeyCondition> KeyCondition::FromTree(const ConditionNode& root) {
  std::vector<KeyComparison> comparisons;
  SLUICE_RETURN_IF_ERROR(Collect(root, comparisons));
  if (comparisons.size() > 2) return Invalid("Conditions can be of length 1 or 2 only");
  return KeyCondition(std::move(comparisons));
}

Result<KeyQuery> KeyCondition::Bind(std::string_view hash_key, std::optional<std::string_view> range_key) const {
  const KeyComparison* hash = nullptr;
  const KeyComparison* range = nullptr;
  for (const auto& c : comparisons_) {
    if (c.name == hash_key) {
      hash = &c;
    } else if (range_key && c.name == *range_key) {
      range = &c;
    }
  }
  if (!range_key && comparisons_.size() > 1) return Invalid("Query key condition not supported");
  if (!hash) return Invalid("Query condition missed key schema element: " + std::string(hash_key));
  if (comparisons_.size() > 1 && !range)
    return Invalid("Query condition missed key schema element: " + std::string(*range_key));
  if (hash->op != KeyOperator::kEq) return Invalid("Query key condition not supported");
  for (const KeyComparison* c : {hash, range}) {
    if (!c) continue;
    for (const auto& v : c->operands) {
      if (!v.is(AttributeType::kS) && !v.is(AttributeType::kN) && !v.is(AttributeType::kB)) {
        return Invalid(
            "One or more parameter values were invalid: Condition parameter type does not match schema type");
      }
    }
  }
  KeyQuery q;
  q.hash_name = hash->name;
  q.hash_value = hash->operands.at(0);
  if (range) q.range = *range;
  return q;
}

}  // namespace sluice::dynamodb::expr
