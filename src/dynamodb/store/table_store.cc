#include "dynamodb/store/table_store.h"

#include <future>
#include <string>
#include <utility>

#include "dynamodb/store/group_committer.h"
#include "dynamodb/store/read_pool.h"
#include "dynamodb/store/read_sql.h"
#include "dynamodb/store/schema.h"
#include "dynamodb/store/sql.h"
#include "dynamodb/store/wal_checkpointer.h"
#include "dynamodb/store/writer_session.h"

namespace sluice::dynamodb::store {

namespace {

constexpr size_t kMaxIdleReaders = 32;
constexpr uint64_t kHash32End = uint64_t{1} << 32;

void BindKey(Statement& s, TableId table, const PrimaryKey& key) {
  s.BindInt(1, table);
  s.BindBlob(2, key.hash);
  s.BindBlob(3, key.range);
}

Result<std::optional<std::string>> GetOn(Connection& c, TableId table, const PrimaryKey& key) {
  auto s = c.Prepared(sql::kGetItem);
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  BindKey(st, table, key);
  int rc = st.Step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(std::string(st.ColumnBlob(0)));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return c.Error("get item");
}

// Hands each row of a Query or Scan statement to `callback` until it stops.
Status Iterate(Connection& c, Statement& st, bool index, const TableStore::RowCallback& callback) {
  Row row;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    row.hash = st.ColumnBlob(0);
    row.range = st.ColumnBlob(1);
    row.hash32 = static_cast<uint32_t>(st.ColumnInt(2));
    row.item = st.ColumnBlob(3);
    if (index) {
      row.index_hash = st.ColumnBlob(4);
      row.index_range = st.ColumnBlob(5);
    }
    if (!callback(row)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return c.Error("read rows");
  return Status::Ok();
}

}  // namespace

struct TableStore::Impl {
  TableStoreOptions options;
  // Declared first, destroyed last: the writer's WAL hook points at it.
  std::unique_ptr<WalCheckpointer> checkpointer;
  std::unique_ptr<ReadPool> readers;
  std::unique_ptr<GroupCommitter> committer;
};

struct ReadSnapshot::Lease {
  ReadPool::Lease connection;
};

Result<std::unique_ptr<TableStore>> TableStore::Open(const TableStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto writer = OpenWriterConnection(options.path, options.sync);
  if (!writer.ok()) return writer.status();
  auto checkpoint_conn = Connection::Open(options.path, /*create=*/false);
  if (!checkpoint_conn.ok()) return checkpoint_conn.status();
  impl->checkpointer =
      std::make_unique<WalCheckpointer>(std::move(*checkpoint_conn), static_cast<int>(options.wal_checkpoint_pages));
  impl->checkpointer->Watch((*writer)->db());
  auto session = std::make_unique<WriterSession>(std::move(*writer));
  SLUICE_RETURN_IF_ERROR(session->LoadPurges());
  impl->readers = std::make_unique<ReadPool>(options.path, kMaxIdleReaders);
  GroupCommitLimits limits;
  limits.max_batch_writes = options.max_batch_writes;
  limits.max_batch_bytes = options.max_batch_bytes;
  limits.purge_chunk_rows = options.purge_chunk_rows;
  impl->committer = std::make_unique<GroupCommitter>(std::move(session), limits);
  return std::unique_ptr<TableStore>(new TableStore(std::move(impl)));
}

TableStore::TableStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TableStore::~TableStore() {
  impl_->committer.reset();  // drains the queue, closes the writer (and its hook)
}

void TableStore::Write(Body body, Done done) { impl_->committer->Submit(std::move(body), std::move(done)); }

Status TableStore::WriteAndWait(Body body) {
  std::promise<Status> outcome;
  std::future<Status> result = outcome.get_future();
  Write(std::move(body), [&outcome](Status st) { outcome.set_value(std::move(st)); });
  return result.get();
}

Result<std::vector<TableRecord>> TableStore::ListTables() const {
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  auto s = c.Prepared(sql::kListTables);
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  std::vector<TableRecord> tables;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    TableRecord t;
    t.id = st.ColumnInt(0);
    t.region = std::string(st.ColumnBlob(1));
    t.name = std::string(st.ColumnBlob(2));
    t.description = std::string(st.ColumnBlob(3));
    tables.push_back(std::move(t));
  }
  if (rc != SQLITE_DONE) return c.Error("list tables");
  return tables;
}

Result<std::optional<std::string>> TableStore::Get(TableId table, const PrimaryKey& key) const {
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  return GetOn(**lease, table, key);
}

Status TableStore::Query(TableId table, IndexId index, std::string_view hash, const RangeCondition& range,
                         Direction direction, const std::optional<StartAfter>& start,
                         const RowCallback& callback) const {
  using Op = RangeCondition::Op;
  Op op = range.op;
  std::optional<std::string> upper;
  if (op == Op::kBeginsWith) {
    upper = PrefixSuccessor(range.a);
    if (!upper) op = range.a.empty() ? Op::kNone : Op::kGe;  // no bytes above the prefix
  }
  bool is_index = index != kPrimary;
  bool has_start = start.has_value();
  if (is_index && op == Op::kEq && has_start && start->index_range != range.a) {
    // The start lies outside the one index sort key read (see read_sql.h).
    bool start_before = direction == Direction::kForward ? start->index_range < range.a : start->index_range > range.a;
    if (!start_before) return Status::Ok();
    has_start = false;
  }
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  auto s = c.Prepared(QuerySql(is_index, op, direction, has_start));
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  st.BindInt(1, table);
  st.BindInt(2, index);
  st.BindBlob(3, hash);
  if (op != Op::kNone) st.BindBlob(4, range.a);
  if (op == Op::kBetween) st.BindBlob(5, range.b);
  if (op == Op::kBeginsWith) st.BindBlob(5, *upper);
  if (has_start) {
    if (is_index) {
      st.BindBlob(6, start->index_range);
      st.BindBlob(7, start->primary.hash);
      st.BindBlob(8, start->primary.range);
    } else {
      st.BindBlob(6, start->primary.range);
    }
  }
  return Iterate(c, st, is_index, callback);
}

Status TableStore::Scan(TableId table, IndexId index, uint64_t hash32_lo, uint64_t hash32_hi,
                        const std::optional<StartAfter>& start, const RowCallback& callback) const {
  if (hash32_hi > kHash32End) hash32_hi = kHash32End;
  if (hash32_lo >= hash32_hi) return Status::Ok();
  // A start below the segment is no bound at all (every row of the segment
  // comes after it); see read_sql.h for why the two bounds are not combined.
  bool has_start = start && start->hash32 >= hash32_lo;
  bool is_index = index != kPrimary;
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  auto s = c.Prepared(ScanSql(is_index, has_start));
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  st.BindInt(1, table);
  st.BindInt(2, index);
  st.BindInt(3, static_cast<int64_t>(hash32_lo));
  st.BindInt(4, static_cast<int64_t>(hash32_hi));
  if (has_start) {
    st.BindInt(5, start->hash32);
    st.BindBlob(6, start->index_hash);
    st.BindBlob(7, start->index_range);
    st.BindBlob(8, start->primary.hash);
    st.BindBlob(9, start->primary.range);
  }
  return Iterate(c, st, is_index, callback);
}

Result<ReadSnapshot> TableStore::Snapshot() const {
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  SLUICE_RETURN_IF_ERROR((*lease)->Exec("BEGIN"));
  return ReadSnapshot(std::make_unique<ReadSnapshot::Lease>(ReadSnapshot::Lease{std::move(*lease)}));
}

Result<std::vector<PrimaryKey>> TableStore::ExpiredKeys(TableId table, int64_t now, size_t limit) const {
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  auto s = c.Prepared(sql::kExpiredKeys);
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  st.BindInt(1, table);
  st.BindInt(2, now);
  st.BindInt(3, static_cast<int64_t>(limit));
  std::vector<PrimaryKey> keys;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    keys.push_back(PrimaryKey{std::string(st.ColumnBlob(0)), std::string(st.ColumnBlob(1))});
  }
  if (rc != SQLITE_DONE) return c.Error("expired keys");
  return keys;
}

