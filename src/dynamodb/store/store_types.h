// The values the table store trades in. The store is value-agnostic: keys are
// opaque byte strings whose memcmp order is DynamoDB's order (the service
// layer encodes them), items are opaque blobs, hash32 is a 32-bit hash of the
// partition key that the caller computes (it orders Scan, so that parallel
// Scan segments are contiguous hash32 ranges).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::dynamodb::store {

// A table's id, assigned by WriteTxn::CreateTable; never reused, even after
// the table is deleted.
using TableId = int64_t;

// An index of a table, chosen by the caller: > 0 for a GSI or LSI (unique
// within its table and never reused for another index of that table),
// kPrimary for the table itself in Query and Scan.
using IndexId = int64_t;
inline constexpr IndexId kPrimary = 0;

// When a commit is durable: kAlways survives power loss (SQLite WAL with
// synchronous=FULL: the WAL is fsynced at every group commit); kOs survives a
// process crash (kill -9) but a power loss may lose the last commits
// (synchronous=NORMAL). The server's --fsync always|os.
enum class SyncPolicy { kAlways, kOs };

// An item's primary key: the encoded partition key and the encoded sort key
// (empty when the table has no sort key).
struct PrimaryKey {
  std::string hash;
  std::string range;

  bool operator==(const PrimaryKey&) const = default;
};

// One index an item belongs to, with the item's encoded key in that index.
// Sparse indexes: an item missing an index key attribute simply has no
// IndexKey for that index.
struct IndexKey {
  IndexId index = kPrimary;
  std::string hash;     // encoded index partition key
  std::string range;    // encoded index sort key (empty when none)
  uint32_t hash32 = 0;  // hash of the index partition key (index Scan order)

  bool operator==(const IndexKey&) const = default;
};

// Query's condition on the sort key (on the index's sort key for an index),
// on encoded bytes: `a` is the operand (the lower bound of kBetween, the
// prefix of kBeginsWith), `b` the upper bound of kBetween (inclusive).
struct RangeCondition {
  enum class Op { kNone, kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kNone;
  std::string a;
  std::string b;
};

enum class Direction { kForward, kBackward };

// Where a Query or Scan resumes (exclusively): the keys of the last row the
// caller consumed, i.e. its LastEvaluatedKey. For a primary read only
// `primary` (and, for Scan, `hash32`) matter; for an index read the index
// keys too.
struct StartAfter {
  uint32_t hash32 = 0;      // Scan only: the row's Row::hash32
  std::string index_hash;   // index reads only
  std::string index_range;  // index reads only
  PrimaryKey primary;
};

// One row handed to a Query or Scan callback. The views are valid only during
// the callback.
struct Row {
  std::string_view hash;         // primary partition key
  std::string_view range;        // primary sort key
  std::string_view index_hash;   // index reads: the index partition key (else empty)
  std::string_view index_range;  // index reads: the index sort key (else empty)
  uint32_t hash32 = 0;           // the item's hash32; for index reads the index entry's
  std::string_view item;         // the item blob
};

// A table's catalog row. `description` is the service layer's JSON; the
// store never reads it.
struct TableRecord {
  TableId id = 0;
  std::string region;
  std::string name;
  std::string description;
};

// What DescribeTable reports as ItemCount and TableSizeBytes: exact as of
// the last commit. size_bytes is the sum of the item blobs' sizes.
struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

}  // namespace sluice::dynamodb::store
