#include "dynamodb/catalog.h"

#include <algorithm>
#include <iostream>

#include "dynamodb/item_keys.h"
#include "io/file_util.h"

namespace sluice::dynamodb {

namespace {

constexpr size_t kPassChunk = 256;   // items per backfill write
constexpr size_t kSweepChunk = 256;  // expired items deleted per write
constexpr auto kTick = std::chrono::milliseconds(100);

// Background work retries at its next tick: a failed step changes nothing.
void IgnoreFailure(const Status&) {}

bool Due(const TableDefinition& t, int64_t transition_ms, int64_t now) {
  return now - t.status_since_ms >= transition_ms;
}

}  // namespace

TableCatalog::TableCatalog(CatalogOptions options) : options_(std::move(options)) {}

TableCatalog::~TableCatalog() { Stop(); }

Status TableCatalog::Open() {
  std::filesystem::path dir = options_.data_dir / "dynamodb";
  if (Status st = io::CreateDirectoriesDurably(dir); !st.ok()) return st;
  store::TableStoreOptions so;
  so.path = (dir / "tables.db").string();
  so.sync = options_.sync;
  auto opened = store::TableStore::Open(so);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened).value();
  auto records = store_->ListTables();
  if (!records.ok()) return records.status();
  for (const auto& r : *records) {
    auto def = ParseDefinition(r.description);
    if (!def.ok()) return Status::Corruption("table " + r.name + " in " + r.region + ": " + def.status().message());
    def->id = r.id;
    def->region = r.region;
    def->name = r.name;
    Publish(std::make_shared<const TableDefinition>(std::move(*def)));
  }
  background_ = std::thread([this] { BackgroundLoop(); });
  return Status::Ok();
}

void TableCatalog::Stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (background_.joinable()) background_.join();
  store_.reset();  // commits what is queued, then stops the writer
}

TableRef TableCatalog::Find(const std::string& region, const std::string& name) const {
  std::lock_guard lk(mu_);
  auto it = tables_.find({region, name});
  return it == tables_.end() ? nullptr : it->second;
}

std::vector<std::string> TableCatalog::List(const std::string& region) const {
  std::lock_guard lk(mu_);
  std::vector<std::string> names;
  for (auto it = tables_.lower_bound({region, ""}); it != tables_.end() && it->first.first == region; ++it)
    names.push_back(it->first.second);
  return names;
}

size_t TableCatalog::Count(const std::string& region) const { return List(region).size(); }

void TableCatalog::Publish(TableRef table) {
  std::lock_guard lk(mu_);
  tables_[{table->region, table->name}] = std::move(table);
}

void TableCatalog::Unpublish(const std::string& region, const std::string& name) {
  std::lock_guard lk(mu_);
  tables_.erase({region, name});
}

