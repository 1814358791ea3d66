// Credential, region and endpoint resolution order (sluice/aws_config.h).
#include <gtest/gtest.h>

#include "sluice/aws_config.h"

namespace sluice::client {
namespace {

struct World {
  std::map<std::string, std::string> env{{"HOME", "/home/u"}};
  std::optional<std::string> dotenv;
  std::map<std::string, std::string> files;

  ConfigSources Sources() const {
    ConfigSources s;
    s.env = env;
    s.dotenv = dotenv;
    auto copy = files;
    s.read_file = [copy](const std::string& path) -> std::optional<std::string> {
      auto it = copy.find(path);
      if (it == copy.end()) return std::nullopt;
      return it->second;
    };
    return s;
  }
  ResolvedConfig Resolve(const ConfigOptions& o = {}) const {
    auto r = ResolveConfig(o, Sources());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : ResolvedConfig{};
  }
};

constexpr const char* kCredsPath = "/home/u/.aws/credentials";
constexpr const char* kConfigPath = "/home/u/.aws/config";

World WithEverything() {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "ENV_AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "ENV_SK";
  w.dotenv = "AWS_ACCESS_KEY_ID=DOTENV_AK\nAWS_SECRET_ACCESS_KEY=DOTENV_SK\nAWS_DEFAULT_REGION=ap-south-1\n";
  w.files[kCredsPath] =
      "[default]\naws_access_key_id = FILE_AK\naws_secret_access_key = FILE_SK\n"
      "[dev]\naws_access_key_id = DEV_AK\naws_secret_access_key = DEV_SK\naws_session_token = DEV_TOK\n";
  w.files[kConfigPath] =
      "[default]\nregion = eu-north-1\n"
      "[profile dev]\nregion = eu-west-3\nendpoint_url = http://dev-profile:1\n"
      "[dev]\nregion = ignored-because-config-needs-profile-prefix\n";
  return w;
}

TEST(ClientConfig, ExplicitOptionsWinOverEverything) {
  World w = WithEverything();
  w.env["AWS_REGION"] = "us-west-2";
  w.env["AWS_ENDPOINT_URL"] = "http://env:1";
  ConfigOptions o;
  o.access_key_id = "OPT_AK";
  o.secret_access_key = "OPT_SK";
  o.session_token = "OPT_TOK";
  o.region = "sa-east-1";
  o.endpoint_url = "http://opt:2";
  ResolvedConfig c = w.Resolve(o);
  EXPECT_EQ(c.credentials.access_key_id, "OPT_AK");
  EXPECT_EQ(c.credentials.session_token, "OPT_TOK");
  EXPECT_EQ(c.credentials_source, "options");
  EXPECT_EQ(c.region, "sa-east-1");
  EXPECT_EQ(c.endpoint_url, "http://opt:2");
}

TEST(ClientConfig, EnvironmentBeatsDotEnvWhichBeatsFiles) {
  World w = WithEverything();
  ResolvedConfig c = w.Resolve();
  EXPECT_EQ(c.credentials.access_key_id, "ENV_AK");
  EXPECT_EQ(c.credentials_source, "env");
  EXPECT_EQ(c.region, "ap-south-1");  // .env's AWS_DEFAULT_REGION beats the profile's region
  EXPECT_EQ(c.region_source, ".env:AWS_DEFAULT_REGION");

  w.env.erase("AWS_ACCESS_KEY_ID");
  w.env.erase("AWS_SECRET_ACCESS_KEY");
  c = w.Resolve();
  EXPECT_EQ(c.credentials.access_key_id, "DOTENV_AK");
  EXPECT_EQ(c.credentials.secret_access_key, "DOTENV_SK");
  EXPECT_EQ(c.credentials_source, ".env");

  w.dotenv.reset();
  c = w.Resolve();
  EXPECT_EQ(c.credentials.access_key_id, "FILE_AK");
  EXPECT_EQ(c.credentials_source, "credentials-file");
  EXPECT_EQ(c.region, "eu-north-1");
  EXPECT_EQ(c.region_source, "config-file");
}

TEST(ClientConfig, IncompleteEnvPairFallsThrough) {
  World w = WithEverything();
  w.env.erase("AWS_SECRET_ACCESS_KEY");
  w.dotenv.reset();
  EXPECT_EQ(w.Resolve().credentials.access_key_id, "FILE_AK");
}

TEST(ClientConfig, SessionTokenFromEnvAndLegacyName) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "SK";
  w.env["AWS_REGION"] = "us-east-1";
  w.env["AWS_SECURITY_TOKEN"] = "LEGACY";
  EXPECT_EQ(w.Resolve().credentials.session_token, "LEGACY");
  w.env["AWS_SESSION_TOKEN"] = "TOK";
  EXPECT_EQ(w.Resolve().credentials.session_token, "TOK");
}

TEST(ClientConfig, AwsProfileSelectsSectionsButEnvCredentialsStillWin) {
  World w = WithEverything();
  w.dotenv.reset();
  w.env["AWS_PROFILE"] = "dev";
  ResolvedConfig c = w.Resolve();
  EXPECT_EQ(c.profile, "dev");
  EXPECT_EQ(c.credentials.access_key_id, "ENV_AK");  // botocore: env provider stays for AWS_PROFILE
  EXPECT_EQ(c.region, "eu-west-3");
  EXPECT_EQ(c.endpoint_url, "http://dev-profile:1");
  EXPECT_EQ(c.endpoint_source, "config-file");
}

TEST(ClientConfig, ExplicitProfileOptionSkipsEnvironmentCredentials) {
  World w = WithEverything();
  ConfigOptions o;
  o.profile = "dev";
  ResolvedConfig c = w.Resolve(o);
  EXPECT_EQ(c.credentials.access_key_id, "DEV_AK");
  EXPECT_EQ(c.credentials.session_token, "DEV_TOK");
  EXPECT_EQ(c.credentials_source, "credentials-file");
}

TEST(ClientConfig, ProfileOptionBeatsAwsProfileWhichBeatsDefaultProfile) {
  World w = WithEverything();
  w.env.clear();
  w.env["HOME"] = "/home/u";
  w.dotenv.reset();
  w.env["AWS_DEFAULT_PROFILE"] = "dev";
  EXPECT_EQ(w.Resolve().profile, "dev");
  w.env["AWS_PROFILE"] = "default";
  EXPECT_EQ(w.Resolve().profile, "default");
  ConfigOptions o;
  o.profile = "dev";
  EXPECT_EQ(w.Resolve(o).profile, "dev");
}

TEST(ClientConfig, ConfigFileCredentialsAndProfilePrefixRule) {
  World w;
  w.env["AWS_PROFILE"] = "ci";
  // In the config file only [profile ci] names the profile; a bare [ci] is not it.
  w.files[kConfigPath] =
      "[ci]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\nregion = wrong-1\n"
      "[profile ci]\naws_access_key_id = CFG_AK\naws_secret_access_key = CFG_SK\nregion = ca-central-1\n";
  ResolvedConfig c = w.Resolve();
  EXPECT_EQ(c.credentials.access_key_id, "CFG_AK");
  EXPECT_EQ(c.credentials_source, "config-file");
  EXPECT_EQ(c.region, "ca-central-1");
  // The credentials file takes [ci] and beats the config file.
  w.files[kCredsPath] = "[ci]\naws_access_key_id = CRED_AK\naws_secret_access_key = CRED_SK\n";
  EXPECT_EQ(w.Resolve().credentials.access_key_id, "CRED_AK");
}

TEST(ClientConfig, FileLocationsFromEnvironment) {
  World w;
  w.env["AWS_SHARED_CREDENTIALS_FILE"] = "/etc/creds";
  w.env["AWS_CONFIG_FILE"] = "~/alt-config";
  w.files["/etc/creds"] = "[default]\naws_access_key_id = ALT_AK\naws_secret_access_key = ALT_SK\n";
  w.files["/home/u/alt-config"] = "[default]\nregion = me-south-1\n";
  w.files[kCredsPath] = "[default]\naws_access_key_id = HOME_AK\naws_secret_access_key = HOME_SK\n";
  ResolvedConfig c = w.Resolve();
  EXPECT_EQ(c.credentials.access_key_id, "ALT_AK");
  EXPECT_EQ(c.region, "me-south-1");
}

TEST(ClientConfig, RegionOrder) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "SK";
  w.files[kConfigPath] = "[default]\nregion = eu-central-1\n";
  EXPECT_EQ(w.Resolve().region, "eu-central-1");
  w.dotenv = "AWS_DEFAULT_REGION=af-south-1";
  EXPECT_EQ(w.Resolve().region, "af-south-1");
  w.env["AWS_DEFAULT_REGION"] = "us-west-1";
  EXPECT_EQ(w.Resolve().region, "us-west-1");
  w.env["AWS_REGION"] = "us-east-2";
  EXPECT_EQ(w.Resolve().region, "us-east-2");
  ConfigOptions o;
  o.region = "il-central-1";
  EXPECT_EQ(w.Resolve(o).region, "il-central-1");
}

