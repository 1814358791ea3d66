// The key pairs `sluice serve --credentials-file` accepts: every profile of
// an AWS credentials file (INI: [name] sections with aws_access_key_id and
// aws_secret_access_key) that has both keys.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::auth {

class CredentialStore {
 public:
  // InvalidArgument when `access_key` is already present with another secret.
  Status Add(const std::string& access_key, const std::string& secret);
  // The secret of `access_key`, or nullptr.
  const std::string* SecretFor(std::string_view access_key) const;
  size_t size() const { return secrets_.size(); }
  bool empty() const { return secrets_.empty(); }

 private:
  std::map<std::string, std::string, std::less<>> secrets_;
};

// Parses credentials-file text (codec/config_files.h INI rules). Sections
// lacking either key are skipped; the same key id with two different
// secrets is an error.
Result<CredentialStore> ParseCredentialsFile(std::string_view text);
// Reads and parses the file at `path`.
Result<CredentialStore> LoadCredentialsFile(const std::string& path);

}  // namespace sluice::auth