Result<TableStats> TableStore::Stats(TableId table) const {
  auto lease = impl_->readers->Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  auto s = c.Prepared(sql::kGetStats);
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  st.BindInt(1, table);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return Status::NotFound("no such table");
  if (rc != SQLITE_ROW) return c.Error("table stats");
  return TableStats{st.ColumnInt(0), st.ColumnInt(1)};
}

WriterStats TableStore::writer_stats() const {
  WriterStats s;
  s.batches = impl_->committer->batches();
  s.bodies = impl_->committer->bodies();
  s.largest_batch = impl_->committer->largest_batch();
  s.purge_chunks = impl_->committer->purge_chunks();
  return s;
}

// --- ReadSnapshot ---

ReadSnapshot::ReadSnapshot(std::unique_ptr<Lease> lease) : lease_(std::move(lease)) {}
ReadSnapshot::ReadSnapshot(ReadSnapshot&&) noexcept = default;

ReadSnapshot& ReadSnapshot::operator=(ReadSnapshot&& other) noexcept {
  if (this != &other) {
    if (lease_) (void)lease_->connection->Exec("COMMIT");
    lease_ = std::move(other.lease_);
  }
  return *this;
}

ReadSnapshot::~ReadSnapshot() {
  if (lease_) (void)lease_->connection->Exec("COMMIT");  // ends the read transaction
}

Result<std::optional<std::string>> ReadSnapshot::Get(TableId table, const PrimaryKey& key) {
  return GetOn(*lease_->connection, table, key);
}

}  // namespace sluice::dynamodb::store
