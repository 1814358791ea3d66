#include "dynamodb/store/write_txn.h"

#include "dynamodb/store/writer_session.h"

namespace sluice::dynamodb::store {

Result<std::optional<std::string>> WriteTxn::Get(TableId table, const PrimaryKey& key) {
  return session_.Get(table, key);
}

Status WriteTxn::Put(TableId table, const PrimaryKey& key, std::string_view item, uint32_t hash32,
                     std::span<const IndexKey> index_keys, std::optional<int64_t> expires_at) {
  return session_.Put(table, key, item, hash32, index_keys, expires_at);
}

Status WriteTxn::Delete(TableId table, const PrimaryKey& key) { return session_.Delete(table, key); }

Status WriteTxn::SetIndexEntry(TableId table, const PrimaryKey& key, IndexId index,
                               const std::optional<IndexKey>& entry) {
  return session_.SetIndexEntry(table, key, index, entry);
}

Result<TableId> WriteTxn::CreateTable(std::string_view region, std::string_view name, std::string_view description) {
  return session_.CreateTable(region, name, description);
}

Status WriteTxn::UpdateTable(TableId table, std::string_view description) {
  return session_.UpdateTable(table, description);
}

Status WriteTxn::DeleteTable(TableId table) { return session_.DeleteTable(table); }

Status WriteTxn::DropIndex(TableId table, IndexId index) { return session_.DropIndex(table, index); }

size_t WriteTxn::batch_bytes() const { return session_.batch_bytes(); }

}  // namespace sluice::dynamodb::store
