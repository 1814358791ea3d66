// WriteTxn: what a write body may do. A body runs on the store's writer
// thread inside its own SAVEPOINT of the current group-commit transaction;
// it sees every earlier write of its batch, and all its changes are kept or
// dropped together (the body's Status decides). Not thread-safe, and valid
// only while the body runs: never keep it.
//
// Every method fails with kIoError when SQLite does (disk full, I/O error);
// after any failure the whole body is rolled back, whatever it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "dynamodb/store/store_types.h"

namespace sluice::dynamodb::store {

class WriterSession;  // store/writer_session.h

class WriteTxn {
 public:
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;

  // --- Items ---

  // The item's blob, or nullopt when there is none.
  Result<std::optional<std::string>> Get(TableId table, const PrimaryKey& key);

  // Creates or replaces the item. `index_keys` is the complete list of the
  // item's index entries (at most one per index): the old item's entries are
  // replaced by these. `expires_at` (epoch seconds) makes the item a TTL
  // candidate (ExpiredKeys); nullopt for none. kFailedPrecondition when the
  // table or one of the indexes is being deleted; kInvalidArgument for an
  // index id <= 0 or two entries for one index. Bytes are bound without a
  // copy and SQLite copies them: nothing needs to outlive the call.
  Status Put(TableId table, const PrimaryKey& key, std::string_view item, uint32_t hash32,
             std::span<const IndexKey> index_keys, std::optional<int64_t> expires_at);

  // Removes the item and its index entries; Ok when there was none.
  // kFailedPrecondition when the table is being deleted.
  Status Delete(TableId table, const PrimaryKey& key);

  // Index backfill (a new GSI over existing items): sets the item's entry in
  // `entry.index` (replacing any it had there), or, with nullopt, removes it.
  // Call it after Get() of the same item in the same body, computing the
  // entry from what Get returned, so a concurrent Put is never undone.
  Status SetIndexEntry(TableId table, const PrimaryKey& key, IndexId index, const std::optional<IndexKey>& entry);

  // --- The table catalog ---

  // A new table's catalog row; kAlreadyExists when (region, name) is taken.
  Result<TableId> CreateTable(std::string_view region, std::string_view name, std::string_view description);

  // Replaces the table's description; kNotFound for an unknown table.
  Status UpdateTable(TableId table, std::string_view description);

  // Removes the table's catalog row at once (the name is free again when the
  // batch commits) and queues its items and index entries for removal in
  // chunks by the writer thread, between batches, so a huge table does not
  // stall writes. Until then reads of the old id may still find rows: route
  // no reads to a deleted table. kNotFound for an unknown table.
  Status DeleteTable(TableId table);

  // Queues the removal of all entries of one index (chunked as above). The
  // index id must not be used again for that table.
  Status DropIndex(TableId table, IndexId index);

  // Bytes of items written by this batch so far (for the batch limit).
  size_t batch_bytes() const;

 private:
  friend class WriterSession;
  explicit WriteTxn(WriterSession& session) : session_(session) {}

  WriterSession& session_;
};

}  // namespace sluice::dynamodb::store
