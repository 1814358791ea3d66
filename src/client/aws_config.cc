// Region and endpoint resolution, the profile files, and the real process's
// configuration sources. Precedence is documented in aws_config.h.
#include "sluice/aws_config.h"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "client/config_internal.h"
#include "codec/config_files.h"

extern char** environ;

namespace sluice::client {

std::map<std::string, std::string> ParseDotEnv(std::string_view text) { return codec::ParseDotEnv(text); }
IniFile ParseIni(std::string_view text) { return codec::ParseIni(text); }

namespace internal {

std::optional<Sourced> EnvLayer::Get(const std::string& name) const {
  if (auto it = env_.find(name); it != env_.end() && !it->second.empty()) return Sourced{it->second, "env"};
  if (auto it = dotenv_.find(name); it != dotenv_.end() && !it->second.empty()) return Sourced{it->second, ".env"};
  return std::nullopt;
}

std::optional<std::string> Profile::ConfigValue(const std::string& key) const {
  auto it = config_section.find(key);
  if (it == config_section.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

namespace {

std::string ExpandHome(const std::string& path, const EnvLayer& env) {
  if (path.empty() || path[0] != '~') return path;
  auto home = env.Get("HOME");
  return (home ? home->value : std::string()) + path.substr(1);
}

IniFile ReadIni(const ConfigSources& sources, const std::string& path) {
  if (!sources.read_file) return {};
  auto text = sources.read_file(path);
  return text ? ParseIni(*text) : IniFile{};
}

}  // namespace

Profile LoadProfile(const ConfigOptions& options, const EnvLayer& env, const ConfigSources& sources) {
  Profile p;
  if (options.profile) {
    p.name = *options.profile;
  } else if (auto v = env.Get("AWS_PROFILE")) {
    p.name = v->value;
  } else if (auto v = env.Get("AWS_DEFAULT_PROFILE")) {
    p.name = v->value;
  } else {
    p.name = "default";
  }
  auto creds_path = env.Get("AWS_SHARED_CREDENTIALS_FILE");
  auto config_path = env.Get("AWS_CONFIG_FILE");
  IniFile creds = ReadIni(sources, ExpandHome(creds_path ? creds_path->value : "~/.aws/credentials", env));
  p.config_file = ReadIni(sources, ExpandHome(config_path ? config_path->value : "~/.aws/config", env));
  if (auto it = creds.find(p.name); it != creds.end()) p.credentials_section = it->second;
  if (auto it = p.config_file.find("profile " + p.name); it != p.config_file.end()) {
    p.config_section = it->second;
  } else if (p.name == "default") {
    if (auto d = p.config_file.find("default"); d != p.config_file.end()) p.config_section = d->second;
  }
  return p;
}

}  // namespace internal

using internal::EnvLayer;
using internal::Profile;

std::string ServiceEnvSuffix(std::string_view service_id) {
  std::string out;
  for (char c : service_id) {
    if (c == ' ' || c == '-') {
      out += '_';
    } else {
      out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
  }
  return out;
}

std::string DefaultEndpoint(std::string_view endpoint_prefix, std::string_view region) {
  std::string domain = region.substr(0, 3) == "cn-" ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + std::string(endpoint_prefix) + "." + std::string(region) + "." + domain;
}

namespace {

bool IsTrue(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true";
}

// The services-section key for a service id: "Kinesis Video" -> "kinesis_video".
std::string ServiceConfigKey(std::string_view service_id) {
  std::string out = ServiceEnvSuffix(service_id);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<internal::Sourced> ConfiguredEndpoint(const EnvLayer& env, const Profile& profile,
                                                    const ServiceNames& service) {
  auto ignore_env = env.Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (ignore_env ? IsTrue(ignore_env->value) : IsTrue(profile.ConfigValue("ignore_configured_endpoint_urls"))) {
    return std::nullopt;
  }
  const std::string env_name = "AWS_ENDPOINT_URL_" + ServiceEnvSuffix(service.service_id);
  if (auto v = env.Get(env_name)) return internal::Sourced{v->value, v->source + ":" + env_name};
  if (auto v = env.Get("AWS_ENDPOINT_URL")) return internal::Sourced{v->value, v->source + ":AWS_ENDPOINT_URL"};
  if (auto services = profile.ConfigValue("services")) {
    auto section = profile.config_file.find("services " + *services);
    if (section != profile.config_file.end()) {
      auto it = section->second.find(ServiceConfigKey(service.service_id) + ".endpoint_url");
      if (it != section->second.end() && !it->second.empty()) {
        return internal::Sourced{it->second, "config-file:services"};
      }
    }
  }
  if (auto v = profile.ConfigValue("endpoint_url")) return internal::Sourced{*v, "config-file"};
  return std::nullopt;
}

}  // namespace

Result<ResolvedConfig> ResolveConfig(const ConfigOptions& options, const ConfigSources& sources,
                                     const ServiceNames& service) {
  EnvLayer env(sources.env, sources.dotenv ? ParseDotEnv(*sources.dotenv) : std::map<std::string, std::string>{});
  Profile profile = internal::LoadProfile(options, env, sources);
  ResolvedConfig out;
  out.profile = profile.name;

  auto creds = internal::ResolveCredentials(options, env, profile);
  if (!creds) {
    return Status::InvalidArgument(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (environment or ./.env), or "
        "configure profile '" +
        profile.name + "' in ~/.aws/credentials");
  }
  out.credentials = creds->first;
  out.credentials_source = creds->second;

  if (options.endpoint_url && !options.endpoint_url->empty()) {
    out.endpoint_url = *options.endpoint_url;
    out.endpoint_source = "options";
  } else if (auto e = ConfiguredEndpoint(env, profile, service)) {
    out.endpoint_url = e->value;
    out.endpoint_source = e->source;
  }

  if (options.region && !options.region->empty()) {
    out.region = *options.region;
    out.region_source = "options";
  } else if (auto v = env.Get("AWS_REGION")) {
    out.region = v->value;
    out.region_source = v->source + ":AWS_REGION";
  } else if (auto v = env.Get("AWS_DEFAULT_REGION")) {
    out.region = v->value;
    out.region_source = v->source + ":AWS_DEFAULT_REGION";
  } else if (auto v = profile.ConfigValue("region")) {
    out.region = *v;
    out.region_source = "config-file";
  } else if (!out.endpoint_url.empty()) {
    out.region = "us-east-1";
    out.region_source = "default";
  } else {
    return Status::InvalidArgument(
        "no AWS region: use --region, set AWS_REGION or AWS_DEFAULT_REGION, or set "
        "`region` in profile '" +
        profile.name + "' of ~/.aws/config");
  }

  if (out.endpoint_url.empty()) {
    out.endpoint_url = DefaultEndpoint(service.endpoint_prefix, out.region);
    out.endpoint_source = "default";
  }
  return out;
}

ConfigSources LoadConfigSources() {
  ConfigSources s;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) s.env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  s.read_file = [](const std::string& path) -> std::optional<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  s.dotenv = s.read_file(".env");
  return s;
}

}  // namespace sluice::client
