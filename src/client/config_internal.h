// Internal pieces of configuration resolution shared by aws_config.cc and
// credentials.cc: the layered environment and a profile's file sections.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "sluice/aws_config.h"

namespace sluice::client::internal {

// A value and where it was found.
struct Sourced {
  std::string value;
  std::string source;
};

// Process environment over ./.env; empty values count as unset.
class EnvLayer {
 public:
  EnvLayer(const std::map<std::string, std::string>& env, std::map<std::string, std::string> dotenv)
      : env_(env), dotenv_(std::move(dotenv)) {}
  std::optional<Sourced> Get(const std::string& name) const;

 private:
  const std::map<std::string, std::string>& env_;
  std::map<std::string, std::string> dotenv_;
};

// One profile as seen in the credentials file and the config file.
struct Profile {
  std::string name;
  std::map<std::string, std::string> credentials_section;  // [name] in credentials
  std::map<std::string, std::string> config_section;       // [profile name] / [default] in config
  IniFile config_file;                                     // for [services x] lookups

  std::optional<std::string> ConfigValue(const std::string& key) const;
};

// The profile name and its file sections for `options` and `env`.
Profile LoadProfile(const ConfigOptions& options, const EnvLayer& env, const ConfigSources& sources);

// The credential chain documented in aws_config.h.
std::optional<std::pair<Credentials, std::string>> ResolveCredentials(const ConfigOptions& options, const EnvLayer& env,
                                                                      const Profile& profile);

}  // namespace sluice::client::internal
