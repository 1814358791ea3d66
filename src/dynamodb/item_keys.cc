#include "dynamodb/item_keys.h"

#include <rapidjson/document.h>

#include "dynamodb/value/json.h"
#include "dynamodb/value/key_encoding.h"

namespace sluice::dynamodb {

namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

size_t KeyValueBytes(const AttributeValue& v) {
  switch (v.type()) {
    case AttributeType::kS: return v.s().size();
    case AttributeType::kB: return v.b().size();
    case AttributeType::kN: return v.n().digits().size() / 2 + 2;
    default: return 0;
  }
}

bool IsEmptyScalar(const AttributeValue& v) {
  return (v.is(AttributeType::kS) && v.s().empty()) || (v.is(AttributeType::kB) && v.b().empty());
}

Status InvalidArgument(std::string message) { return Status::InvalidArgument(std::move(message)); }

// One key attribute of an item: present, of the schema's type, not empty,
// within the size limit; its encoding.
Result<std::string> EncodeKeyAttribute(const Item& item, const KeyAttribute& key, bool is_hash) {
  auto it = item.find(key.name);
  if (it == item.end()) return InvalidArgument(std::string(kInvalid) + "Missing the key " + key.name + " in the item");
  const AttributeValue& v = it->second;
  if (v.type() != key.type)
    return InvalidArgument(std::string(kInvalid) + "Type mismatch for key " + key.name + " expected: " +
                           std::string(TypeName(key.type)) + " actual: " + std::string(TypeName(v.type())));
  if (IsEmptyScalar(v))
    return InvalidArgument(std::string("One or more parameter values are not valid. The AttributeValue for a key "
                                       "attribute cannot contain an empty ") +
                           (v.is(AttributeType::kS) ? "string" : "binary") + " value. Key: " + key.name);
  if (is_hash && KeyValueBytes(v) > kMaxHashKeyBytes)
    return InvalidArgument(std::string(kInvalid) + "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  if (!is_hash && KeyValueBytes(v) > kMaxRangeKeyBytes)
    return InvalidArgument(std::string(kInvalid) +
                           "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  return EncodeKeyValue(v);
}

}  // namespace

Result<store::PrimaryKey> KeyOfItem(const TableDefinition& table, const Item& item) {
  store::PrimaryKey key;
  auto hash = EncodeKeyAttribute(item, table.keys.hash, true);
  if (!hash.ok()) return hash.status();
  key.hash = std::move(*hash);
  if (table.keys.range) {
    auto range = EncodeKeyAttribute(item, *table.keys.range, false);
    if (!range.ok()) return range.status();
    key.range = std::move(*range);
  }
  return key;
}

Result<store::PrimaryKey> KeyOfKeyParameter(const TableDefinition& table, const Item& key) {
  size_t expected = table.keys.range ? 2 : 1;
  auto mismatch = [] { return InvalidArgument("The provided key element does not match the schema"); };
  if (key.size() != expected) return mismatch();
  auto hash = key.find(table.keys.hash.name);
  if (hash == key.end() || hash->second.type() != table.keys.hash.type) return mismatch();
  if (table.keys.range) {
    auto range = key.find(table.keys.range->name);
    if (range == key.end() || range->second.type() != table.keys.range->type) return mismatch();
  }
  return KeyOfItem(table, key);
}

uint32_t HashOf(const TableDefinition& table, const Item& item) {
  auto it = item.find(table.keys.hash.name);
  return it == item.end() ? 0 : PartitionHash(it->second);
}

std::optional<store::IndexKey> IndexKeyOf(const SecondaryIndex& index, const Item& item) {
  auto hash = item.find(index.keys.hash.name);
  if (hash == item.end() || hash->second.type() != index.keys.hash.type || IsEmptyScalar(hash->second))
    return std::nullopt;
  store::IndexKey key;
  key.index = index.id;
  auto hash_bytes = EncodeKeyValue(hash->second);
  if (!hash_bytes.ok()) return std::nullopt;
  key.hash = std::move(*hash_bytes);
  key.hash32 = PartitionHash(hash->second);
  if (index.keys.range) {
    auto range = item.find(index.keys.range->name);
    if (range == item.end() || range->second.type() != index.keys.range->type || IsEmptyScalar(range->second))
      return std::nullopt;
    auto range_bytes = EncodeKeyValue(range->second);
    if (!range_bytes.ok()) return std::nullopt;
    key.range = std::move(*range_bytes);
  }
  return key;
}

Result<std::vector<store::IndexKey>> IndexKeysOf(const TableDefinition& table, const Item& item) {
  std::vector<store::IndexKey> keys;
  for (const auto& index : table.indexes) {
    if (index.status == IndexStatus::kDeleting) continue;
    for (const KeyAttribute* k : {&index.keys.hash, index.keys.range ? &*index.keys.range : nullptr}) {
      if (!k) continue;
      auto it = item.find(k->name);
      if (it == item.end()) continue;
      if (it->second.type() != k->type)
        return InvalidArgument(std::string(kInvalid) + "Type mismatch for Index Key " + k->name +
                               " Expected: " + std::string(TypeName(k->type)) +
                               " Actual: " + std::string(TypeName(it->second.type())) + " IndexName: " + index.name);
      if (IsEmptyScalar(it->second))
        return InvalidArgument(
            "One or more parameter values are not valid. A value specified for a secondary index key is not "
            "supported. The AttributeValue for a key attribute cannot contain an empty " +
            std::string(it->second.is(AttributeType::kS) ? "string" : "binary") + " value. IndexName: " + index.name +
            ", IndexKey: " + k->name);
    }
    if (auto key = IndexKeyOf(index, item)) keys.push_back(std::move(*key));
  }
  return keys;
}

std::optional<int64_t> ExpiryOf(const TableDefinition& table, const Item& item) {
  if (!table.ttl.enabled || table.ttl.attribute.empty()) return std::nullopt;
  auto it = item.find(table.ttl.attribute);
  if (it == item.end() || !it->second.is(AttributeType::kN)) return std::nullopt;
  const Number& n = it->second.n();
  if (n.negative() || n.is_zero()) return std::nullopt;
  // value = 0.<digits> x 10^exponent; whole seconds, truncated.
  if (n.exponent() > 18) return std::nullopt;  // beyond any real date
  int64_t seconds = 0;
  for (int i = 0; i < n.exponent(); ++i)
    seconds = seconds * 10 + (i < static_cast<int>(n.digits().size()) ? n.digits()[i] - '0' : 0);
  return seconds;
}

Item KeyAttributes(const TableDefinition& table, const SecondaryIndex* index, const Item& item) {
  Item key;
  auto copy = [&](const std::string& name) {
    auto it = item.find(name);
    if (it != item.end()) key.emplace(name, it->second);
  };
  copy(table.keys.hash.name);
  if (table.keys.range) copy(table.keys.range->name);
  if (index) {
    copy(index->keys.hash.name);
    if (index->keys.range) copy(index->keys.range->name);
  }
  return key;
}

Item ProjectForIndex(const TableDefinition& table, const SecondaryIndex& index, const Item& item) {
  if (index.projection.type == ProjectionType::kAll) return item;
  Item out = KeyAttributes(table, &index, item);
  if (index.projection.type == ProjectionType::kInclude) {
    for (const auto& name : index.projection.non_key_attributes) {
      auto it = item.find(name);
      if (it != item.end()) out.emplace(name, it->second);
    }
  }
  return out;
}

std::string EncodeItem(const Item& item) { return ItemToJsonText(item); }

Result<Item> DecodeItem(std::string_view blob) {
  rapidjson::Document d;
  d.Parse(blob.data(), blob.size());
  if (d.HasParseError()) return Status::Corruption("stored item is not JSON");
  return ParseItem(d);
}

}  // namespace sluice::dynamodb
