// WriterSession: the writer connection and everything the writer thread
// knows between statements: the open batch and body (savepoint), the
// ItemCount/TableSizeBytes deltas not yet written, the tables and indexes
// being removed in chunks. WriteTxn's operations are implemented here.
// Used by the writer thread only (GroupCommitter); not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "dynamodb/store/sqlite_db.h"
#include "dynamodb/store/store_types.h"
#include "dynamodb/store/write_txn.h"

namespace sluice::dynamodb::store {

class WriterSession {
 public:
  explicit WriterSession(std::unique_ptr<Connection> connection);

  // Reads the removals a previous run left unfinished.
  Status LoadPurges();

  // --- Transaction control ---
  Status BeginBatch();
  // Writes the batch's stats deltas and commits (one WAL sync).
  Status CommitBatch();
  void RollbackBatch();
  Status BeginBody();
  // Keeps the body's changes in the batch (RELEASE); an error when SQLite
  // refuses, after which the body has been rolled back.
  Status KeepBody();
  void DropBody();  // ROLLBACK TO the body's savepoint
  // The first SQLite failure inside the current body (Ok if none).
  const Status& body_error() const { return body_error_; }
  size_t batch_bytes() const { return batch_bytes_; }
  // False once SQLite has rolled the whole transaction back by itself (some
  // I/O errors, a full disk): the batch is lost.
  bool in_transaction() const { return sqlite3_get_autocommit(conn_->db()) == 0; }

  // The WriteTxn handed to a body (valid while this session lives).
  WriteTxn MakeTxn() { return WriteTxn(*this); }

  // --- WriteTxn's operations (write_txn.h) ---
  Result<std::optional<std::string>> Get(TableId table, const PrimaryKey& key);
  Status Put(TableId table, const PrimaryKey& key, std::string_view item, uint32_t hash32,
             std::span<const IndexKey> index_keys, std::optional<int64_t> expires_at);
  Status Delete(TableId table, const PrimaryKey& key);
  Status SetIndexEntry(TableId table, const PrimaryKey& key, IndexId index, const std::optional<IndexKey>& entry);
  Result<TableId> CreateTable(std::string_view region, std::string_view name, std::string_view description);
  Status UpdateTable(TableId table, std::string_view description);
  Status DeleteTable(TableId table);
  Status DropIndex(TableId table, IndexId index);

  // --- Chunked removal of deleted tables and dropped indexes ---
  bool HasPurges() const { return !purging_.empty(); }
  // Removes up to `rows` rows of the oldest pending removal in a transaction
  // of its own; forgets the removal once nothing of it is left.
  Status PurgeChunk(size_t rows);

 private:
  // A cached statement, or the failure recorded as the body's error.
  Result<Statement*> Prepare(const char* sql);
  // Runs a statement expected to return no rows (resets it).
  Status StepDone(Statement& s, std::string_view what);
  Status Fail(Status status);
  Status RunControl(const char* sql);
  Status CheckWritable(TableId table, std::span<const IndexKey> index_keys) const;
  bool IsPurging(TableId table, IndexId index) const;
  void AddDelta(TableId table, int64_t items, int64_t bytes);
  Status ReplaceIndexEntries(TableId table, const PrimaryKey& key, std::span<const IndexKey> index_keys);
  Status InsertIndexEntry(TableId table, const PrimaryKey& key, const IndexKey& entry);
  Status DeleteItemsChunk(TableId table, size_t rows, bool* done);
  Status DeleteEntriesChunk(TableId table, IndexId index, size_t rows, bool* done);

  std::unique_ptr<Connection> conn_;
  Status body_error_;
  size_t batch_bytes_ = 0;
  // ItemCount/TableSizeBytes changes of the batch's kept bodies, and of the
  // running body (merged on KeepBody).
  std::vector<std::pair<TableId, TableStats>> batch_deltas_;
  std::vector<std::pair<TableId, TableStats>> body_deltas_;
  // Pending removals (index kPrimary: the whole table): committed ones, then
  // the batch's, then the body's; the marks undo the last two on rollback.
  std::vector<std::pair<TableId, IndexId>> purging_;
  size_t purging_batch_mark_ = 0;
  size_t purging_body_mark_ = 0;
  // Reused by Put to read an item's old index entries.
  std::vector<IndexKey> old_entries_;
};

}  // namespace sluice::dynamodb::store
