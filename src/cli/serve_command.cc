#include <memory>

#include "cli/commands.h"
#include "server/serve.h"

namespace sluice::cli {

namespace {
int g_exit_code = 0;
}

int ExitCode() { return g_exit_code; }
void SetExitCode(int code) { g_exit_code = code; }

void AddServeCommand(CLI::App& app) {
  auto opts = std::make_shared<server::ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the Kinesis-compatible server (durable, on local disk)");
  cmd->add_option("--host", opts->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", opts->port, "Port to listen on (0 picks a free one)")->capture_default_str();
  cmd->add_option("--data-dir", opts->data_dir, "Where streams are stored")->capture_default_str();
  cmd->add_option("--stream-transition-ms", opts->stream_transition_ms,
                  "Time a stream spends CREATING/UPDATING/DELETING (0 = immediate)")
      ->capture_default_str();
  cmd->add_option("--fsync", opts->fsync,
                  "always: acknowledge after fdatasync (survives power loss); "
                  "os: acknowledge after write(2) (survives a server crash, not an OS crash)")
      ->check(CLI::IsMember({"always", "os"}))
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "HTTP worker threads (0 = one per core)")->capture_default_str();
  cmd->add_option("--shard-limit", opts->shard_limit, "Open shards allowed per region")->capture_default_str();
  cmd->add_option("--default-region", opts->default_region, "Region of requests without SigV4 credentials")
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
  cmd->add_option("--auth", opts->auth,
                  "SigV4 verification: off, strict, or auto (strict unless --host is a loopback address)")
      ->check(CLI::IsMember({"off", "strict", "auto"}))
      ->capture_default_str();
  cmd->add_option("--credentials-file", opts->credentials_file,
                  "AWS credentials file whose key pairs (every profile) are accepted in strict mode");
  cmd->add_option("--retention-hour-ms", opts->retention_hour_ms,
                  "Testing only: milliseconds one hour of retention lasts")
      ->group("Testing");
  cmd->add_option("--retention-check-ms", opts->retention_check_ms, "How often expired segments are deleted")
      ->group("Testing");
  cmd->callback([opts] { SetExitCode(server::Serve(*opts)); });
}

}  // namespace sluice::cli
