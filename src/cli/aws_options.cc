#include "cli/aws_options.h"

#include <csignal>

namespace sluice::cli {

void AddAwsOptions(CLI::App* cmd, AwsOptions* opts) {
  cmd->add_option("--endpoint-url", opts->endpoint_url,
                  "Endpoint (else AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, the profile, or real AWS)");
  cmd->add_option("--region", opts->region, "Region (else AWS_REGION, AWS_DEFAULT_REGION, the profile)");
  cmd->add_option("--profile", opts->profile, "Profile of ~/.aws/credentials and ~/.aws/config");
  cmd->add_option("--max-attempts", opts->max_attempts, "Attempts per request, retries included");
}

Result<std::unique_ptr<client::KinesisClient>> MakeKinesisClient(const AwsOptions& opts) {
  client::ConfigOptions config;
  if (!opts.endpoint_url.empty()) config.endpoint_url = opts.endpoint_url;
  if (!opts.region.empty()) config.region = opts.region;
  if (!opts.profile.empty()) config.profile = opts.profile;
  client::ClientOptions client_options;
  if (opts.max_attempts > 0) client_options.retry.max_attempts = opts.max_attempts;
  auto made = client::KinesisClient::FromEnvironment(config, client_options);
  if (!made.ok()) return Status::InvalidArgument(made.error().message);
  return std::move(made).value();
}

namespace {
std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }
}  // namespace

const std::atomic<bool>& StopFlagOnSignals() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  return g_stop;
}

}  // namespace sluice::cli
