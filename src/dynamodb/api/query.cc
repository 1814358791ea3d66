// Query: the items of one partition of a table or index, in sort-key order
// (ScanIndexForward), narrowed by the key condition on the sort key, paged
// by Limit / 1 MB / ExclusiveStartKey, filtered and projected.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/page_reader.h"
#include "dynamodb/expr/expression_set.h"
#include "dynamodb/value/key_encoding.h"

namespace sluice::dynamodb::api {

namespace {

Result<store::RangeCondition> ToRangeCondition(const expr::KeyComparison& c, const KeyAttribute& key) {
  store::RangeCondition r;
  for (const auto& operand : c.operands)
    if (operand.type() != key.type)
      return Status::InvalidArgument(
          "One or more parameter values were invalid: Condition parameter type does not match schema type");
  if (c.op == expr::KeyOperator::kBeginsWith && key.type == AttributeType::kN)
    return Status::InvalidArgument(
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N");
  auto a = EncodeKeyValue(c.operands.at(0));
  if (!a.ok()) return a.status();
  r.a = *a;
  switch (c.op) {
    case expr::KeyOperator::kEq: r.op = store::RangeCondition::Op::kEq; break;
    case expr::KeyOperator::kLt: r.op = store::RangeCondition::Op::kLt; break;
    case expr::KeyOperator::kLe: r.op = store::RangeCondition::Op::kLe; break;
    case expr::KeyOperator::kGt: r.op = store::RangeCondition::Op::kGt; break;
    case expr::KeyOperator::kGe: r.op = store::RangeCondition::Op::kGe; break;
    case expr::KeyOperator::kBeginsWith: r.op = store::RangeCondition::Op::kBeginsWith; break;
    case expr::KeyOperator::kBetween: {
      r.op = store::RangeCondition::Op::kBetween;
      auto b = EncodeKeyValue(c.operands.at(1));
      if (!b.ok()) return b.status();
      r.b = *b;
      if (r.a > r.b)
        return Status::InvalidArgument(
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
            "greater than or equal to lower bound; lower bound operand: AttributeValue: {" +
            std::string(TypeName(key.type)) + "}, upper bound operand: AttributeValue: {" +
            std::string(TypeName(key.type)) + "}");
      break;
    }
  }
  return r;
}

}  // namespace

void Query(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto lookup = ResolveTable(ctx, in);
  if (lookup.error) return reply(*lookup.error);
  const TableDefinition& table = *lookup.table;
  auto index = ResolveIndex(table, in);
  if (!index.ok()) return reply(Validation(index.status().message()));
  auto exprs = expr::ExpressionSet::FromRequest(in, "Query");
  if (!exprs.ok()) return reply(Validation(exprs.status().message()));
  if (!exprs->key_condition)
    return reply(
        Validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
                   "request."));
  const KeySchema& keys = *index ? (*index)->keys : table.keys;
  auto bound = exprs->key_condition->Bind(
      keys.hash.name, keys.range ? std::optional<std::string_view>(keys.range->name) : std::nullopt);
  if (!bound.ok()) return reply(Validation(bound.status().message()));
  if (bound->hash_value.type() != keys.hash.type)
    return reply(
        Validation("One or more parameter values were invalid: Condition parameter type does not match schema "
                   "type"));
  auto hash = EncodeKeyValue(bound->hash_value);
  if (!hash.ok()) return reply(Validation(hash.status().message()));
  store::RangeCondition range;
  if (bound->range) {
    auto r = ToRangeCondition(*bound->range, *keys.range);
    if (!r.ok()) return reply(Validation(r.status().message()));
    range = *r;
  }
  if (exprs->filter) {
    for (const auto& name : exprs->filter->TopLevelNames())
      if (name == keys.hash.name || (keys.range && name == keys.range->name))
        return reply(
            Validation("Filter Expression can only contain non-primary key attributes: Primary key "
                       "attribute: " +
                       name));
  }
  auto count_only = CheckSelect(in, *index, exprs->projection.has_value());
  if (!count_only.ok()) return reply(Validation(count_only.status().message()));
  auto start = ParseStartKey(table, *index, in);
  if (!start.ok()) return reply(Validation(start.status().message()));
  PageOptions options;
  options.table = &table;
  options.index = *index;
  options.filter = exprs->filter;
  options.projection = exprs->projection;
  options.count_only = *count_only;
  options.limit = GetInt(in, "Limit");
  PageReader page(std::move(options));
  bool forward = GetBool(in, "ScanIndexForward").value_or(true);
  Status st = ctx.catalog.store().Query(table.id, *index ? (*index)->id : store::kPrimary, *hash, range,
                                        forward ? store::Direction::kForward : store::Direction::kBackward, *start,
                                        [&page](const store::Row& row) { return page.OnRow(row); });
  AnswerPage(in, page, st, std::move(reply));
}

}  // namespace sluice::dynamodb::api
