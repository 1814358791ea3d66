// From items to the store's keys: an item's primary key, its entries in the
// table's secondary indexes and its TTL deadline, with AWS's messages for
// keys that do not fit the schema; and item blobs (the item's wire JSON).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamodb/store/store_types.h"
#include "dynamodb/table.h"
#include "dynamodb/value/attribute_value.h"
#include "sluice/status.h"

namespace sluice::dynamodb {

// AWS's limits on key values (bytes of the encoded value).
inline constexpr size_t kMaxHashKeyBytes = 2048;
inline constexpr size_t kMaxRangeKeyBytes = 1024;

// The primary key of a whole item (PutItem, a BatchWriteItem put):
// "One or more parameter values were invalid: Missing the key id in the item",
// "... Type mismatch for key id expected: S actual: N", empty strings and
// binaries, key size limits.
Result<store::PrimaryKey> KeyOfItem(const TableDefinition& table, const Item& item);
// The primary key named by a Key parameter (GetItem, UpdateItem, ...): it
// must hold exactly the key attributes ("The provided key element does not
// match the schema").
Result<store::PrimaryKey> KeyOfKeyParameter(const TableDefinition& table, const Item& key);
// The partition-key hash of the item (Scan order, parallel segments).
uint32_t HashOf(const TableDefinition& table, const Item& item);

// The item's entries in the table's indexes (not DELETING ones); an item
// without an index's key attributes is not in it. An index key attribute of
// the wrong type is an error: "One or more parameter values were invalid:
// Type mismatch for Index Key gsi_pk Expected: S Actual: N IndexName: byOwner".
Result<std::vector<store::IndexKey>> IndexKeysOf(const TableDefinition& table, const Item& item);
// The entry of one index, or nullopt when the item is not in it (backfill).
std::optional<store::IndexKey> IndexKeyOf(const SecondaryIndex& index, const Item& item);

// The TTL deadline (epoch seconds) when TTL is enabled and the item's TTL
// attribute is a number.
std::optional<int64_t> ExpiryOf(const TableDefinition& table, const Item& item);

// The key attributes of `item` for `table` (and `index`, for index reads):
// LastEvaluatedKey.
Item KeyAttributes(const TableDefinition& table, const SecondaryIndex* index, const Item& item);
// The attributes an index projects of `item` (KEYS_ONLY, INCLUDE, ALL).
Item ProjectForIndex(const TableDefinition& table, const SecondaryIndex& index, const Item& item);

// Items as stored: their wire JSON text.
std::string EncodeItem(const Item& item);
Result<Item> DecodeItem(std::string_view blob);

}  // namespace sluice::dynamodb