void TableCatalog::Wake() {
  {
    std::lock_guard lk(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void TableCatalog::Create(TableDefinition table, std::function<void(Result<TableRef>)> done) {
  auto result = std::make_shared<TableRef>();
  int64_t now = NowMillis();
  table.created_ms = now;
  table.status_since_ms = now;
  table.account = options_.account;
  table.status = options_.transition_ms > 0 ? TableStatus::kCreating : TableStatus::kActive;
  if (table.status == TableStatus::kActive)
    for (auto& i : table.indexes) i.status = IndexStatus::kActive;
  auto shared = std::make_shared<TableDefinition>(std::move(table));
  store_->Write(
      [this, shared, result](store::WriteTxn& txn) -> Status {
        if (Find(shared->region, shared->name)) return Status::AlreadyExists("Table already exists: " + shared->name);
        auto id = txn.CreateTable(shared->region, shared->name, SerializeDefinition(*shared));
        if (!id.ok()) return id.status();
        shared->id = *id;
        *result = std::make_shared<const TableDefinition>(*shared);
        Publish(*result);
        return Status::Ok();
      },
      [this, result, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        Wake();
        done(*result);
      });
}

void TableCatalog::Update(const std::string& region, const std::string& name, Mutation mutate,
                          std::function<void(Result<TableRef>)> done) {
  auto result = std::make_shared<TableRef>();
  store_->Write(
      [this, region, name, mutate = std::move(mutate), result](store::WriteTxn& txn) -> Status {
        TableRef current = Find(region, name);
        if (!current) return Status::NotFound("Requested resource not found: Table: " + name + " not found");
        TableDefinition next = *current;
        if (Status st = mutate(next); !st.ok()) return st;
        if (Status st = txn.UpdateTable(next.id, SerializeDefinition(next)); !st.ok()) return st;
        *result = std::make_shared<const TableDefinition>(std::move(next));
        Publish(*result);
        return Status::Ok();
      },
      [this, result, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        Wake();
        done(*result);
      });
}

void TableCatalog::BackgroundLoop() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    wake_.wait_for(lk, kTick, [this] { return stopping_ || woken_; });
    if (stopping_) break;
    woken_ = false;
    lk.unlock();
    RunDueWork();
    lk.lock();
  }
}

void TableCatalog::RunDueWork() {
  int64_t now = NowMillis();
  FinishTransitions(now);
  BackfillIndexes();
  if (now - last_sweep_ms_ >= options_.ttl_sweep_ms) {
    last_sweep_ms_ = now;
    SweepExpired(now);
  }
}

void TableCatalog::FinishTransitions(int64_t now) {
  std::vector<TableRef> tables;
  {
    std::lock_guard lk(mu_);
    for (const auto& [_, t] : tables_) tables.push_back(t);
  }
  auto ignore = [](Result<TableRef>) {};
  for (const TableRef& t : tables) {
    if (t->status == TableStatus::kActive) {
      bool pending = std::any_of(t->indexes.begin(), t->indexes.end(),
                                 [](const SecondaryIndex& i) { return i.status != IndexStatus::kActive; });
      if (!pending) continue;
    }
    if (!Due(*t, options_.transition_ms, now)) continue;
    if (t->status == TableStatus::kDeleting) {
      std::string region = t->region, name = t->name;
      store::TableId id = t->id;
      IgnoreFailure(store_->WriteAndWait([this, region, name, id](store::WriteTxn& txn) -> Status {
        TableRef current = Find(region, name);
        if (!current || current->id != id || current->status != TableStatus::kDeleting) return Status::Ok();
        if (Status st = txn.DeleteTable(id); !st.ok()) return st;
        Unpublish(region, name);
        return Status::Ok();
      }));
      continue;
    }
    // CREATING -> ACTIVE; a deleted GSI's entries dropped; UPDATING -> ACTIVE
    // once no index is still being built or removed.
    Update(
        t->region, t->name,
        [id = t->id, now, transition = options_.transition_ms](TableDefinition& d) -> Status {
          if (d.id != id) return Status::FailedPrecondition("replaced");
          bool changed = false;
          for (auto& i : d.indexes)
            if (i.status == IndexStatus::kCreating && !i.backfilling) {
              // an LSI is built with its table; a backfilled GSI becomes ACTIVE
              // once it has spent the transition time CREATING (this lambda
              // runs only when the table's transition is due)
              i.status = IndexStatus::kActive;
              changed = true;
            }
          if (d.status == TableStatus::kCreating) {
            d.status = TableStatus::kActive;
            for (auto& i : d.indexes)
              if (i.status == IndexStatus::kCreating && !i.backfilling) i.status = IndexStatus::kActive;
            d.status_since_ms = now;
            changed = true;
          }
          bool building = false;
          for (const auto& i : d.indexes)
            if (i.status == IndexStatus::kCreating) building = true;
          if (d.status == TableStatus::kUpdating && !building &&
              std::none_of(d.indexes.begin(), d.indexes.end(),
                           [](const SecondaryIndex& i) { return i.status == IndexStatus::kDeleting; }) &&
              now - d.status_since_ms >= transition) {
            d.status = TableStatus::kActive;
            d.status_since_ms = now;
            changed = true;
          }
          return changed ? Status::Ok() : Status::FailedPrecondition("nothing due");
        },
        ignore);
    // GSIs being deleted: drop their entries, then forget them.
    for (const auto& i : t->indexes) {
      if (i.status != IndexStatus::kDeleting) continue;
      std::string region = t->region, name = t->name;
      store::IndexId index_id = i.id;
      store::TableId id = t->id;
      IgnoreFailure(store_->WriteAndWait([this, region, name, id, index_id](store::WriteTxn& txn) -> Status {
        TableRef current = Find(region, name);
        if (!current || current->id != id) return Status::Ok();
        TableDefinition next = *current;
        auto it = std::find_if(next.indexes.begin(), next.indexes.end(),
                               [&](const SecondaryIndex& x) { return x.id == index_id; });
        if (it == next.indexes.end() || it->status != IndexStatus::kDeleting) return Status::Ok();
        if (Status st = txn.DropIndex(id, index_id); !st.ok()) return st;
        next.indexes.erase(it);
        if (Status st = txn.UpdateTable(id, SerializeDefinition(next)); !st.ok()) return st;
        Publish(std::make_shared<const TableDefinition>(std::move(next)));
        return Status::Ok();
      }));
    }
  }
}

bool TableCatalog::RewritePass(const TableRef& t, const PassStep& step) {
  std::optional<store::StartAfter> cursor;
  std::string region = t->region, name = t->name;
  store::TableId id = t->id;
  while (true) {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return false;
    }
    std::vector<store::PrimaryKey> keys;
    store::StartAfter last;
    Status scanned = store_->Scan(id, store::kPrimary, 0, uint64_t{1} << 32, cursor, [&](const store::Row& row) {
      keys.push_back({std::string(row.hash), std::string(row.range)});
      last.hash32 = row.hash32;
      last.primary = keys.back();
      return keys.size() < kPassChunk;
    });
    if (!scanned.ok()) return false;
    bool still_wanted = true;
    Status wrote = store_->WriteAndWait([&](store::WriteTxn& txn) -> Status {
      TableRef current = Find(region, name);
      if (!current || current->id != id || !step.wanted(*current)) {
        still_wanted = false;
        return Status::Ok();
      }
      for (const auto& key : keys) {
        auto blob = txn.Get(id, key);
        if (!blob.ok()) return blob.status();
        if (!*blob) continue;
        auto item = DecodeItem(**blob);
        if (!item.ok()) return item.status();
        if (Status st = step.apply(txn, *current, key, *item, **blob); !st.ok()) return st;
      }
      return Status::Ok();
    });
    if (!wrote.ok() || !still_wanted) return false;
    if (keys.size() < kPassChunk) return true;
    cursor = last;
  }
}

