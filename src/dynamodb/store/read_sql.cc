#include "dynamodb/store/read_sql.h"

#include <array>
#include <string>

namespace sluice::dynamodb::store {

namespace {

constexpr int kOps = 8;  // RangeCondition::Op values

std::string RangeTerm(const std::string& column, RangeCondition::Op op) {
  using Op = RangeCondition::Op;
  switch (op) {
    case Op::kNone: return "";
    case Op::kEq: return " AND " + column + "=?4";
    case Op::kLt: return " AND " + column + "<?4";
    case Op::kLe: return " AND " + column + "<=?4";
    case Op::kGt: return " AND " + column + ">?4";
    case Op::kGe: return " AND " + column + ">=?4";
    case Op::kBetween: return " AND " + column + ">=?4 AND " + column + "<=?5";
    case Op::kBeginsWith: return " AND " + column + ">=?4 AND " + column + "<?5";
  }
  return "";
}

constexpr char kIndexColumns[] =
    "SELECT e.hash_key, e.range_key, e.index_hash32, i.item, e.index_hash, e.index_range FROM index_entries e";
constexpr char kJoinItems[] =
    " CROSS JOIN items i ON i.table_id=e.table_id AND i.hash_key=e.hash_key AND i.range_key=e.range_key";

std::string BuildQuery(bool index, RangeCondition::Op op, Direction direction, bool has_start) {
  bool forward = direction == Direction::kForward;
  std::string order = forward ? "" : " DESC";
  std::string s;
  if (!index) {
    s = "SELECT hash_key, range_key, hash32, item FROM items WHERE table_id=?1 AND hash_key=?3";
    s += RangeTerm("range_key", op);
    if (has_start) s += forward ? " AND range_key>?6" : " AND range_key<?6";
    s += " ORDER BY range_key" + order;
    return s;
  }
  s = std::string(kIndexColumns) + kJoinItems + " WHERE e.table_id=?1 AND e.index_id=?2 AND e.index_hash=?3";
  s += RangeTerm("e.index_range", op);
  if (has_start && op == RangeCondition::Op::kEq) {
    // The index sort key is fixed: resume on the primary key alone (a
    // three-column row value here makes SQLite sort the page). The caller
    // handles a start whose index sort key differs (read_sql.h).
    s += forward ? " AND (e.hash_key, e.range_key)>(?7, ?8)" : " AND (e.hash_key, e.range_key)<(?7, ?8)";
  } else if (has_start) {
    s += forward ? " AND (e.index_range, e.hash_key, e.range_key)>(?6, ?7, ?8)"
                 : " AND (e.index_range, e.hash_key, e.range_key)<(?6, ?7, ?8)";
  }
  s += " ORDER BY e.index_range" + order + ", e.hash_key" + order + ", e.range_key" + order;
  return s;
}

std::string BuildScan(bool index, bool has_start) {
  // With a start key the row-value bound replaces the lower hash32 bound
  // (the caller ensures start >= lo): SQLite then seeks straight to the
  // start key instead of the start of its hash32 run.
  if (!index) {
    std::string s =
        "SELECT hash_key, range_key, hash32, item FROM items INDEXED BY items_by_hash32"
        " WHERE table_id=?1 AND hash32<?4";
    s += has_start ? " AND (hash32, hash_key, range_key)>(?5, ?8, ?9)" : " AND hash32>=?3";
    s += " ORDER BY hash32, hash_key, range_key";
    return s;
  }
  std::string s = std::string(kIndexColumns) + " INDEXED BY index_entries_by_hash32" + kJoinItems +
                  " WHERE e.table_id=?1 AND e.index_id=?2 AND e.index_hash32<?4";
  s += has_start ? " AND (e.index_hash32, e.index_hash, e.index_range, e.hash_key, e.range_key)>(?5, ?6, ?7, ?8, ?9)"
                 : " AND e.index_hash32>=?3";
  s += " ORDER BY e.index_hash32, e.index_hash, e.index_range, e.hash_key, e.range_key";
  return s;
}

int QueryShape(bool index, int op, bool forward, bool has_start) {
  return ((index * kOps + op) * 2 + forward) * 2 + has_start;
}

struct Texts {
  std::array<std::string, 2 * kOps * 2 * 2> query;
  std::array<std::string, 4> scan;

  Texts() {
    for (int index = 0; index < 2; ++index) {
      for (int op = 0; op < kOps; ++op) {
        for (int forward = 0; forward < 2; ++forward) {
          for (int start = 0; start < 2; ++start) {
            query[QueryShape(index, op, forward, start)] =
                BuildQuery(index, static_cast<RangeCondition::Op>(op),
                           forward ? Direction::kForward : Direction::kBackward, start);
          }
        }
      }
      for (int start = 0; start < 2; ++start) scan[index * 2 + start] = BuildScan(index, start);
    }
  }
};

const Texts& AllTexts() {
  static const Texts texts;
  return texts;
}

}  // namespace

const char* QuerySql(bool index, RangeCondition::Op op, Direction direction, bool has_start) {
  return AllTexts().query[QueryShape(index, static_cast<int>(op), direction == Direction::kForward, has_start)].c_str();
}

const char* ScanSql(bool index, bool has_start) { return AllTexts().scan[index * 2 + has_start].c_str(); }

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

}  // namespace sluice::dynamodb::store
