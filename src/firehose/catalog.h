// DeliveryCatalog: every Firehose delivery stream of every region, loaded
// from and persisted to <data-dir>/firehose/<region>/<name>/ (config.json and,
// for DirectPut, spool/ — a storage::ShardLog of accepted records). It tells
// a DeliveryListener (the delivery engine) when streams become ACTIVE, are
// updated or are being deleted, and when a spool has new durable records.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "firehose/delivery_stream.h"
#include "storage/group_commit.h"

namespace sluice::kinesis {
class StreamCatalog;
}

namespace sluice::firehose {

struct DeliveryCatalogOptions {
  std::filesystem::path data_dir;  // the server's data directory
  std::string account = "000000000000";
  int64_t transition_ms = 500;  // CREATING -> ACTIVE, DELETING -> gone; 0 = immediate
  // Also names the file system for config.json and positions.json
  // (spool_options.fs); as for the Kinesis catalog, the directory lifecycle
  // is POSIX-only, so a catalog needs the default (nullptr).
  storage::ShardLogOptions spool_options;
  const Clock* clock = &Clock::Real();
  // false: no transition thread; transitions finish only when
  // FinishDueTransitions() is called (tests that move a manual clock).
  bool background_transitions = true;
};

class DeliveryCatalog {
 public:
  // `kinesis` resolves KinesisStreamAsSource ARNs; it must outlive this.
  DeliveryCatalog(DeliveryCatalogOptions options, kinesis::StreamCatalog* kinesis);
  ~DeliveryCatalog();  // Stop()

  // Set before Open(); not owned; must outlive Stop().
  void SetListener(DeliveryListener* listener);
  // Loads every delivery stream (finishing interrupted deletions) and tells
  // the listener about the ACTIVE ones; starts the state-transition thread.
  Status Open();
  // Stops the transition thread and completes pending spool commits.
  void Stop();
  // Finishes every transition due by the clock now (CREATING -> ACTIVE,
  // DELETING -> removed) and tells the listener, before returning. The
  // transition thread does the same on its own.
  void FinishDueTransitions();

  std::shared_ptr<DeliveryStream> Find(const std::string& region, const std::string& name) const;
  std::vector<std::shared_ptr<DeliveryStream>> List(const std::string& region) const;  // sorted by name
  std::vector<std::shared_ptr<DeliveryStream>> All() const;

  const DeliveryCatalogOptions& options() const { return options_; }
  kinesis::StreamCatalog* kinesis() const { return kinesis_; }
  int64_t NowMillis() const { return options_.clock->NowMillis(); }
  storage::GroupCommitter& committer();

  // --- used by the API handlers (firehose/api/) ---
  Result<std::shared_ptr<DeliveryStream>> Create(DeliveryStreamConfig config);  // AlreadyExists, I/O errors
  Status Delete(const std::shared_ptr<DeliveryStream>& stream);
  // After the handler changed a stream's destination (under its mutex, persisted).
  void NotifyUpdated(const std::shared_ptr<DeliveryStream>& stream);
  // After records were made durable in a DirectPut spool.
  void NotifyRecords(const std::shared_ptr<DeliveryStream>& stream);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  DeliveryCatalogOptions options_;
  kinesis::StreamCatalog* kinesis_;
};

}  // namespace sluice::firehose