void TableCatalog::BackfillIndexes() {
  std::vector<TableRef> tables;
  {
    std::lock_guard lk(mu_);
    for (const auto& [_, t] : tables_)
      if (t->status != TableStatus::kDeleting &&
          (t->ttl.pass_pending ||
           std::any_of(t->indexes.begin(), t->indexes.end(), [](const SecondaryIndex& i) { return i.backfilling; })))
        tables.push_back(t);
  }
  for (const TableRef& t : tables) {
    for (const auto& index : t->indexes) {
      if (!index.backfilling) continue;
      store::IndexId index_id = index.id;
      auto live = [index_id](const TableDefinition& d) -> const SecondaryIndex* {
        for (const auto& i : d.indexes)
          if (i.id == index_id && i.backfilling) return &i;
        return nullptr;
      };
      PassStep step{
          [&](const TableDefinition& d) { return live(d) != nullptr; },
          [&](store::WriteTxn& txn, const TableDefinition& d, const store::PrimaryKey& key, const Item& item,
              const std::string&) { return txn.SetIndexEntry(d.id, key, index_id, IndexKeyOf(*live(d), item)); }};
      if (!RewritePass(t, step)) continue;
      // Backfilled: ACTIVE now if the index has spent --table-transition-ms
      // CREATING, otherwise FinishTransitions promotes it when that is due.
      Update(
          t->region, t->name,
          [id = t->id, index_id, now = NowMillis(), transition = options_.transition_ms](TableDefinition& d) -> Status {
            if (d.id != id) return Status::FailedPrecondition("replaced");
            for (auto& i : d.indexes)
              if (i.id == index_id && i.backfilling) {
                i.backfilling = false;
                if (Due(d, transition, now)) i.status = IndexStatus::kActive;
                return Status::Ok();
              }
            return Status::FailedPrecondition("index gone");
          },
          [](Result<TableRef>) {});
    }
    if (t->ttl.pass_pending) {
      // TTL enabled over existing items: give each its deadline in the store.
      PassStep step{[](const TableDefinition& d) { return d.ttl.enabled && d.ttl.pass_pending; },
                    [](store::WriteTxn& txn, const TableDefinition& d, const store::PrimaryKey& key, const Item& item,
                       const std::string& blob) -> Status {
                      auto index_keys = IndexKeysOf(d, item);
                      if (!index_keys.ok()) return Status::Ok();  // written under an older schema: left as is
                      return txn.Put(d.id, key, blob, HashOf(d, item), *index_keys, ExpiryOf(d, item));
                    }};
      if (!RewritePass(t, step)) continue;
      Update(
          t->region, t->name,
          [id = t->id](TableDefinition& d) -> Status {
            if (d.id != id || !d.ttl.pass_pending) return Status::FailedPrecondition("nothing to do");
            d.ttl.pass_pending = false;
            return Status::Ok();
          },
          [](Result<TableRef>) {});
    }
  }
}

void TableCatalog::SweepExpired(int64_t now) {
  std::vector<TableRef> tables;
  {
    std::lock_guard lk(mu_);
    for (const auto& [_, t] : tables_)
      if (t->ttl.enabled && t->status != TableStatus::kDeleting) tables.push_back(t);
  }
  int64_t now_s = now / 1000;
  for (const TableRef& t : tables) {
    while (true) {
      auto keys = store_->ExpiredKeys(t->id, now_s, kSweepChunk);
      if (!keys.ok() || keys->empty()) break;
      std::string region = t->region, name = t->name;
      store::TableId id = t->id;
      std::vector<store::PrimaryKey> expired = std::move(*keys);
      size_t count = expired.size();
      size_t deleted = 0;
      Status st = store_->WriteAndWait([&](store::WriteTxn& txn) -> Status {
        TableRef current = Find(region, name);
        if (!current || current->id != id) return Status::Ok();
        for (const auto& key : expired) {
          auto blob = txn.Get(id, key);
          if (!blob.ok()) return blob.status();
          if (!*blob) continue;
          auto item = DecodeItem(**blob);
          if (!item.ok()) return item.status();
          auto expiry = ExpiryOf(*current, *item);
          if (!expiry || *expiry >= now_s) continue;  // rewritten since, or TTL disabled
          if (Status del = txn.Delete(id, key); !del.ok()) return del;
          ++deleted;
        }
        return Status::Ok();
      });
      if (!st.ok() || count < kSweepChunk || deleted == 0) break;
    }
  }
}

}  // namespace sluice::dynamodb
