// WriterSession's removal of deleted tables and dropped indexes: a chunk of
// rows per transaction, between group commits (group_committer.cc), resumed
// from the `purges` rows after a restart.
#include <algorithm>

#include "dynamodb/store/sql.h"
#include "dynamodb/store/writer_session.h"

namespace sluice::dynamodb::store {

Status WriterSession::LoadPurges() {
  auto s = conn_->Prepared(sql::kListPurges);
  if (!s.ok()) return s.status();
  ScopedReset reset(**s);
  int rc;
  while ((rc = (*s)->Step()) == SQLITE_ROW) purging_.emplace_back((*s)->ColumnInt(0), (*s)->ColumnInt(1));
  if (rc != SQLITE_DONE) return conn_->Error("list purges");
  return Status::Ok();
}

Status WriterSession::DeleteItemsChunk(TableId table, size_t rows, bool* done) {
  auto end = conn_->Prepared(sql::kItemsChunkEnd);
  if (!end.ok()) return end.status();
  Statement& e = **end;
  ScopedReset reset(e);
  e.BindInt(1, table);
  e.BindInt(2, static_cast<int64_t>(rows) - 1);
  int rc = e.Step();
  if (rc == SQLITE_DONE) {
    *done = true;
    auto all = conn_->Prepared(sql::kDeleteAllItems);
    if (!all.ok()) return all.status();
    (*all)->BindInt(1, table);
    ScopedReset r(**all);
    if ((*all)->Step() != SQLITE_DONE) return conn_->Error("delete items");
    return Status::Ok();
  }
  if (rc != SQLITE_ROW) return conn_->Error("find chunk");
  *done = false;
  auto del = conn_->Prepared(sql::kDeleteItemsUpTo);
  if (!del.ok()) return del.status();
  ScopedReset r(**del);
  (*del)->BindInt(1, table);
  (*del)->BindBlob(2, e.ColumnBlob(0));
  (*del)->BindBlob(3, e.ColumnBlob(1));
  if ((*del)->Step() != SQLITE_DONE) return conn_->Error("delete items");
  return Status::Ok();
}

Status WriterSession::DeleteEntriesChunk(TableId table, IndexId index, size_t rows, bool* done) {
  auto end = conn_->Prepared(sql::kEntriesChunkEnd);
  if (!end.ok()) return end.status();
  Statement& e = **end;
  ScopedReset reset(e);
  e.BindInt(1, table);
  e.BindInt(2, index);
  e.BindInt(3, static_cast<int64_t>(rows) - 1);
  int rc = e.Step();
  if (rc == SQLITE_DONE) {
    *done = true;
    auto all = conn_->Prepared(sql::kDeleteAllEntries);
    if (!all.ok()) return all.status();
    ScopedReset r(**all);
    (*all)->BindInt(1, table);
    (*all)->BindInt(2, index);
    if ((*all)->Step() != SQLITE_DONE) return conn_->Error("delete index entries");
    return Status::Ok();
  }
  if (rc != SQLITE_ROW) return conn_->Error("find chunk");
  *done = false;
  auto del = conn_->Prepared(sql::kDeleteEntriesUpTo);
  if (!del.ok()) return del.status();
  ScopedReset r(**del);
  (*del)->BindInt(1, table);
  (*del)->BindInt(2, index);
  for (int i = 0; i < 4; ++i) (*del)->BindBlob(3 + i, e.ColumnBlob(i));
  if ((*del)->Step() != SQLITE_DONE) return conn_->Error("delete index entries");
  return Status::Ok();
}

Status WriterSession::PurgeChunk(size_t rows) {
  if (purging_.empty()) return Status::Ok();
  rows = std::max<size_t>(rows, 1);
  auto [table, index] = purging_.front();
  SLUICE_RETURN_IF_ERROR(RunControl(sql::kBegin));
  bool finished = false;
  Status st;
  if (index == kPrimary) {
    // The items first, then each index's entries, one chunk per call.
    bool items_done = false;
    st = DeleteItemsChunk(table, rows, &items_done);
    if (st.ok() && items_done) {
      auto any = conn_->Prepared(sql::kAnyIndexOfTable);
      if (!any.ok()) {
        st = any.status();
      } else {
        ScopedReset reset(**any);
        (*any)->BindInt(1, table);
        int rc = (*any)->Step();
        if (rc == SQLITE_DONE) {
          finished = true;
        } else if (rc == SQLITE_ROW) {
          bool ignored = false;
          st = DeleteEntriesChunk(table, (*any)->ColumnInt(0), rows, &ignored);
        } else {
          st = conn_->Error("find index entries");
        }
      }
    }
  } else {
    st = DeleteEntriesChunk(table, index, rows, &finished);
  }
  if (st.ok() && finished) {
    auto s = conn_->Prepared(sql::kDeletePurge);
    if (!s.ok()) {
      st = s.status();
    } else {
      ScopedReset reset(**s);
      (*s)->BindInt(1, table);
      (*s)->BindInt(2, index);
      if ((*s)->Step() != SQLITE_DONE) st = conn_->Error("finish removal");
    }
  }
  if (st.ok()) st = RunControl(sql::kCommit);
  if (!st.ok()) {
    (void)RunControl(sql::kRollback);
    return st;
  }
  if (finished) purging_.erase(purging_.begin());
  return Status::Ok();
}

}  // namespace sluice::dynamodb::store
