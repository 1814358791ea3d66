#include "dynamodb/store/writer_session.h"

#include <algorithm>
#include <string>
#include <utility>

#include "dynamodb/store/sql.h"

namespace sluice::dynamodb::store {

namespace {

void BindKey(Statement& s, TableId table, const PrimaryKey& key) {
  s.BindInt(1, table);
  s.BindBlob(2, key.hash);
  s.BindBlob(3, key.range);
}

void BindEntry(Statement& s, const IndexKey& entry) {
  s.BindInt(4, entry.index);
  s.BindBlob(5, entry.hash);
  s.BindBlob(6, entry.range);
  s.BindInt(7, entry.hash32);
}

bool Contains(std::span<const IndexKey> keys, const IndexKey& k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

}  // namespace

WriterSession::WriterSession(std::unique_ptr<Connection> connection) : conn_(std::move(connection)) {}

Status WriterSession::Fail(Status status) {
  if (body_error_.ok()) body_error_ = status;
  return status;
}

Result<Statement*> WriterSession::Prepare(const char* text) {
  auto s = conn_->Prepared(text);
  if (!s.ok()) Fail(s.status()).IgnoreError();  // recorded in body_error_; the caller gets it too
  return s;
}

Status WriterSession::StepDone(Statement& s, std::string_view what) {
  ScopedReset reset(s);
  if (s.Step() != SQLITE_DONE) return Fail(conn_->Error(what));
  return Status::Ok();
}

Status WriterSession::RunControl(const char* text) {
  auto s = conn_->Prepared(text);
  if (!s.ok()) return s.status();
  ScopedReset reset(**s);
  if ((*s)->Step() != SQLITE_DONE) return conn_->Error(text);
  return Status::Ok();
}

// --- Transaction control ---

Status WriterSession::BeginBatch() {
  batch_bytes_ = 0;
  batch_deltas_.clear();
  purging_batch_mark_ = purging_.size();
  return RunControl(sql::kBegin);
}

Status WriterSession::CommitBatch() {
  for (const auto& [table, delta] : batch_deltas_) {
    if (delta.item_count == 0 && delta.size_bytes == 0) continue;
    auto s = conn_->Prepared(sql::kAddToStats);
    if (!s.ok()) return s.status();
    (*s)->BindInt(1, table);
    (*s)->BindInt(2, delta.item_count);
    (*s)->BindInt(3, delta.size_bytes);
    ScopedReset reset(**s);
    if ((*s)->Step() != SQLITE_DONE) return conn_->Error("update table stats");
  }
  return RunControl(sql::kCommit);
}

void WriterSession::RollbackBatch() {
  // Fails harmlessly when SQLite already rolled the transaction back.
  (void)RunControl(sql::kRollback);
  purging_.resize(purging_batch_mark_);
  batch_deltas_.clear();
}

Status WriterSession::BeginBody() {
  body_error_ = Status::Ok();
  body_deltas_.clear();
  purging_body_mark_ = purging_.size();
  return RunControl(sql::kSavepoint);
}

Status WriterSession::KeepBody() {
  Status st = RunControl(sql::kRelease);
  if (!st.ok()) {
    DropBody();
    return st;
  }
  for (const auto& [table, delta] : body_deltas_) {
    const auto id = table;  // clang 14 lambdas cannot capture structured bindings
    auto it = std::find_if(batch_deltas_.begin(), batch_deltas_.end(), [&](auto& p) { return p.first == id; });
    if (it == batch_deltas_.end()) {
      batch_deltas_.emplace_back(table, delta);
    } else {
      it->second.item_count += delta.item_count;
      it->second.size_bytes += delta.size_bytes;
    }
  }
  return Status::Ok();
}

void WriterSession::DropBody() {
  (void)RunControl(sql::kRollbackTo);
  (void)RunControl(sql::kRelease);
  purging_.resize(purging_body_mark_);
  body_deltas_.clear();
}

// --- Items ---

bool WriterSession::IsPurging(TableId table, IndexId index) const {
  for (const auto& [t, i] : purging_) {
    if (t == table && (i == kPrimary || i == index)) return true;
  }
  return false;
}

Status WriterSession::CheckWritable(TableId table, std::span<const IndexKey> index_keys) const {
  if (IsPurging(table, kPrimary)) return Status::FailedPrecondition("table is being deleted");
  for (size_t i = 0; i < index_keys.size(); ++i) {
    IndexId index = index_keys[i].index;
    if (index <= kPrimary) return Status::InvalidArgument("index ids are > 0");
    if (!purging_.empty() && IsPurging(table, index)) return Status::FailedPrecondition("index is being deleted");
    for (size_t j = 0; j < i; ++j) {
      if (index_keys[j].index == index) return Status::InvalidArgument("two entries for one index");
    }
  }
  return Status::Ok();
}

void WriterSession::AddDelta(TableId table, int64_t items, int64_t bytes) {
  for (auto& [t, delta] : body_deltas_) {
    if (t == table) {
      delta.item_count += items;
      delta.size_bytes += bytes;
      return;
    }
  }
  body_deltas_.emplace_back(table, TableStats{items, bytes});
}

Result<std::optional<std::string>> WriterSession::Get(TableId table, const PrimaryKey& key) {
  auto s = Prepare(sql::kGetItem);
  if (!s.ok()) return s.status();
  Statement& st = **s;
  ScopedReset reset(st);
  BindKey(st, table, key);
  int rc = st.Step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(std::string(st.ColumnBlob(0)));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return Fail(conn_->Error("get item"));
}

Status WriterSession::InsertIndexEntry(TableId table, const PrimaryKey& key, const IndexKey& entry) {
  auto s = Prepare(sql::kInsertIndexEntry);
  if (!s.ok()) return s.status();
  BindKey(**s, table, key);
  BindEntry(**s, entry);
  return StepDone(**s, "insert index entry");
}

Status WriterSession::ReplaceIndexEntries(TableId table, const PrimaryKey& key, std::span<const IndexKey> index_keys) {
  // Read the old entries into reused strings, then touch only what changed:
  // most updates (a lease renewal) leave every index key as it was.
  size_t n = 0;
  {
    auto s = Prepare(sql::kItemIndexEntries);
    if (!s.ok()) return s.status();
    Statement& st = **s;
    ScopedReset reset(st);
    BindKey(st, table, key);
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      if (n == old_entries_.size()) old_entries_.emplace_back();
      IndexKey& e = old_entries_[n++];
      e.index = st.ColumnInt(0);
      e.hash.assign(st.ColumnBlob(1));
      e.range.assign(st.ColumnBlob(2));
      e.hash32 = static_cast<uint32_t>(st.ColumnInt(3));
    }
    if (rc != SQLITE_DONE) return Fail(conn_->Error("read index entries"));
  }
  std::span<const IndexKey> old(old_entries_.data(), n);
  for (const IndexKey& e : old) {
    if (Contains(index_keys, e)) continue;
    auto s = Prepare(sql::kDeleteIndexEntry);
    if (!s.ok()) return s.status();
    BindKey(**s, table, key);
    BindEntry(**s, e);
    SLUICE_RETURN_IF_ERROR(StepDone(**s, "delete index entry"));
  }
  for (const IndexKey& e : index_keys) {
    if (Contains(old, e)) continue;
    SLUICE_RETURN_IF_ERROR(InsertIndexEntry(table, key, e));
  }
  return Status::Ok();
}

Status WriterSession::Put(TableId table, const PrimaryKey& key, std::string_view item, uint32_t hash32,
                          std::span<const IndexKey> index_keys, std::optional<int64_t> expires_at) {
  SLUICE_RETURN_IF_ERROR(CheckWritable(table, index_keys));
  bool existed = false;
  int64_t old_size = 0;
  {
    auto s = Prepare(sql::kItemSize);
    if (!s.ok()) return s.status();
    Statement& st = **s;
    ScopedReset reset(st);
    BindKey(st, table, key);
    int rc = st.Step();
    if (rc == SQLITE_ROW) {
      existed = true;
      old_size = st.ColumnInt(0);
    } else if (rc != SQLITE_DONE) {
      return Fail(conn_->Error("read item"));
    }
  }
  if (existed) {
    SLUICE_RETURN_IF_ERROR(ReplaceIndexEntries(table, key, index_keys));
  } else {
    for (const IndexKey& e : index_keys) SLUICE_RETURN_IF_ERROR(InsertIndexEntry(table, key, e));
  }
  auto s = Prepare(existed ? sql::kUpdateItem : sql::kInsertItem);
  if (!s.ok()) return s.status();
  Statement& st = **s;
  BindKey(st, table, key);
  st.BindInt(4, hash32);
  if (expires_at) {
    st.BindInt(5, *expires_at);
  } else {
    st.BindNull(5);
  }
  st.BindBlob(6, item);
  SLUICE_RETURN_IF_ERROR(StepDone(st, "write item"));
  AddDelta(table, existed ? 0 : 1, static_cast<int64_t>(item.size()) - old_size);
  batch_bytes_ += item.size() + key.hash.size() + key.range.size();
  return Status::Ok();
}

Status WriterSession::Delete(TableId table, const PrimaryKey& key) {
  SLUICE_RETURN_IF_ERROR(CheckWritable(table, {}));
  int64_t old_size = 0;
  {
    auto s = Prepare(sql::kItemSize);
    if (!s.ok()) return s.status();
    Statement& st = **s;
    ScopedReset reset(st);
    BindKey(st, table, key);
    int rc = st.Step();
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Fail(conn_->Error("read item"));
    old_size = st.ColumnInt(0);
  }
  for (const char* text : {sql::kDeleteItemIndexEntries, sql::kDeleteItem}) {
    auto s = Prepare(text);
    if (!s.ok()) return s.status();
    BindKey(**s, table, key);
    SLUICE_RETURN_IF_ERROR(StepDone(**s, "delete item"));
  }
  AddDelta(table, -1, -old_size);
  batch_bytes_ += key.hash.size() + key.range.size();
  return Status::Ok();
}

Status WriterSession::SetIndexEntry(TableId table, const PrimaryKey& key, IndexId index,
                                    const std::optional<IndexKey>& entry) {
  if (entry && entry->index != index) return Status::InvalidArgument("entry of another index");
  std::span<const IndexKey> keys;
  if (entry) keys = std::span<const IndexKey>(&*entry, 1);
  SLUICE_RETURN_IF_ERROR(CheckWritable(table, keys));
  if (index <= kPrimary) return Status::InvalidArgument("index ids are > 0");
  {
    auto s = Prepare(sql::kItemSize);
    if (!s.ok()) return s.status();
    ScopedReset reset(**s);
    BindKey(**s, table, key);
    int rc = (*s)->Step();
    if (rc == SQLITE_DONE) return Status::NotFound("no such item");
    if (rc != SQLITE_ROW) return Fail(conn_->Error("read item"));
  }
  auto s = Prepare(sql::kDeleteItemIndexEntry);
  if (!s.ok()) return s.status();
  BindKey(**s, table, key);
  (*s)->BindInt(4, index);
  SLUICE_RETURN_IF_ERROR(StepDone(**s, "delete index entry"));
  if (entry) SLUICE_RETURN_IF_ERROR(InsertIndexEntry(table, key, *entry));
  batch_bytes_ += key.hash.size() + key.range.size();
  return Status::Ok();
}

// --- Catalog ---

Result<TableId> WriterSession::CreateTable(std::string_view region, std::string_view name,
                                           std::string_view description) {
  {
    auto s = Prepare(sql::kFindTable);
    if (!s.ok()) return s.status();
    ScopedReset reset(**s);
    (*s)->BindText(1, region);
    (*s)->BindText(2, name);
    int rc = (*s)->Step();
    if (rc == SQLITE_ROW) return Status::AlreadyExists("table exists");
    if (rc != SQLITE_DONE) return Fail(conn_->Error("find table"));
  }
  auto s = Prepare(sql::kInsertTable);
  if (!s.ok()) return s.status();
  (*s)->BindText(1, region);
  (*s)->BindText(2, name);
  (*s)->BindText(3, description);
  SLUICE_RETURN_IF_ERROR(StepDone(**s, "insert table"));
  TableId id = sqlite3_last_insert_rowid(conn_->db());
  auto stats = Prepare(sql::kInsertStats);
  if (!stats.ok()) return stats.status();
  (*stats)->BindInt(1, id);
  SLUICE_RETURN_IF_ERROR(StepDone(**stats, "insert table stats"));
  batch_bytes_ += description.size();
  return id;
}

Status WriterSession::UpdateTable(TableId table, std::string_view description) {
  auto s = Prepare(sql::kUpdateTable);
  if (!s.ok()) return s.status();
  (*s)->BindInt(1, table);
  (*s)->BindText(2, description);
  SLUICE_RETURN_IF_ERROR(StepDone(**s, "update table"));
  if (sqlite3_changes(conn_->db()) == 0) return Status::NotFound("no such table");
  batch_bytes_ += description.size();
  return Status::Ok();
}

Status WriterSession::DeleteTable(TableId table) {
  auto s = Prepare(sql::kDeleteTable);
  if (!s.ok()) return s.status();
  (*s)->BindInt(1, table);
  SLUICE_RETURN_IF_ERROR(StepDone(**s, "delete table"));
  if (sqlite3_changes(conn_->db()) == 0) return Status::NotFound("no such table");
  auto stats = Prepare(sql::kDeleteStats);
  if (!stats.ok()) return stats.status();
  (*stats)->BindInt(1, table);
  SLUICE_RETURN_IF_ERROR(StepDone(**stats, "delete table stats"));
  auto purge = Prepare(sql::kInsertPurge);
  if (!purge.ok()) return purge.status();
  (*purge)->BindInt(1, table);
  (*purge)->BindInt(2, kPrimary);
  SLUICE_RETURN_IF_ERROR(StepDone(**purge, "queue table removal"));
  purging_.emplace_back(table, kPrimary);
  return Status::Ok();
}

Status WriterSession::DropIndex(TableId table, IndexId index) {
  if (index <= kPrimary) return Status::InvalidArgument("index ids are > 0");
  {
    auto s = Prepare(sql::kTableExists);
    if (!s.ok()) return s.status();
    ScopedReset reset(**s);
    (*s)->BindInt(1, table);
    int rc = (*s)->Step();
    if (rc == SQLITE_DONE) return Status::NotFound("no such table");
    if (rc != SQLITE_ROW) return Fail(conn_->Error("find table"));
  }
  if (IsPurging(table, index)) return Status::Ok();
  auto s = Prepare(sql::kInsertPurge);
  if (!s.ok()) return s.status();
  (*s)->BindInt(1, table);
  (*s)->BindInt(2, index);
  SLUICE_RETURN_IF_ERROR(StepDone(**s, "queue index removal"));
  purging_.emplace_back(table, index);
  return Status::Ok();
}

}  // namespace sluice::dynamodb::store