TEST(ClientConfig, NoRegionIsAnErrorForAwsButDefaultsForCustomEndpoints) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "SK";
  auto r = ResolveConfig({}, w.Sources());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("region"), std::string::npos);
  ConfigOptions o;
  o.endpoint_url = "http://127.0.0.1:4566";
  ResolvedConfig c = w.Resolve(o);
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.region_source, "default");
}

TEST(ClientConfig, NoCredentialsIsAnError) {
  World w;
  w.env["AWS_REGION"] = "us-east-1";
  auto r = ResolveConfig({}, w.Sources());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST(ClientConfig, EndpointOrder) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "SK";
  w.env["AWS_REGION"] = "eu-west-1";
  EXPECT_EQ(w.Resolve().endpoint_url, "https://kinesis.eu-west-1.amazonaws.com");
  EXPECT_EQ(w.Resolve().endpoint_source, "default");
  w.files[kConfigPath] =
      "[default]\nendpoint_url = http://profile-global:1\nservices = local\n"
      "[services local]\nkinesis =\n  endpoint_url = http://profile-kinesis:2\nfirehose =\n  endpoint_url = "
      "http://fh:3\n";
  EXPECT_EQ(w.Resolve().endpoint_url, "http://profile-kinesis:2");
  EXPECT_EQ(w.Resolve().endpoint_source, "config-file:services");
  w.env["AWS_ENDPOINT_URL"] = "http://env-global:4";
  EXPECT_EQ(w.Resolve().endpoint_url, "http://env-global:4");
  w.env["AWS_ENDPOINT_URL_KINESIS"] = "http://env-kinesis:5";
  EXPECT_EQ(w.Resolve().endpoint_url, "http://env-kinesis:5");
  EXPECT_EQ(w.Resolve().endpoint_source, "env:AWS_ENDPOINT_URL_KINESIS");
  ConfigOptions o;
  o.endpoint_url = "http://flag:6";
  EXPECT_EQ(w.Resolve(o).endpoint_url, "http://flag:6");
  // Another service reads its own variable and services entry.
  auto fh = ResolveConfig({}, w.Sources(), ServiceNames{"Firehose", "firehose"});
  ASSERT_TRUE(fh.ok());
  EXPECT_EQ(fh->endpoint_url, "http://env-global:4");
}

