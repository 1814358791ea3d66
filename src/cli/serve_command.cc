#include <iostream>
#include <memory>

#include "auth/auth_mode.h"
#include "auth/credentials.h"
#include "cli/commands.h"
#include "model/region.h"
#include "server/serve.h"

namespace sluice::cli {

namespace {
int g_exit_code = 0;

// The serve flags that are not settings as they stand.
struct ServeFlags {
  std::string fsync = "always";  // "always" | "os"
  std::string auth = "auto";     // "off" | "strict" | "auto" (auth/auth_mode.h)
  std::string credentials_file;  // AWS credentials file: the accepted key pairs
};

// Turns the flags into settings: the fsync policy, the verifier for --auth
// (loading --credentials-file) and the TLS file pairing. 0, or the exit code
// after saying what is wrong.
int ResolveServeFlags(const ServeFlags& flags, server::ServeOptions& o) {
  o.fsync = flags.fsync == "os" ? storage::FsyncPolicy::kOsBuffered : storage::FsyncPolicy::kAlways;
  if (o.tls_port >= 0 && o.tls_cert.empty() != o.tls_key.empty()) {
    std::cerr << "sluice: --tls-cert and --tls-key go together\n";
    return 2;
  }
  auto auth_mode = auth::ResolveAuthMode(flags.auth, o.host);
  if (!auth_mode) {
    std::cerr << "sluice: --auth must be 'off', 'strict' or 'auto'\n";
    return 2;
  }
  o.verifier = nullptr;
  o.auth_summary = "off (signatures are not checked)";
  if (*auth_mode != auth::AuthMode::kStrict) {
    if (!flags.credentials_file.empty()) o.auth_summary += "; --credentials-file is unused without --auth=strict";
    return 0;
  }
  const char* why = flags.auth == "strict" ? "--auth=strict" : "--auth=auto on a non-loopback --host";
  if (flags.credentials_file.empty()) {
    std::cerr << "sluice: " << why << " verifies SigV4 signatures and needs --credentials-file PATH "
              << "(an AWS credentials file with aws_access_key_id / aws_secret_access_key); "
              << "pass --auth=off to accept unsigned requests\n";
    return 2;
  }
  auto credentials = auth::LoadCredentialsFile(flags.credentials_file);
  if (!credentials.ok()) {
    std::cerr << "sluice: --credentials-file " << flags.credentials_file << ": " << credentials.status().ToString()
              << "\n";
    return 2;
  }
  if (credentials->empty()) {
    std::cerr << "sluice: --credentials-file " << flags.credentials_file
              << " has no profile with both aws_access_key_id and aws_secret_access_key (" << why << ")\n";
    return 2;
  }
  o.auth_summary = "strict (" + std::to_string(credentials->size()) + " access key" +
                   (credentials->size() == 1 ? "" : "s") + " from " + flags.credentials_file + ")";
  o.verifier = std::make_shared<auth::Verifier>(std::move(credentials).value());
  return 0;
}
}  // namespace

int ExitCode() { return g_exit_code; }
void SetExitCode(int code) { g_exit_code = code; }

void AddServeCommand(CLI::App& app) {
  auto opts = std::make_shared<server::ServeOptions>();
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand(
      "serve", "Run the server: Kinesis, Firehose, S3 and DynamoDB APIs on one port (durable, on local disk)");
  cmd->add_option("--host", opts->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", opts->port, "Port to listen on (0 picks a free one)")->capture_default_str();
  cmd->add_option("--data-dir", opts->data_dir, "Where streams are stored")->capture_default_str();
  cmd->add_option("--stream-transition-ms", opts->stream_transition_ms,
                  "Time a stream spends CREATING/UPDATING/DELETING (0 = immediate)")
      ->capture_default_str();
  cmd->add_option("--table-transition-ms", opts->table_transition_ms,
                  "Time a DynamoDB table or index spends CREATING/UPDATING/DELETING (0 = immediate)")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}))
      ->capture_default_str();
  cmd->add_option("--ttl-sweep-ms", opts->ttl_sweep_ms,
                  "How often DynamoDB items past their TimeToLive are deleted (AWS: within days)")
      ->check(CLI::Range(int64_t{10}, int64_t{86'400'000}))
      ->capture_default_str();
  cmd->add_option("--fsync", flags->fsync,
                  "always: acknowledge after fdatasync (survives power loss); "
                  "os: acknowledge after write(2) (survives a server crash, not an OS crash)")
      ->check(CLI::IsMember({"always", "os"}))
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "HTTP worker threads (0 = one per core)")->capture_default_str();
  cmd->add_option("--shard-limit", opts->shard_limit, "Open shards allowed per region")->capture_default_str();
  cmd->add_option("--account-id", opts->account_id, "AWS account id in every ARN the server hands out")
      ->check(CLI::Validator(
          [](const std::string& a) {
            return a.size() == 12 && a.find_first_not_of("0123456789") == std::string::npos
                       ? std::string()
                       : "'" + a + "' is not a 12-digit AWS account id";
          },
          "ACCOUNT"))
      ->capture_default_str();
  // Resource bounds (docs/RELIABILITY.md#resource-bounds)
  cmd->add_option(
         "--max-total-shards", opts->max_total_shards,
         "Shards (open or closed) allowed across all regions; beyond it LimitExceededException (0 = unlimited)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--max-open-files", opts->max_open_files,
                  "Segment file descriptors kept open; idle shards beyond it are closed and re-opened on use "
                  "(0 = RLIMIT_NOFILE minus --max-connections minus 256, between 64 and 4096)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 24))
      ->capture_default_str();
  cmd->add_option("--max-data-bytes", opts->max_data_bytes,
                  "Bytes the data directory may hold; appends and uploads beyond it are refused (0 = unlimited)")
      ->capture_default_str();
  cmd->add_option("--default-region", opts->default_region, "Region of requests without SigV4 credentials")
      ->check(CLI::Validator(
          [](const std::string& r) {
            return model::IsValidRegion(r) ? std::string() : "'" + r + "' is not an AWS region name (e.g. us-east-1)";
          },
          "REGION"))
      ->capture_default_str();
  cmd->add_option("--segment-bytes", opts->segment_bytes,
                  "Size at which a shard starts a new segment file (retention deletes whole segments)")
      ->check(CLI::Range(uint64_t{64 << 10}, uint64_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--firehose-s3-endpoint", opts->firehose_s3_endpoint,
                  "Deliver Firehose objects to this S3-compatible endpoint (credentials: the AWS chain) "
                  "instead of the embedded store");
  cmd->add_option("--firehose-interval-scale", opts->firehose_interval_scale,
                  "Multiply every BufferingHints interval by this (e.g. 0.01 turns 300 s into 3 s)")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  cmd->add_option("--firehose-source-poll-ms", opts->firehose_source_poll_ms,
                  "How often Firehose reads a Kinesis source stream (AWS: 1000)")
      ->capture_default_str();
  cmd->add_option("--parallel-syncs", opts->parallel_syncs,
                  "Group commit: how many shards of one batch are fdatasync'ed at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--tls-port", opts->tls_port,
                  "Also serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) on this port; 0 picks a free one (default: off)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--tls-cert", opts->tls_cert,
                  "PEM certificate chain for --tls-port (default: a self-signed one made in <data-dir>/tls/)");
  cmd->add_option("--tls-key", opts->tls_key, "PEM private key of --tls-cert");
  // HTTP transport limits (docs/RELIABILITY.md)
  cmd->add_option("--max-connections", opts->max_connections,
                  "Connections served at once; beyond it a new connection gets 503 and is closed")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", opts->max_body_bytes,
                  "Largest request body (larger: 413, or S3 EntityTooLarge); bounds PutObject/UploadPart size")
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{1} << 32))
      ->capture_default_str();
  cmd->add_option("--max-header-bytes", opts->max_header_bytes,
                  "Largest request header section (larger: 431); HTTP/2 counts name + value + 32 per field")
      ->check(CLI::Range(uint32_t{4} << 10, uint32_t{1} << 24))
      ->capture_default_str();
  cmd->add_option("--max-inflight-bytes", opts->max_inflight_bytes,
                  "Request headers and bodies all connections may hold in memory together until answered; "
                  "beyond it: 503 (HTTP/2: REFUSED_STREAM)")
      ->check(CLI::Range(uint64_t{1} << 20, uint64_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--header-timeout-ms", opts->header_timeout_ms,
                  "Time a request's headers may take from its first byte (slow clients: 408, closed; "
                  "HTTP/2: the stream is reset)")
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}))
      ->capture_default_str();
  cmd->add_option("--idle-timeout-ms", opts->idle_timeout_ms,
                  "Time a keep-alive connection may wait for its next request")
      ->check(CLI::Range(int64_t{100}, int64_t{86'400'000}))
      ->capture_default_str();
  cmd->add_option("--body-timeout-ms", opts->body_timeout_ms,
                  "Time a request body (or a response) may take, plus 1 s per --min-body-rate bytes moved")
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}))
      ->capture_default_str();
  cmd->add_option("--min-body-rate", opts->min_body_rate,
                  "Bytes per second a body or response must move at, beyond --body-timeout-ms (0: no extension)")
      ->capture_default_str();
  cmd->add_flag("--throughput-limits", opts->throughput_limits,
                "Enforce AWS's per-shard limits (write 1 MiB/s + 1000 records/s, read 2 MiB/s + 5 calls/s) "
                "and control-plane rates");
  cmd->add_option("--fault-put-fraction", opts->fault_put_fraction,
                  "Fraction of PutRecord(s) entries failing with InternalFailure (deterministic per --fault-seed)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--fault-seed", opts->fault_seed, "Seed of --fault-put-fraction")->capture_default_str();
  cmd->add_option("--auth", flags->auth,
                  "SigV4 verification: off, strict, or auto (strict unless --host is a loopback address)")
      ->check(CLI::IsMember({"off", "strict", "auto"}))
      ->capture_default_str();
  cmd->add_option("--credentials-file", flags->credentials_file,
                  "AWS credentials file whose key pairs (every profile) are accepted in strict mode");
  cmd->add_option("--retention-hour-ms", opts->retention_hour_ms,
                  "Testing only: milliseconds one hour of retention lasts")
      ->group("Testing");
  cmd->add_option("--retention-check-ms", opts->retention_check_ms, "How often expired segments are deleted")
      ->group("Testing");
  cmd->callback([opts, flags] {
    int rc = ResolveServeFlags(*flags, *opts);
    SetExitCode(rc != 0 ? rc : server::Serve(*opts));
  });
}

}  // namespace sluice::cli
