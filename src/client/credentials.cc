// The credential chain (aws_config.h): options, environment, credentials
// file, config file — first complete access key pair wins.
#include "client/config_internal.h"

namespace sluice::client::internal {
namespace {

std::optional<Credentials> FromSection(const std::map<std::string, std::string>& section) {
  auto get = [&](const char* k) -> std::string {
    auto it = section.find(k);
    return it == section.end() ? std::string() : it->second;
  };
  Credentials c{get("aws_access_key_id"), get("aws_secret_access_key"), get("aws_session_token")};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) return std::nullopt;
  if (c.session_token.empty()) c.session_token = get("aws_security_token");
  return c;
}

}  // namespace

std::optional<std::pair<Credentials, std::string>> ResolveCredentials(const ConfigOptions& options, const EnvLayer& env,
                                                                      const Profile& profile) {
  if (options.access_key_id && options.secret_access_key && !options.access_key_id->empty()) {
    return std::make_pair(
        Credentials{*options.access_key_id, *options.secret_access_key, options.session_token.value_or("")},
        std::string("options"));
  }
  if (!options.profile) {  // botocore: an explicit profile removes the env provider
    auto key = env.Get("AWS_ACCESS_KEY_ID");
    auto secret = env.Get("AWS_SECRET_ACCESS_KEY");
    if (key && secret) {
      auto token = env.Get("AWS_SESSION_TOKEN");
      if (!token) token = env.Get("AWS_SECURITY_TOKEN");
      std::string source = key->source == secret->source ? key->source : "env+.env";
      return std::make_pair(Credentials{key->value, secret->value, token ? token->value : ""}, source);
    }
  }
  if (auto c = FromSection(profile.credentials_section)) return std::make_pair(*c, std::string("credentials-file"));
  if (auto c = FromSection(profile.config_section)) return std::make_pair(*c, std::string("config-file"));
  return std::nullopt;
}

}  // namespace sluice::client::internal
