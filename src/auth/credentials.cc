#include "auth/credentials.h"

#include "codec/config_files.h"
#include "io/file_util.h"

namespace sluice::auth {

Status CredentialStore::Add(const std::string& access_key, const std::string& secret) {
  auto [it, inserted] = secrets_.emplace(access_key, secret);
  if (!inserted && it->second != secret)
    return Status::InvalidArgument("access key " + access_key + " is listed twice with different secrets");
  return Status::Ok();
}

const std::string* CredentialStore::SecretFor(std::string_view access_key) const {
  auto it = secrets_.find(access_key);
  return it == secrets_.end() ? nullptr : &it->second;
}

Result<CredentialStore> ParseCredentialsFile(std::string_view text) {
  CredentialStore store;
  for (const auto& [section, keys] : codec::ParseIni(text)) {
    auto id = keys.find("aws_access_key_id");
    auto secret = keys.find("aws_secret_access_key");
    if (id == keys.end() || secret == keys.end() || id->second.empty() || secret->second.empty()) continue;
    if (Status st = store.Add(id->second, secret->second); !st.ok())
      return Status::InvalidArgument("profile [" + section + "]: " + st.message());
  }
  return store;
}

Result<CredentialStore> LoadCredentialsFile(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto text, io::ReadFile(path));
  return ParseCredentialsFile(text);
}

}  // namespace sluice::auth
