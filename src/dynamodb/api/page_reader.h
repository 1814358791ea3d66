// PageReader: what Query and Scan share. It consumes the store's rows of a
// table or index in order and builds one page as DynamoDB does: at most
// `Limit` items evaluated and at most 1 MB of items read, the FilterExpression
// applied after reading (Count counts matches, ScannedCount what was read),
// the index projection then the ProjectionExpression (or Select COUNT: no
// items), and LastEvaluatedKey when the page stopped early.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dynamodb/api/context.h"
#include "dynamodb/expr/condition.h"
#include "dynamodb/expr/projection.h"
#include "dynamodb/store/store_types.h"

namespace sluice::dynamodb::api {

inline constexpr size_t kMaxPageBytes = 1 << 20;

struct PageOptions {
  const TableDefinition* table = nullptr;
  const SecondaryIndex* index = nullptr;  // null: the table
  std::optional<expr::Condition> filter;
  std::optional<expr::Projection> projection;
  bool count_only = false;  // Select COUNT
  std::optional<int64_t> limit;
};

class PageReader {
 public:
  explicit PageReader(PageOptions options) : options_(std::move(options)) {}

  // The store's row callback: false when the page is full.
  bool OnRow(const store::Row& row);
  // A row that could not be decoded ends the read with this error.
  const std::optional<ApiError>& error() const { return error_; }

  // {"Items": [...], "Count", "ScannedCount", "LastEvaluatedKey"?,
  // "ConsumedCapacity"?} — the members, written into an open object.
  void WriteMembers(JsonWriter& w, const std::string& capacity_mode, bool consistent) const;

 private:
  PageOptions options_;
  std::vector<Item> items_;
  int64_t count_ = 0, scanned_ = 0;
  size_t bytes_ = 0;
  std::optional<Item> last_key_;
  std::optional<ApiError> error_;
};

// The request's ExclusiveStartKey as the store's resume point (nullopt when
// absent): it must name the table's key (and the index's key for index
// reads).
Result<std::optional<store::StartAfter>> ParseStartKey(const TableDefinition& table, const SecondaryIndex* index,
                                                       const rapidjson::Value& in);

// Query and Scan's answer: the store's read `status`, then the page.
void AnswerPage(const rapidjson::Value& in, const PageReader& page, const Status& status, Reply reply);

// IndexName resolved for reads: ValidationException for an unknown index, or
// one still being built.
Result<const SecondaryIndex*> ResolveIndex(const TableDefinition& table, const rapidjson::Value& in);

// Select vs ProjectionExpression / AttributesToGet, with AWS's messages;
// true when only counts are asked for (Select COUNT).
Result<bool> CheckSelect(const rapidjson::Value& in, const SecondaryIndex* index, bool has_projection);

}  // namespace sluice::dynamodb::api
