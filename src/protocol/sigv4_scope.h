// Reads the credential scope of a SigV4-signed request (Authorization header
// or X-Amz-Credential query parameter) without verifying the signature:
// the region namespaces resources, the access key selects credentials.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

struct CredentialScope {
  std::string access_key;
  std::string date;
  std::string region;
  std::string service;
};

// From "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, ..."
std::optional<CredentialScope> ParseAuthorizationScope(std::string_view authorization);
// From "AKID/20260101/us-east-1/kinesis/aws4_request" (already URL-decoded).
std::optional<CredentialScope> ParseCredential(std::string_view credential);

}  // namespace sluice::protocol
