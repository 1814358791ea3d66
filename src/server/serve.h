// Runs `sluice serve` until SIGINT/SIGTERM: opens the catalog in the data
// directory, listens, and prints where. The options are settings, not flags:
// the command line (cli/serve_command.cc) turns flags into them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "auth/verifier.h"
#include "storage/shard_log.h"

namespace sluice::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir = "sluice-data";
  int64_t stream_transition_ms = 500;
  int64_t table_transition_ms = 500;  // DynamoDB tables and indexes CREATING/UPDATING/DELETING
  int64_t ttl_sweep_ms = 5000;        // DynamoDB: how often items past their TTL are deleted
  storage::FsyncPolicy fsync = storage::FsyncPolicy::kAlways;
  int threads = 0;
  int shard_limit = 500;
  // Resource bounds (docs/RELIABILITY.md#resource-bounds)
  int64_t max_total_shards = 10000;  // shards of all regions; 0 = unlimited
  int64_t max_open_files = 0;        // segment descriptors kept open; 0 = derived from RLIMIT_NOFILE
  uint64_t max_data_bytes = 0;       // bytes stored in the data directory; 0 = unlimited
  std::string default_region = "us-east-1";
  std::string account_id = "000000000000";  // the account in every ARN
  int64_t retention_hour_ms = 3'600'000;    // test knob, see CatalogOptions
  int64_t retention_check_ms = 60'000;
  uint64_t segment_bytes = 64ull << 20;
  std::string firehose_s3_endpoint;        // "" = deliver to the embedded store
  double firehose_interval_scale = 1.0;    // scales BufferingHints intervals (tests, demos)
  int64_t firehose_source_poll_ms = 1000;  // Kinesis source polling, AWS: 1 s
  int parallel_syncs = 4;                  // group commit: shards synced at once
  // HTTP transport limits (http::ServerOptions; docs/RELIABILITY.md)
  uint64_t max_body_bytes = 16ull << 20;
  uint32_t max_header_bytes = 64u << 10;
  int max_connections = 1024;
  uint64_t max_inflight_bytes = 256ull << 20;  // request headers + bodies held by all connections
  int64_t header_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 60'000;
  int64_t body_timeout_ms = 30'000;
  uint64_t min_body_rate = 16u << 10;  // bytes/s
  // TLS port: -1 = none, 0 = a free port. Without cert/key files a
  // self-signed certificate is generated once in <data_dir>/tls/.
  int tls_port = -1;
  std::string tls_cert;
  std::string tls_key;
  bool throughput_limits = false;   // AWS per-shard and control-plane limits
  double fault_put_fraction = 0.0;  // PutRecord(s) entries failing with InternalFailure
  uint64_t fault_seed = 1;
  // SigV4 verification (docs/auth.md): null accepts any request.
  std::shared_ptr<const auth::Verifier> verifier;
  std::string auth_summary = "off (signatures are not checked)";  // for the start-up banner
};

// Returns the process exit code.
int Serve(const ServeOptions& options);

}  // namespace sluice::server
