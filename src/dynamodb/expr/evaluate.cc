#include "dynamodb/expr/evaluate.h"

#include <algorithm>

namespace sluice::dynamodb::expr {
namespace {

int CompareBytes(const std::string& a, const std::string& b) {
  bool less = std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  });
  if (less) return -1;
  return a == b ? 0 : 1;
}

std::optional<AttributeValue> SizeOf(const AttributeValue& v) {
  size_t n;
  switch (v.type()) {
    case AttributeType::kS: n = v.s().size(); break;
    case AttributeType::kB: n = v.b().size(); break;
    case AttributeType::kSS: n = v.ss().size(); break;
    case AttributeType::kNS: n = v.ns().size(); break;
    case AttributeType::kBS: n = v.bs().size(); break;
    case AttributeType::kL: n = v.l().size(); break;
    case AttributeType::kM: n = v.m().size(); break;
    default: return std::nullopt;
  }
  return AttributeValue::Num(Number::FromInt(static_cast<int64_t>(n)));
}

}  // namespace

std::optional<AttributeValue> EvaluateOperand(const Operand& op, const Item* item) {
  switch (op.kind) {
    case Operand::Kind::kValue: return op.value;
    case Operand::Kind::kPath: {
      if (!item) return std::nullopt;
      const AttributeValue* v = Resolve(*item, op.path);
      if (!v) return std::nullopt;
      return *v;
    }
    case Operand::Kind::kSize: {
      if (op.args.empty()) return std::nullopt;
      auto v = EvaluateOperand(op.args[0], item);
      if (!v) return std::nullopt;
      return SizeOf(*v);
    }
    default: return std::nullopt;  // update-only operands, evaluated by Update
  }
}

std::optional<int> CompareOrdered(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type()) return std::nullopt;
  switch (a.type()) {
    case AttributeType::kS: return CompareBytes(a.s(), b.s());
    case AttributeType::kB: return CompareBytes(a.b(), b.b());
    case AttributeType::kN: return a.n().Compare(b.n());
    default: return std::nullopt;
  }
}

bool Contains(const AttributeValue& a, const AttributeValue& b) {
  switch (a.type()) {
    case AttributeType::kS: return b.is(AttributeType::kS) && a.s().find(b.s()) != std::string::npos;
    case AttributeType::kB: return b.is(AttributeType::kB) && a.b().find(b.b()) != std::string::npos;
    case AttributeType::kSS:
      return b.is(AttributeType::kS) && std::find(a.ss().begin(), a.ss().end(), b.s()) != a.ss().end();
    case AttributeType::kBS:
      return b.is(AttributeType::kB) && std::find(a.bs().begin(), a.bs().end(), b.b()) != a.bs().end();
    case AttributeType::kNS:
      return b.is(AttributeType::kN) && std::find(a.ns().begin(), a.ns().end(), b.n()) != a.ns().end();
    case AttributeType::kL: return std::find(a.l().begin(), a.l().end(), b) != a.l().end();
    default: return false;
  }
}

bool BeginsWith(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type()) return false;
  if (a.is(AttributeType::kS)) return a.s().compare(0, b.s().size(), b.s()) == 0;
  if (a.is(AttributeType::kB)) return a.b().compare(0, b.b().size(), b.b()) == 0;
  return false;
}

}  // namespace sluice::dynamodb::expr
