// Where a client's credentials, region and endpoint come from: the AWS
// standard chain, as boto3 / the AWS CLI resolve it.
//
// Resolution is a pure function of (options, environment, files) so every
// precedence rule is unit-testable; LoadConfigSources() captures the real
// process environment, ./.env and the home directory's files.
//
// Environment layer: process variables, then a `.env` file in the working
// directory filling only the variables the process does not set (as
// python-dotenv's load_dotenv does; the seed keeps credentials there).
//
// Profile: options.profile, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else
// "default". Files: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials,
// sections `[name]`) and AWS_CONFIG_FILE (default ~/.aws/config, sections
// `[default]` / `[profile name]`).
//
// Credentials, first complete pair wins:
//   1. options.access_key_id + secret_access_key (+ session_token);
//   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN, or the
//      legacy AWS_SECURITY_TOKEN) — skipped when options.profile is set
//      explicitly, as botocore drops its env provider for an explicit profile;
//   3. the profile in the credentials file;
//   4. the profile in the config file.
//   (SSO, assume-role, process, container and IMDS providers are not
//   implemented.)
// Region: options.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
//   `region`; with none, "us-east-1" when a custom endpoint is configured
//   (local servers), else an error.
// Endpoint: options.endpoint_url, AWS_ENDPOINT_URL_<SERVICE>,
//   AWS_ENDPOINT_URL, the profile's `services` section entry
//   (`<service> =\n  endpoint_url = ...`), the profile's `endpoint_url`, else
//   https://<prefix>.<region>.amazonaws.com (".com.cn" for cn- regions).
//   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
//   ignore_configured_endpoint_urls = true) skips the env and file entries.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/sigv4.h"
#include "sluice/status.h"

namespace sluice::client {

// Explicit settings (command-line flags); each wins over every other source.
struct ConfigOptions {
  std::optional<std::string> profile;
  std::optional<std::string> region;
  std::optional<std::string> endpoint_url;
  std::optional<std::string> access_key_id;
  std::optional<std::string> secret_access_key;
  std::optional<std::string> session_token;
};

// A service's names for configuration: the service id ("Kinesis", "Firehose")
// gives AWS_ENDPOINT_URL_KINESIS and the `kinesis` services-section key; the
// endpoint prefix builds the regional host name.
struct ServiceNames {
  std::string service_id = "Kinesis";
  std::string endpoint_prefix = "kinesis";
};

// Everything resolution reads. `read_file` returns a file's contents or
// nullopt when it cannot be read; paths are given with "~" already expanded
// against env["HOME"].
struct ConfigSources {
  std::map<std::string, std::string> env;  // process environment
  std::optional<std::string> dotenv;       // contents of ./.env, if any
  std::function<std::optional<std::string>(const std::string& path)> read_file;
};

struct ResolvedConfig {
  Credentials credentials;
  std::string region;
  std::string endpoint_url;
  std::string profile;
  // Where each came from, for `--debug` output and tests: e.g. "options",
  // "env", ".env", "credentials-file", "config-file", "default".
  std::string credentials_source;
  std::string region_source;
  std::string endpoint_source;
};

// The pure resolution. Errors (InvalidArgument): no credentials; no region
// for a real AWS endpoint.
Result<ResolvedConfig> ResolveConfig(const ConfigOptions& options, const ConfigSources& sources,
                                     const ServiceNames& service = {});

// The real process: environ, ./.env (if present) and a filesystem reader.
ConfigSources LoadConfigSources();

// "Kinesis Video" -> "KINESIS_VIDEO" (the AWS_ENDPOINT_URL_ suffix).
std::string ServiceEnvSuffix(std::string_view service_id);
// https://kinesis.us-east-1.amazonaws.com
std::string DefaultEndpoint(std::string_view endpoint_prefix, std::string_view region);

// The configuration-file parsers, exposed for tests (the server's
// codec/config_files.h implements and documents the formats).
// .env: KEY=VALUE lines, "export ", comments, quoting; later keys win.
std::map<std::string, std::string> ParseDotEnv(std::string_view text);
// INI as botocore reads it: section -> key (lower-cased) -> value; nested
// sections' lines as "<key>.<k>".
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

}  // namespace sluice::client
