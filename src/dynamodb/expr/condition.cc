#include "dynamodb/expr/condition.h"

#include <set>

#include "dynamodb/expr/evaluate.h"

namespace sluice::dynamodb::expr {
namespace {

bool Compare(Comparator c, const AttributeValue& a, const AttributeValue& b) {
  if (c == Comparator::kEq) return a == b;
  if (c == Comparator::kNe) return a != b;
  auto order = CompareOrdered(a, b);
  if (!order) return false;
  switch (c) {
    case Comparator::kLt: return *order < 0;
    case Comparator::kLe: return *order <= 0;
    case Comparator::kGt: return *order > 0;
    case Comparator::kGe: return *order >= 0;
    default: return false;
  }
}

bool Evaluate(const ConditionNode& n, const Item* item) {
  using K = ConditionNode::Kind;
  auto operand = [&](size_t i) -> std::optional<AttributeValue> {
    if (i >= n.operands.size()) return std::nullopt;
    return EvaluateOperand(n.operands[i], item);
  };
  switch (n.kind) {
    case K::kAnd:
      for (const auto& c : n.children) {
        if (!Evaluate(c, item)) return false;
      }
      return true;
    case K::kOr:
      for (const auto& c : n.children) {
        if (Evaluate(c, item)) return true;
      }
      return false;
    case K::kNot: return n.children.empty() || !Evaluate(n.children[0], item);
    case K::kCompare: {
      auto a = operand(0), b = operand(1);
      // A missing operand equals nothing and differs from everything.
      if (!a || !b) return n.comparator == Comparator::kNe && (a.has_value() || b.has_value());
      return Compare(n.comparator, *a, *b);
    }
    case K::kBetween: {
      auto a = operand(0), low = operand(1), high = operand(2);
      if (!a || !low || !high) return false;
      auto lo = CompareOrdered(*a, *low), hi = CompareOrdered(*a, *high);
      return lo && hi && *lo >= 0 && *hi <= 0;
    }
    case K::kIn: {
      auto a = operand(0);
      if (!a) return false;
      for (size_t i = 1; i < n.operands.size(); ++i) {
        auto candidate = operand(i);
        if (candidate && *candidate == *a) return true;
      }
      return false;
    }
    case K::kAttributeExists: return operand(0).has_value();
    case K::kAttributeNotExists: return !operand(0).has_value();
    case K::kAttributeType: {
      auto a = operand(0), t = operand(1);
      AttributeType type;
      return a && t && t->is(AttributeType::kS) && ParseTypeName(t->s(), &type) && a->type() == type;
    }
    case K::kBeginsWith: {
      auto a = operand(0), b = operand(1);
      return a && b && BeginsWith(*a, *b);
    }
    case K::kContains: {
      auto a = operand(0), b = operand(1);
      return a && b && Contains(*a, *b);
    }
  }
  return false;
}

void CollectNames(const Operand& op, std::set<std::string>& out) {
  if (op.kind == Operand::Kind::kPath && !op.path.elements.empty()) out.insert(op.path.top());
  for (const auto& a : op.args) CollectNames(a, out);
}

void CollectNames(const ConditionNode& n, std::set<std::string>& out) {
  for (const auto& op : n.operands) CollectNames(op, out);
  for (const auto& c : n.children) CollectNames(c, out);
}

}  // namespace

bool Condition::Matches(const Item* item) const { return Evaluate(*root_, item); }

std::vector<std::string> Condition::TopLevelNames() const {
  std::set<std::string> names;
  CollectNames(*root_, names);
  return {names.begin(), names.end()};
}

}  // namespace sluice::dynamodb::expr