TEST(ClientConfig, ProfileGlobalEndpointWhenNoServicesEntry) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "SK";
  w.files[kConfigPath] = "[default]\nregion = us-east-1\nendpoint_url = http://profile-global:1\n";
  EXPECT_EQ(w.Resolve().endpoint_url, "http://profile-global:1");
}

TEST(ClientConfig, IgnoreConfiguredEndpointUrls) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "AK";
  w.env["AWS_SECRET_ACCESS_KEY"] = "SK";
  w.env["AWS_REGION"] = "us-east-1";
  w.env["AWS_ENDPOINT_URL"] = "http://env:1";
  w.env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(w.Resolve().endpoint_url, "https://kinesis.us-east-1.amazonaws.com");
  ConfigOptions o;
  o.endpoint_url = "http://flag:2";  // the explicit option still applies
  EXPECT_EQ(w.Resolve(o).endpoint_url, "http://flag:2");
}

TEST(ClientConfig, EmptyEnvironmentValuesCountAsUnset) {
  World w;
  w.env["AWS_ACCESS_KEY_ID"] = "";
  w.env["AWS_SECRET_ACCESS_KEY"] = "";
  w.env["AWS_REGION"] = "";
  w.dotenv = "AWS_ACCESS_KEY_ID=D_AK\nAWS_SECRET_ACCESS_KEY=D_SK\nAWS_REGION=eu-south-1\n";
  ResolvedConfig c = w.Resolve();
  EXPECT_EQ(c.credentials.access_key_id, "D_AK");
  EXPECT_EQ(c.region, "eu-south-1");
}

