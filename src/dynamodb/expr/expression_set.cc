// The order of the checks is DynamoDB's: parameter mixing, the placeholder
// maps themselves, each expression (update, condition, key condition,
// filter, projection), then unused names and unused values.
#include "dynamodb/expr/expression_set.h"

#include <string>
#include <vector>

#include "dynamodb/expr/legacy.h"
#include "dynamodb/expr/parser.h"
#include "dynamodb/value/json.h"

namespace sluice::dynamodb::expr {
namespace {

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

const rapidjson::Value* Field(const rapidjson::Value& request, const char* name) {
  if (!request.IsObject()) return nullptr;
  auto it = request.FindMember(name);
  if (it == request.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string Str(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : "";
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

bool IsPlaceholderKey(const std::string& key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// The expression and legacy parameters of an operation, in the order AWS's
// messages list them.
struct ParameterLists {
  std::vector<std::string> expressions;
  std::vector<std::string> legacy;
};

ParameterLists ListsFor(std::string_view operation) {
  if (operation == "GetItem" || operation == "BatchGetItem") return {{"ProjectionExpression"}, {"AttributesToGet"}};
  if (operation == "PutItem" || operation == "DeleteItem") return {{"ConditionExpression"}, {"Expected"}};
  if (operation == "UpdateItem") return {{"UpdateExpression", "ConditionExpression"}, {"AttributeUpdates", "Expected"}};
  if (operation == "Query") {
    return {{"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
            {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"}};
  }
  if (operation == "Scan") {
    return {{"ProjectionExpression", "FilterExpression"}, {"AttributesToGet", "ScanFilter", "ConditionalOperator"}};
  }
  return {
      {"UpdateExpression", "ConditionExpression", "ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
      {"AttributesToGet", "AttributeUpdates", "Expected", "QueryFilter", "ScanFilter", "ConditionalOperator",
       "KeyConditions"}};
}

Status CheckMixing(const rapidjson::Value& request, std::string_view operation) {
  ParameterLists lists = ListsFor(operation);
  std::vector<std::string> expressions, legacy;
  for (const auto& f : lists.expressions) {
    if (Field(request, f.c_str())) expressions.push_back(f);
  }
  bool key_expression = Field(request, "KeyConditionExpression") != nullptr;
  for (const auto& f : lists.legacy) {
    // KeyConditions may go with other expressions when there is no
    // KeyConditionExpression.
    if (f == "KeyConditions" && !key_expression) continue;
    if (Field(request, f.c_str())) legacy.push_back(f);
  }
  if (!expressions.empty() && !legacy.empty()) {
    return Invalid(
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
        Joined(legacy) + "} Expression parameters: {" + Joined(expressions) + "}");
  }
  if (expressions.empty() && Field(request, "ExpressionAttributeNames")) {
    return Invalid("ExpressionAttributeNames can only be specified when using expressions");
  }
  std::vector<std::string> value_expressions;
  bool any_value_expression = false;
  for (const auto& f : lists.expressions) {
    if (f == "ProjectionExpression") continue;
    value_expressions.push_back(f);
    if (Field(request, f.c_str())) any_value_expression = true;
  }
  if (!value_expressions.empty() && !any_value_expression && Field(request, "ExpressionAttributeValues")) {
    std::string fields;
    for (size_t i = 0; i < value_expressions.size(); ++i) fields += (i ? " and " : "") + value_expressions[i];
    return Invalid("ExpressionAttributeValues can only be specified when using expressions: " + fields +
                   (value_expressions.size() > 1 ? " are null" : " is null"));
  }
  return Status::Ok();
}

Status ReadPlaceholders(const rapidjson::Value& request, ParseContext& ctx) {
  if (const rapidjson::Value* names = Field(request, "ExpressionAttributeNames"); names && names->IsObject()) {
    if (names->MemberCount() == 0) return Invalid("ExpressionAttributeNames must not be empty");
    for (const auto& m : names->GetObject()) {
      std::string key = Str(m.name);
      if (!IsPlaceholderKey(key, '#')) {
        return Invalid("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
      }
      ctx.names[key] = Str(m.value);
    }
  }
  if (const rapidjson::Value* values = Field(request, "ExpressionAttributeValues"); values && values->IsObject()) {
    if (values->MemberCount() == 0) return Invalid("ExpressionAttributeValues must not be empty");
    for (const auto& m : values->GetObject()) {
      std::string key = Str(m.name);
      if (!IsPlaceholderKey(key, ':')) {
        return Invalid("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
      }
    }
    for (const auto& m : values->GetObject()) {
      std::string key = Str(m.name);
      auto v = ParseAttributeValue(m.value);
      if (!v.ok()) {
        return Invalid("ExpressionAttributeValues contains invalid value: " + v.status().message() + " for key " + key);
      }
      ctx.values[key] = std::move(v).value();
    }
  }
  return Status::Ok();
}

template <typename T>
Result<T> Prefixed(Result<T> r, const char* field) {
  if (r.ok()) return r;
  return Invalid("Invalid " + std::string(field) + ": " + r.status().message());
}

}  // namespace

Result<ExpressionSet> ExpressionSet::FromRequest(const rapidjson::Value& request, std::string_view operation) {
  SLUICE_RETURN_IF_ERROR(CheckMixing(request, operation));
  ParseContext ctx;
  SLUICE_RETURN_IF_ERROR(ReadPlaceholders(request, ctx));
  ExpressionSet set;

  if (const auto* f = Field(request, "UpdateExpression")) {
    auto actions = Prefixed(ParseUpdate(Str(*f), ctx), "UpdateExpression");
    if (!actions.ok()) return actions.status();
    set.update.emplace(std::move(actions).value());
  }
  if (const auto* f = Field(request, "ConditionExpression")) {
    auto node = Prefixed(ParseCondition(Str(*f), ctx), "ConditionExpression");
    if (!node.ok()) return node.status();
    set.condition.emplace(std::move(node).value());
  }
  if (const auto* f = Field(request, "KeyConditionExpression")) {
    auto node = Prefixed(ParseCondition(Str(*f), ctx), "KeyConditionExpression");
    if (!node.ok()) return node.status();
    auto key = KeyCondition::FromTree(node.value());
    if (!key.ok()) return key.status();
    set.key_condition.emplace(std::move(key).value());
  }
  if (const auto* f = Field(request, "FilterExpression")) {
    auto node = Prefixed(ParseCondition(Str(*f), ctx), "FilterExpression");
    if (!node.ok()) return node.status();
    set.filter.emplace(std::move(node).value());
  }
  if (const auto* f = Field(request, "ProjectionExpression")) {
    auto paths = Prefixed(ParseProjection(Str(*f), ctx), "ProjectionExpression");
    if (!paths.ok()) return paths.status();
    set.projection.emplace(std::move(paths).value());
  }

  std::vector<std::string> unused;
  for (const auto& [key, name] : ctx.names) {
    if (!ctx.used_names.count(key)) unused.push_back(key);
  }
  if (!unused.empty())
    return Invalid("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + Joined(unused) + "}");
  for (const auto& [key, value] : ctx.values) {
    if (!ctx.used_values.count(key)) unused.push_back(key);
  }
  if (!unused.empty())
    return Invalid("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + Joined(unused) + "}");

  // The legacy parameters (CheckMixing ruled out a mix with expressions).
  const rapidjson::Value* conditional_operator = Field(request, "ConditionalOperator");
  if (const auto* f = Field(request, "Expected")) {
    auto node = ConditionFromLegacy(*f, conditional_operator, LegacyConditionKind::kExpected);
    if (!node.ok()) return node.status();
    set.condition.emplace(std::move(node).value());
  }
  for (const char* name : {"QueryFilter", "ScanFilter"}) {
    if (const auto* f = Field(request, name)) {
      auto node = ConditionFromLegacy(*f, conditional_operator, LegacyConditionKind::kFilter);
      if (!node.ok()) return node.status();
      set.filter.emplace(std::move(node).value());
    }
  }
  if (const auto* f = Field(request, "AttributeUpdates")) {
    auto actions = UpdateFromAttributeUpdates(*f);
    if (!actions.ok()) return actions.status();
    set.update.emplace(std::move(actions).value());
  }
  if (const auto* f = Field(request, "KeyConditions")) {
    auto key = KeyConditionFromLegacy(*f);
    if (!key.ok()) return key.status();
    set.key_condition.emplace(std::move(key).value());
  }
  if (const auto* f = Field(request, "AttributesToGet")) {
    auto paths = ProjectionFromAttributesToGet(*f);
    if (!paths.ok()) return paths.status();
    set.projection.emplace(std::move(paths).value());
  }
  return set;
}

}  // namespace sluice::dynamodb::expr
