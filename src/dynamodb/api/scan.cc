// Scan: every item of a table or index in partition-hash order, paged by
// Limit / 1 MB / ExclusiveStartKey, filtered and projected; a parallel Scan
// (Segment of TotalSegments) reads one contiguous range of partition hashes.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/page_reader.h"
#include "dynamodb/expr/expression_set.h"

namespace sluice::dynamodb::api {

void Scan(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto lookup = ResolveTable(ctx, in);
  if (lookup.error) return reply(*lookup.error);
  const TableDefinition& table = *lookup.table;
  auto index = ResolveIndex(table, in);
  if (!index.ok()) return reply(Validation(index.status().message()));
  auto segment = GetInt(in, "Segment");
  auto total = GetInt(in, "TotalSegments");
  if (segment && !total)
    return reply(
        Validation("The TotalSegments parameter is required but was not present in the request when Segment "
                   "parameter is present"));
  if (total && !segment)
    return reply(
        Validation("The Segment parameter is required but was not present in the request when parameter "
                   "TotalSegments is present"));
  if (segment && *segment >= *total)
    return reply(
        Validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                   "Segment: " +
                   std::to_string(*segment) + " is not less than TotalSegments: " + std::to_string(*total)));
  auto exprs = expr::ExpressionSet::FromRequest(in, "Scan");
  if (!exprs.ok()) return reply(Validation(exprs.status().message()));
  auto count_only = CheckSelect(in, *index, exprs->projection.has_value());
  if (!count_only.ok()) return reply(Validation(count_only.status().message()));
  auto start = ParseStartKey(table, *index, in);
  if (!start.ok()) return reply(Validation(start.status().message()));
  uint64_t lo = 0, hi = uint64_t{1} << 32;
  if (segment) {
    lo = (static_cast<uint64_t>(*segment) << 32) / static_cast<uint64_t>(*total);
    hi = (static_cast<uint64_t>(*segment + 1) << 32) / static_cast<uint64_t>(*total);
  }
  PageOptions options;
  options.table = &table;
  options.index = *index;
  options.filter = exprs->filter;
  options.projection = exprs->projection;
  options.count_only = *count_only;
  options.limit = GetInt(in, "Limit");
  PageReader page(std::move(options));
  Status st = ctx.catalog.store().Scan(table.id, *index ? (*index)->id : store::kPrimary, lo, hi, *start,
                                       [&page](const store::Row& row) { return page.OnRow(row); });
  AnswerPage(in, page, st, std::move(reply));
}

}  // namespace sluice::dynamodb::api
