#include "dynamodb/expr/legacy.h"

#include <set>
#include <string>

#include "dynamodb/expr/evaluate.h"
#include "dynamodb/value/json.h"

namespace sluice::dynamodb::expr {
namespace {

const std::string kInvalid = "One or more parameter values were invalid: ";

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }
std::string Str(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : "";
}

Path NamePath(const std::string& name) { return Path{{PathElement{name, 0, false}}}; }

Operand PathOperand(const std::string& name) {
  Operand op;
  op.kind = Operand::Kind::kPath;
  op.path = NamePath(name);
  return op;
}

Operand ValueOperand(AttributeValue v) {
  Operand op;
  op.kind = Operand::Kind::kValue;
  op.value = std::move(v);
  return op;
}

// Argument count per operator; -1 = one or more (IN).
int ArgumentCount(const std::string& op) {
  if (op == "NULL" || op == "NOT_NULL") return 0;
  if (op == "IN") return -1;
  if (op == "BETWEEN") return 2;
  return 1;
}

bool TypeAllowed(const std::string& op, AttributeType t) {
  bool scalar = t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
  bool set = t == AttributeType::kSS || t == AttributeType::kNS || t == AttributeType::kBS;
  if (op == "EQ" || op == "NE") return scalar || set;
  if (op == "BEGINS_WITH") return t == AttributeType::kS || t == AttributeType::kB;
  return scalar;
}

// One ComparisonOperator applied to `name` with `values`, after the checks.
Result<ConditionNode> Comparison(const std::string& name, const std::string& op, std::vector<AttributeValue> values) {
  static const std::set<std::string> kOperators = {"EQ",          "NE",       "LE",     "LT",       "GE",
                                                   "GT",          "NOT_NULL", "NULL",   "CONTAINS", "NOT_CONTAINS",
                                                   "BEGINS_WITH", "IN",       "BETWEEN"};
  if (!kOperators.count(op)) return Invalid(kInvalid + "Unsupported ComparisonOperator: " + op);
  int want = ArgumentCount(op);
  if ((want >= 0 && static_cast<int>(values.size()) != want) || (want < 0 && values.empty())) {
    return Invalid(kInvalid + "Invalid number of argument(s) for the " + op + " ComparisonOperator");
  }
  for (const auto& v : values) {
    if (v.type() != values[0].type()) {
      return Invalid(kInvalid + "AttributeValues inside AttributeValueList must be of same type");
    }
  }
  for (const auto& v : values) {
    if (!TypeAllowed(op, v.type())) {
      return Invalid(kInvalid + "ComparisonOperator " + op + " is not valid for " + std::string(TypeName(v.type())) +
                     " AttributeValue type");
    }
  }
  if (op == "BETWEEN") {
    auto c = CompareOrdered(values[0], values[1]);
    if (c && *c > 0) {
      return Invalid(
          "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    }
  }
  using K = ConditionNode::Kind;
  ConditionNode n;
  n.operands.push_back(PathOperand(name));
  for (auto& v : values) n.operands.push_back(ValueOperand(std::move(v)));
  static const std::pair<const char*, Comparator> kComparators[] = {{"EQ", Comparator::kEq}, {"NE", Comparator::kNe},
                                                                    {"LE", Comparator::kLe}, {"LT", Comparator::kLt},
                                                                    {"GE", Comparator::kGe}, {"GT", Comparator::kGt}};
  for (const auto& [text, cmp] : kComparators) {
    if (op == text) {
      n.kind = K::kCompare;
      n.comparator = cmp;
      return n;
    }
  }
  if (op == "NOT_NULL") n.kind = K::kAttributeExists;
  if (op == "NULL") n.kind = K::kAttributeNotExists;
  if (op == "CONTAINS" || op == "NOT_CONTAINS") n.kind = K::kContains;
  if (op == "BEGINS_WITH") n.kind = K::kBeginsWith;
  if (op == "IN") n.kind = K::kIn;
  if (op == "BETWEEN") n.kind = K::kBetween;
  if (op == "NOT_CONTAINS") {
    ConditionNode negation;
    negation.kind = K::kNot;
    negation.children.push_back(std::move(n));
    return negation;
  }
  return n;
}

Result<std::vector<AttributeValue>> ValueList(const rapidjson::Value& list) {
  std::vector<AttributeValue> out;
  if (!list.IsArray()) return out;
  for (const auto& v : list.GetArray()) {
    auto parsed = ParseAttributeValue(v);
    if (!parsed.ok()) return parsed.status();
    out.push_back(std::move(parsed).value());
  }
  return out;
}

Result<ConditionNode> ExpectedEntry(const std::string& key, const rapidjson::Value& c) {
  const rapidjson::Value* value = c.HasMember("Value") ? &c["Value"] : nullptr;
  const rapidjson::Value* list = c.HasMember("AttributeValueList") ? &c["AttributeValueList"] : nullptr;
  const rapidjson::Value* exists = c.HasMember("Exists") && !c["Exists"].IsNull() ? &c["Exists"] : nullptr;
  if (value && list) {
    return Invalid(kInvalid + "Value and AttributeValueList cannot be used together for Attribute: " + key);
  }
  if (c.HasMember("ComparisonOperator")) {
    std::string op = Str(c["ComparisonOperator"]);
    if (exists)
      return Invalid(kInvalid + "Exists and ComparisonOperator cannot be used together for Attribute: " + key);
    if (op != "NULL" && op != "NOT_NULL" && !value && !list) {
      return Invalid(kInvalid + "Value or AttributeValueList must be used with ComparisonOperator: " + op +
                     " for Attribute: " + key);
    }
    std::vector<AttributeValue> values;
    if (value) {
      auto v = ParseAttributeValue(*value);
      if (!v.ok()) return v.status();
      values.push_back(std::move(v).value());
    } else if (list) {
      auto vs = ValueList(*list);
      if (!vs.ok()) return vs.status();
      values = std::move(vs).value();
    }
    return Comparison(key, op, std::move(values));
  }
  if (list) {
    return Invalid(kInvalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + key);
  }
  bool must_exist = !exists || (exists->IsBool() && exists->GetBool());
  if (must_exist && !value) {
    return Invalid(kInvalid + "Value must be provided when Exists is " + (exists ? "true" : "null") +
                   " for Attribute: " + key);
  }
  if (!must_exist && value)
    return Invalid(kInvalid + "Value cannot be used when Exists is false for Attribute: " + key);
  if (!must_exist) return Comparison(key, "NULL", {});
  auto v = ParseAttributeValue(*value);
  if (!v.ok()) return v.status();
  ConditionNode n;
  n.kind = ConditionNode::Kind::kCompare;
  n.comparator = Comparator::kEq;
  n.operands = {PathOperand(key), ValueOperand(std::move(v).value())};
  return n;
}

Result<ConditionNode> FilterEntry(const std::string& key, const rapidjson::Value& c) {
  std::string op = c.HasMember("ComparisonOperator") ? Str(c["ComparisonOperator"]) : "";
  std::vector<AttributeValue> values;
  if (c.HasMember("AttributeValueList")) {
    auto vs = ValueList(c["AttributeValueList"]);
    if (!vs.ok()) return vs.status();
    values = std::move(vs).value();
  }
  return Comparison(key, op, std::move(values));
}

}  // namespace

Result<ConditionNode> ConditionFromLegacy(const rapidjson::Value& conditions,
                                          const rapidjson::Value* conditional_operator, LegacyConditionKind kind) {
  ConditionNode root;
  root.kind = ConditionNode::Kind::kAnd;
  if (conditional_operator && conditional_operator->IsString() && Str(*conditional_operator) == "OR") {
    root.kind = ConditionNode::Kind::kOr;
  }
  if (!conditions.IsObject()) return root;
  for (const auto& m : conditions.GetObject()) {
    std::string key = Str(m.name);
    auto entry = kind == LegacyConditionKind::kExpected ? ExpectedEntry(key, m.value) : FilterEntry(key, m.value);
    if (!entry.ok()) return entry;
    root.children.push_back(std::move(entry).value());
  }
  return root;
}

Result<std::vector<UpdateAction>> UpdateFromAttributeUpdates(const rapidjson::Value& attribute_updates) {
  std::vector<UpdateAction> actions;
  if (!attribute_updates.IsObject()) return actions;
  for (const auto& m : attribute_updates.GetObject()) {
    std::string key = Str(m.name);
    const rapidjson::Value& u = m.value;
    std::string action = u.HasMember("Action") && u["Action"].IsString() ? Str(u["Action"]) : "PUT";
    std::optional<AttributeValue> value;
    if (u.HasMember("Value") && !u["Value"].IsNull()) {
      auto v = ParseAttributeValue(u["Value"]);
      if (!v.ok()) return v.status();
      value = std::move(v).value();
    }
    if (!value && action != "DELETE") {
      return Invalid(kInvalid + "Only DELETE action is allowed when no attribute value is specified");
    }
    UpdateAction a;
    a.path = NamePath(key);
    if (value) a.operand = ValueOperand(*value);
    if (action == "PUT") {
      a.kind = UpdateAction::Kind::kSet;
    } else if (action == "DELETE") {
      a.kind = value ? UpdateAction::Kind::kDelete : UpdateAction::Kind::kRemove;
      if (value && !value->is(AttributeType::kSS) && !value->is(AttributeType::kNS) && !value->is(AttributeType::kBS)) {
        return Invalid(kInvalid + "DELETE action with value is not supported for the type " +
                       std::string(TypeName(value->type())));
      }
    } else if (action == "ADD") {
      a.kind = UpdateAction::Kind::kAdd;
      AttributeType t = value->type();
      if (t != AttributeType::kL && t != AttributeType::kSS && t != AttributeType::kNS && t != AttributeType::kBS &&
          t != AttributeType::kN) {
        return Invalid(kInvalid + "ADD action is not supported for the type " + std::string(TypeName(t)));
      }
    } else {
      return Invalid(kInvalid + "Unsupported Action: " + action);
    }
    actions.push_back(std::move(a));
  }
  return actions;
}

Result<KeyCondition> KeyConditionFromLegacy(const rapidjson::Value& key_conditions) {
  std::vector<KeyComparison> comparisons;
  if (key_conditions.IsObject()) {
    for (const auto& m : key_conditions.GetObject()) {
      std::string key = Str(m.name);
      auto node = FilterEntry(key, m.value);
      if (!node.ok()) return node.status();
      std::string op = m.value.HasMember("ComparisonOperator") ? Str(m.value["ComparisonOperator"]) : "";
      KeyComparison c;
      c.name = key;
      if (op == "EQ") c.op = KeyOperator::kEq;
      else if (op == "LT") c.op = KeyOperator::kLt;
      else if (op == "LE") c.op = KeyOperator::kLe;
      else if (op == "GT") c.op = KeyOperator::kGt;
      else if (op == "GE") c.op = KeyOperator::kGe;
      else if (op == "BETWEEN") c.op = KeyOperator::kBetween;
      else if (op == "BEGINS_WITH") c.op = KeyOperator::kBeginsWith;
      else return Invalid("Attempted conditional constraint is not an indexable operation");
      for (size_t i = 1; i < node->operands.size(); ++i) c.operands.push_back(node->operands[i].value);
      comparisons.push_back(std::move(c));
    }
  }
  if (comparisons.size() != 1 && comparisons.size() != 2) return Invalid("Conditions can be of length 1 or 2 only");
  return KeyCondition(std::move(comparisons));
}

Result<std::vector<Path>> ProjectionFromAttributesToGet(const rapidjson::Value& attributes_to_get) {
  std::vector<Path> paths;
  std::set<std::string> seen;
  if (!attributes_to_get.IsArray()) return paths;
  for (const auto& v : attributes_to_get.GetArray()) {
    std::string name = Str(v);
    if (!seen.insert(name).second) {
      return Invalid(kInvalid + "Duplicate value in attribute name: " + name);
    }
    paths.push_back(NamePath(name));
  }
  return paths;
}

}  // namespace sluice::dynamodb::expr
