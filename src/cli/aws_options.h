// The AWS-CLI-style connection options shared by the client subcommands
// (--endpoint-url, --region, --profile), and building a Kinesis client from
// them plus the standard environment and config files.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "base/status.h"
#include "sluice/kinesis_client.h"

namespace sluice::cli {

struct AwsOptions {
  std::string endpoint_url;
  std::string region;
  std::string profile;
  int max_attempts = 0;  // 0 = the client's default
};

void AddAwsOptions(CLI::App* cmd, AwsOptions* opts);

// Resolves configuration the AWS way and creates a client; the error names
// what is missing (credentials, region, ...).
Result<std::unique_ptr<client::KinesisClient>> MakeKinesisClient(const AwsOptions& opts);

// Installs SIGINT/SIGTERM handlers that set the returned flag.
const std::atomic<bool>& StopFlagOnSignals();

}  // namespace sluice::cli
