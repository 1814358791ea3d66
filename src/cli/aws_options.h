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
// what is missing (credentials, region, ...). `attempts` > 0 overrides the
// attempts per request (e.g. 1 for a fail-fast first contact) unless the user
// set --max-attempts.
Result<std::unique_ptr<client::KinesisClient>> MakeKinesisClient(const AwsOptions& opts, int attempts = 0);

// What a user can do about `error` from `client` while using `stream`, one
// line starting "hint: ", or "" when there is nothing useful to say:
// nothing answering ("is `sluice serve` running at URL?"), a host that does
// not resolve, an unknown access key or bad signature, a missing stream
// ("stream X does not exist; create it with ...").
std::string HintFor(const client::ApiError& error, const client::KinesisClient& client, const std::string& stream);

// "<what>: <error>" plus, on a second line, HintFor's hint when there is one.
std::string DescribeFailure(const std::string& what, const client::ApiError& error, const client::KinesisClient& client,
                            const std::string& stream);

// Installs SIGINT/SIGTERM handlers that set the returned flag.
const std::atomic<bool>& StopFlagOnSignals();

}  // namespace sluice::cli
