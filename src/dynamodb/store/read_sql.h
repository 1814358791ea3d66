// The SQL of Query and Scan, one statement text per shape (primary or index,
// sort-key operator, direction, with or without a start key), built once and
// kept for the life of the process, so connections can cache them by
// address (Connection::Prepared).
//
// Query binds: ?1 table, ?2 index id, ?3 partition key, ?4 operand a,
// ?5 operand b (kBetween's upper bound, kBeginsWith's prefix successor),
// ?6 start sort key (the index sort key for an index), ?7 start primary
// partition key, ?8 start primary sort key (index reads only).
// Scan binds: ?1 table, ?2 index id, ?3 hash32 lo, ?4 hash32 hi, ?5 start
// hash32, ?6 start index partition key, ?7 start index sort key, ?8 start
// primary partition key, ?9 start primary sort key.
// An index Query with kEq and a start resumes on the primary key only
// (?7, ?8): the caller must first compare the start's index sort key with
// the operand (before it in the direction of reading: no start; after it:
// no rows).
// Columns of both: 0 hash_key, 1 range_key, 2 hash32, 3 item, and for index
// reads 4 index_hash, 5 index_range.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dynamodb/store/store_types.h"

namespace sluice::dynamodb::store {

const char* QuerySql(bool index, RangeCondition::Op op, Direction direction, bool has_start);
const char* ScanSql(bool index, bool has_start);

// The smallest byte string greater than every string that starts with
// `prefix` (kBeginsWith's exclusive upper bound), or nullopt when there is
// none (the prefix is empty or all 0xFF bytes).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace sluice::dynamodb::store
