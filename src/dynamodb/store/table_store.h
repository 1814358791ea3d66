// TableStore: DynamoDB's tables in one SQLite database file (WAL mode), e.g.
// <data-dir>/dynamodb/tables.db; layout in docs/format/dynamodb-store.md.
//
// Writes: one writer thread with group commit. Write() queues a body; the
// writer runs every queued body (up to the batch limits) in one transaction,
// each in its own SAVEPOINT, and commits them with one COMMIT (one WAL sync
// under SyncPolicy::kAlways), then calls each body's `done` with Ok: a write
// is durable when its `done` sees Ok. A body that fails is rolled back alone
// and its `done` gets the error at once, without waiting for the commit; its
// batch-mates are unaffected. If the COMMIT itself fails, every body of the
// batch that had succeeded gets that error and nothing of the batch is kept.
//
// Reads: strongly consistent (every write whose `done` has seen Ok is
// visible), from any number of threads at once, on a pool of read
// connections that WAL lets run beside the writer.
//
// Thread-safety: every public method may be called from any thread. `done`
// callbacks run on the writer thread: keep them short, and never wait there
// for another write (WriteAndWait from a `done` deadlocks).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "dynamodb/store/store_types.h"
#include "dynamodb/store/write_txn.h"

namespace sluice::dynamodb::store {

struct TableStoreOptions {
  std::string path;  // the database file; its directory must exist
  SyncPolicy sync = SyncPolicy::kAlways;
  size_t max_batch_writes = 512;       // bodies per group commit
  size_t max_batch_bytes = 8u << 20;   // item bytes written per group commit
  size_t purge_chunk_rows = 2000;      // rows per chunk when deleting a table/index
  size_t wal_checkpoint_pages = 4096;  // WAL size that wakes the checkpoint thread
};

// Counters of the writer, for tests and metrics.
struct WriterStats {
  uint64_t batches = 0;        // group commits (COMMITs) done
  uint64_t bodies = 0;         // bodies committed or rolled back
  uint64_t largest_batch = 0;  // most bodies in one group commit
  uint64_t purge_chunks = 0;   // chunks of table/index removal committed
};

class ReadSnapshot;

class TableStore {
 public:
  using Body = std::function<Status(WriteTxn&)>;
  using Done = std::function<void(Status)>;
  using RowCallback = std::function<bool(const Row&)>;  // false: stop

  // Opens or creates the database, finishes any table/index removal a crash
  // interrupted (in the background), and starts the writer thread.
  static Result<std::unique_ptr<TableStore>> Open(const TableStoreOptions& options);

  // Stops the writer after the bodies already queued have been committed
  // (their `done` called).
  ~TableStore();
  TableStore(const TableStore&) = delete;
  TableStore& operator=(const TableStore&) = delete;

  // --- Writes ---

  // Queues `body`; `done` gets its outcome (see above). Never blocks on I/O.
  void Write(Body body, Done done);

  // Write() and wait for `done`. Not from a `done` callback or a body.
  Status WriteAndWait(Body body);

  // --- The table catalog ---

  // Every table (for the catalog at startup), in id order.
  Result<std::vector<TableRecord>> ListTables() const;

  // --- Reads (strongly consistent) ---

  // The item's blob, or nullopt.
  Result<std::optional<std::string>> Get(TableId table, const PrimaryKey& key) const;

  // The items (of the table, or the entries of index `index` with their
  // items) whose partition key is `hash` and sort key satisfies `range`,
  // ordered by sort key bytes (then, for an index, by primary key), in
  // `direction`, resuming after `start`; `callback` gets each until it
  // returns false. The read runs in one snapshot.
  Status Query(TableId table, IndexId index, std::string_view hash, const RangeCondition& range, Direction direction,
               const std::optional<StartAfter>& start, const RowCallback& callback) const;

  // The items (or index entries) whose hash32 lies in [hash32_lo, hash32_hi),
  // ordered by (hash32, partition key, sort key[, primary key]), resuming
  // after `start`. A parallel Scan's segment i of n is the hash32 range
  // [i * 2^32 / n, (i + 1) * 2^32 / n); hash32_hi may be 2^32.
  Status Scan(TableId table, IndexId index, uint64_t hash32_lo, uint64_t hash32_hi,
              const std::optional<StartAfter>& start, const RowCallback& callback) const;

  // A consistent snapshot for several Gets (TransactGetItems, BatchGetItem):
  // all see the same committed state.
  Result<ReadSnapshot> Snapshot() const;

  // Up to `limit` keys of items whose expires_at < now (epoch seconds),
  // oldest first. The caller deletes them with a Write that checks again.
  Result<std::vector<PrimaryKey>> ExpiredKeys(TableId table, int64_t now, size_t limit) const;

  // ItemCount and TableSizeBytes as of the last commit.
  Result<TableStats> Stats(TableId table) const;

  WriterStats writer_stats() const;

  struct Impl;

 private:
  explicit TableStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A read transaction on one pooled connection: every Get sees the same
// committed state. Movable; returns its connection to the pool when
// destroyed, which must happen before the TableStore is destroyed. Use from
// one thread at a time; do not keep it long (a long snapshot holds the WAL
// from being checkpointed).
class ReadSnapshot {
 public:
  ReadSnapshot(ReadSnapshot&&) noexcept;
  ReadSnapshot& operator=(ReadSnapshot&&) noexcept;
  ~ReadSnapshot();

  Result<std::optional<std::string>> Get(TableId table, const PrimaryKey& key);

  struct Lease;

 private:
  friend class TableStore;
  explicit ReadSnapshot(std::unique_ptr<Lease> lease);
  std::unique_ptr<Lease> lease_;
};

}  // namespace sluice::dynamodb::store