TEST(ClientConfig, ServiceNamesAndDefaultEndpoints) {
  EXPECT_EQ(ServiceEnvSuffix("Kinesis"), "KINESIS");
  EXPECT_EQ(ServiceEnvSuffix("Kinesis Video"), "KINESIS_VIDEO");
  EXPECT_EQ(DefaultEndpoint("kinesis", "cn-north-1"), "https://kinesis.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(DefaultEndpoint("firehose", "us-west-2"), "https://firehose.us-west-2.amazonaws.com");
}

TEST(ClientConfig, DotEnvSyntax) {
  auto m = ParseDotEnv(
      "# comment\n"
      "\n"
      "PLAIN=value\n"
      "  SPACED  =  padded value   \n"
      "export EXPORTED=yes\n"
      "SQ='single # not a comment \\n'\n"
      "DQ=\"double \\\"quoted\\\"\\nline\" # trailing comment\n"
      "INLINE=abc # comment\n"
      "HASH=abc#def\n"
      "EMPTY=\n"
      "NOEQUALS\n"
      "CRLF=win\r\n"
      "PLAIN=later wins\n");
  EXPECT_EQ(m["PLAIN"], "later wins");
  EXPECT_EQ(m["SPACED"], "padded value");
  EXPECT_EQ(m["EXPORTED"], "yes");
  EXPECT_EQ(m["SQ"], "single # not a comment \\n");
  EXPECT_EQ(m["DQ"], "double \"quoted\"\nline");
  EXPECT_EQ(m["INLINE"], "abc");
  EXPECT_EQ(m["HASH"], "abc#def");
  EXPECT_EQ(m["EMPTY"], "");
  EXPECT_EQ(m["CRLF"], "win");
  EXPECT_EQ(m.count("NOEQUALS"), 0u);
}

TEST(ClientConfig, IniSyntax) {
  IniFile ini = ParseIni(
      "; comment\n"
      "# comment\n"
      "[default]\n"
      "Region = us-east-1\n"
      "output: json\n"
      "[profile   spaced]\n"
      "region=eu-west-1\n"
      "[services s]\n"
      "kinesis =\n"
      "  endpoint_url = http://x:1\n"
      "  Other = y\n"
      "[ml]\n"
      "long = first\n"
      "  second\n");
  EXPECT_EQ(ini["default"]["region"], "us-east-1");
  EXPECT_EQ(ini["default"]["output"], "json");
  EXPECT_EQ(ini["profile spaced"]["region"], "eu-west-1");
  EXPECT_EQ(ini["services s"]["kinesis.endpoint_url"], "http://x:1");
  EXPECT_EQ(ini["services s"]["kinesis.other"], "y");
  EXPECT_EQ(ini["ml"]["long"], "first\nsecond");
}

}  // namespace
}  // namespace sluice::client
