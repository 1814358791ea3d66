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

Result<std::unique_ptr<client::KinesisClient>> MakeKinesisClient(const AwsOptions& opts, int attempts) {
  client::ConfigOptions config;
  if (!opts.endpoint_url.empty()) config.endpoint_url = opts.endpoint_url;
  if (!opts.region.empty()) config.region = opts.region;
  if (!opts.profile.empty()) config.profile = opts.profile;
  client::ClientOptions client_options;
  if (opts.max_attempts > 0) client_options.retry.max_attempts = opts.max_attempts;
  else if (attempts > 0) client_options.retry.max_attempts = attempts;
  auto made = client::KinesisClient::FromEnvironment(config, client_options);
  if (!made.ok()) return Status::InvalidArgument(made.error().message);
  return std::move(made).value();
}

std::string HintFor(const client::ApiError& e, const client::KinesisClient& client, const std::string& stream) {
  const std::string& url = client.options().config.endpoint_url;
  if (e.kind == client::ErrorKind::kNameResolution)
    return "hint: the host of " + url + " does not resolve; check --endpoint-url (or AWS_ENDPOINT_URL)";
  if (e.kind == client::ErrorKind::kNetwork || e.kind == client::ErrorKind::kTimeout)
    return "hint: is `sluice serve` running at " + url + "? (start it, or point --endpoint-url at it)";
  if (e.kind == client::ErrorKind::kTls)
    return "hint: " + url + " did not complete a TLS handshake; for `sluice serve` use http://";
  if (e.type == "ResourceNotFoundException")
    return "hint: stream " + stream + " does not exist; create it with `sluice produce --stream-name " + stream +
           " --create-stream` or `aws kinesis create-stream --stream-name " + stream + " --shard-count 1`";
  if (e.type == "UnrecognizedClientException" || e.type == "InvalidAccessKeyId")
    return "hint: the server does not know this access key; check AWS_ACCESS_KEY_ID / --profile, or the keys "
           "`sluice serve --credentials-file` accepts";
  if (e.type == "InvalidSignatureException" || e.type == "SignatureDoesNotMatch" ||
      e.type == "IncompleteSignatureException" || e.type == "MissingAuthenticationTokenException")
    return "hint: the request signature was refused; check AWS_SECRET_ACCESS_KEY / --profile and the clock";
  if (e.type == "AccessDeniedException") return "hint: the credentials are not allowed to do this on stream " + stream;
  return "";
}

std::string DescribeFailure(const std::string& what, const client::ApiError& error, const client::KinesisClient& client,
                            const std::string& stream) {
  std::string out = what + ": " + error.ToString();
  std::string hint = HintFor(error, client, stream);
  if (!hint.empty()) out += "\n  " + hint;
  return out;
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
