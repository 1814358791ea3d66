// StreamCatalog: every stream of every region, loaded from and persisted to
// <data-dir>/kinesis/<region>/<stream-name>/, both names mapped to safe
// components by storage::ResourceDirectory (docs/format/resource-names.md). It owns the background work that
// does not belong to a request: finishing CREATING/UPDATING/DELETING states
// after the configured delay, and retention trimming.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/status.h"
#include "kinesis/shard_budget.h"
#include "kinesis/stream.h"
#include "kinesis/subscription_hub.h"
#include "kinesis/throughput.h"
#include "storage/group_commit.h"
#include "storage/resource_dir.h"

namespace sluice::kinesis {

struct CatalogOptions {
  std::filesystem::path data_dir;
  std::string account = "000000000000";
  int64_t transition_ms = 500;       // CREATING->ACTIVE etc.; 0 = immediate
  int shard_limit = 500;             // open shards per region
  int64_t max_total_shards = 10000;  // shards of all regions (kinesis/shard_budget.h); <= 0: unlimited
  int on_demand_stream_limit = 50;
  int64_t retention_check_ms = 60'000;
  // Length of one retention "hour". Only tests shorten it, to watch records
  // expire in seconds instead of days.
  int64_t retention_hour_ms = 3'600'000;
  // Also names the file system for stream.json (log_options.fs). The
  // catalog's directory lifecycle (storage/resource_dir: staging, rename,
  // removal, listing) is still POSIX-only, so a catalog needs the default
  // (nullptr); a non-default fs is for Stream-level tests.
  storage::ShardLogOptions log_options;
  int parallel_syncs = 4;        // shards of one group-commit batch synced at once
  ThroughputOptions throughput;  // opt-in AWS limits and fault injection
  const Clock* clock = &Clock::Real();
};

// Account-level settings (DescribeAccountSettings / UpdateAccountSettings),
// per region, persisted in <data-dir>/kinesis/<region>/account-settings.json.
struct AccountSettings {
  // MinimumThroughputBillingCommitment: ENABLED, DISABLED or
  // ENABLED_UNTIL_EARLIEST_ALLOWED_END (a disable asked for too early).
  std::string commitment = "DISABLED";
  int64_t started_ms = 0, ended_ms = 0, earliest_end_ms = 0;  // 0 = unset
};

class StreamCatalog {
 public:
  explicit StreamCatalog(CatalogOptions options);
  ~StreamCatalog();  // Stop()
  StreamCatalog(const StreamCatalog&) = delete;
  StreamCatalog& operator=(const StreamCatalog&) = delete;

  // Loads every stream from disk (finishing interrupted deletions) and starts
  // background work.
  Status Open();

  // Stops background work and completes every pending commit (running its
  // callback). Call once no new requests can arrive, while whatever those
  // callbacks use (the HTTP server) is still alive. Idempotent.
  void Stop();

  const CatalogOptions& options() const { return options_; }
  int64_t NowMillis() const { return options_.clock->NowMillis(); }
  // Records that arrived before this time are past the stream's retention.
  int64_t RetentionCutoff(const StreamMeta& meta, int64_t now) const {
    return now - int64_t{meta.retention_hours} * options_.retention_hour_ms;
  }
  storage::GroupCommitter& committer() { return committer_; }
  ThroughputLimiter& limiter() { return limiter_; }
  // The server-wide shard bound: resharding reserves the shards it adds.
  ShardBudget& shard_budget() { return shard_budget_; }
  // Enhanced fan-out: where subscriptions wait for records.
  SubscriptionHub& subscriptions() { return subscriptions_; }
  // Secret for signing iterators and paging tokens; persisted in the data dir
  // so iterators survive a restart.
  const std::string& token_key() const { return token_key_; }

  // nullptr when absent (including after deletion completed).
  std::shared_ptr<Stream> Find(const std::string& region, const std::string& name) const;
  // Streams of `region` sorted by name.
  std::vector<std::shared_ptr<Stream>> List(const std::string& region) const;
  // Every stream of every region (a snapshot).
  std::vector<std::shared_ptr<Stream>> AllStreams() const;

  // Creates a stream durably. Fails with AlreadyExists, ResourceExhausted
  // (shard limit of the region or of the server, --max-total-shards; the
  // message is AWS-style) or I/O errors.
  Result<std::shared_ptr<Stream>> Create(StreamMeta meta);
  // Marks DELETING (durably); the stream disappears after the delay.
  Status Delete(const std::shared_ptr<Stream>& stream);
  // Called after a metadata change that puts the stream in UPDATING: makes it
  // ACTIVE again after the delay.
  void ScheduleTransition(const std::shared_ptr<Stream>& stream);

  int OpenShardCount(const std::string& region) const;

  // The region's account settings as of now (a pending disable whose time
  // has come reads as DISABLED).
  AccountSettings GetAccountSettings(const std::string& region) const;
  // Replaces them durably.
  Status SetAccountSettings(const std::string& region, const AccountSettings& settings);
  int OnDemandStreamCount(const std::string& region) const;

 private:
  void BackgroundLoop();
  void FinishTransitions();
  void TrimRetention();
  Status LoadStream(const std::filesystem::path& dir, StreamMeta meta);
  void Remove(const std::shared_ptr<Stream>& stream);

  CatalogOptions options_;
  storage::ResourceDirectory dirs_;
  std::string token_key_;
  storage::GroupCommitter committer_;
  ThroughputLimiter limiter_;
  SubscriptionHub subscriptions_;
  ShardBudget shard_budget_;

  mutable SharedMutex mu_;
  std::map<std::string, std::map<std::string, std::shared_ptr<Stream>>> regions_ GUARDED_BY(mu_);
  Mutex create_mu_;  // serializes Create so the shard limit holds
  mutable Mutex settings_mu_;
  std::map<std::string, AccountSettings> account_settings_ GUARDED_BY(settings_mu_);  // by region

  Mutex bg_mu_;
  CondVar bg_cv_;
  bool stopping_ GUARDED_BY(bg_mu_) = false;
  std::thread bg_thread_;
};

}  // namespace sluice::kinesis
