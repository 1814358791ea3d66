// TableCatalog: every DynamoDB table of every region, kept in the table
// store (<data-dir>/dynamodb/tables.db) and in memory as immutable
// TableDefinition snapshots.
//
// Ordering: a definition changes only inside a store write body (on the
// store's writer thread), so item writes that read the definition inside
// their own body see a total order of definition changes and item changes —
// a Put after a GSI was added always writes that GSI's entry, and the GSI's
// backfill never misses an item.
//
// Background work (one thread): CREATING -> ACTIVE and DELETING -> gone after
// `transition_ms`, GSI backfills (CREATING, Backfilling) and removals, and TTL
// sweeps that delete expired items every `ttl_sweep_ms`.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dynamodb/store/table_store.h"
#include "dynamodb/table.h"
#include "dynamodb/transaction_tokens.h"
#include "sluice/clock.h"
#include "sluice/status.h"

namespace sluice::dynamodb {

struct CatalogOptions {
  std::filesystem::path data_dir;  // the store lives in <data_dir>/dynamodb/
  std::string account = "000000000000";
  int64_t transition_ms = 500;  // CREATING/UPDATING/DELETING; 0 = immediate
  int64_t ttl_sweep_ms = 5000;  // how often expired items are looked for
  store::SyncPolicy sync = store::SyncPolicy::kAlways;
  const Clock* clock = &Clock::Real();
};

using TableRef = std::shared_ptr<const TableDefinition>;

class TableCatalog {
 public:
  explicit TableCatalog(CatalogOptions options);
  ~TableCatalog();

  Status Open();
  // Stops the background thread and the store (queued writes finish first).
  void Stop();

  store::TableStore& store() { return *store_; }
  TransactionTokens& transaction_tokens() { return tokens_; }
  const CatalogOptions& options() const { return options_; }
  int64_t NowMillis() const { return options_.clock->NowMillis(); }

  // The current definition, or null.
  TableRef Find(const std::string& region, const std::string& name) const;
  // Table names of a region, sorted.
  std::vector<std::string> List(const std::string& region) const;
  // Tables of a region.
  size_t Count(const std::string& region) const;

  // Creates the table (status CREATING, or ACTIVE with transition_ms 0);
  // the store assigns its id. `done` gets the committed definition, or
  // AlreadyExists when the name is taken.
  void Create(TableDefinition table, std::function<void(Result<TableRef>)> done);

  // Changes a definition on the writer thread: `mutate` sees the current
  // one (NotFound when gone) and may refuse with an error; the change is
  // persisted in the same batch. `done` gets the new definition.
  using Mutation = std::function<Status(TableDefinition&)>;
  void Update(const std::string& region, const std::string& name, Mutation mutate,
              std::function<void(Result<TableRef>)> done);

  // Wakes the background thread (a transition or backfill is due).
  void Wake();

 private:
  void Publish(TableRef table);
  void Unpublish(const std::string& region, const std::string& name);
  void BackgroundLoop();
  void RunDueWork();
  void FinishTransitions(int64_t now);
  void BackfillIndexes();
  // A pass over every item of a table, a chunk per write, each item handled
  // inside the write as it is then (so no concurrent write is undone).
  struct PassStep {
    std::function<bool(const TableDefinition&)> wanted;  // false: stop (index gone, TTL off)
    std::function<Status(store::WriteTxn&, const TableDefinition&, const store::PrimaryKey&, const Item&,
                         const std::string& blob)>
        apply;
  };
  // True when the pass reached the end of the table.
  bool RewritePass(const TableRef& table, const PassStep& step);
  void SweepExpired(int64_t now);

  CatalogOptions options_;
  std::unique_ptr<store::TableStore> store_;
  TransactionTokens tokens_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, TableRef> tables_;  // (region, name)
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  int64_t last_sweep_ms_ = 0;
  std::thread background_;
};

}  // namespace sluice::dynamodb
