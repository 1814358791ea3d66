#include "auth/sigv2_query.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>

#include "auth/sigv4_core.h"
#include "codec/base64.h"

namespace sluice::auth {
namespace {

// The subresources that take part in the signature (botocore HmacV1Auth).
constexpr std::string_view kSubresources[] = {"accelerate",
                                              "acl",
                                              "analytics",
                                              "cors",
                                              "defaultObjectAcl",
                                              "delete",
                                              "inventory",
                                              "lifecycle",
                                              "location",
                                              "logging",
                                              "metrics",
                                              "notification",
                                              "object-lock",
                                              "partNumber",
                                              "policy",
                                              "replication",
                                              "requestPayment",
                                              "response-cache-control",
                                              "response-content-disposition",
                                              "response-content-encoding",
                                              "response-content-language",
                                              "response-content-type",
                                              "response-expires",
                                              "restore",
                                              "select",
                                              "select-type",
                                              "storageClass",
                                              "tagging",
                                              "torrent",
                                              "uploadId",
                                              "uploads",
                                              "versionId",
                                              "versioning",
                                              "versions",
                                              "website"};

const std::string* Find(const Pairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs)
    if (k == key) return &v;
  return nullptr;
}

std::string HeaderOrParam(const RequestView& request, const Pairs& query, std::string_view lower_name) {
  for (const auto& [k, v] : query)
    if (ToLower(k) == lower_name) return v;
  if (request.headers)
    for (const auto& [k, v] : *request.headers)
      if (ToLower(k) == lower_name) return v;
  return "";
}

}  // namespace

bool HasSigV2Query(const Pairs& query) { return Find(query, "AWSAccessKeyId") || Find(query, "Signature"); }

std::string SigV2Signature(std::string_view secret, std::string_view string_to_sign) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), out, &len);
  return codec::Base64Encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::variant<Verified, Failure> VerifySigV2Query(const RequestView& request, const RequestTarget& target,
                                                 const CredentialStore& credentials, int64_t now_seconds) {
  auto fail = [](Failure::Kind kind, std::string message = "") {
    Failure f;
    f.kind = kind;
    f.message = std::move(message);
    f.presigned = true;
    return f;
  };
  const std::string* key = Find(target.query, "AWSAccessKeyId");
  const std::string* signature = Find(target.query, "Signature");
  const std::string* expires = Find(target.query, "Expires");
  if (!key || !signature || !expires || key->empty() || signature->empty())
    return fail(Failure::Kind::kMalformed,
                "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
  if (expires->empty() || expires->size() > 12 ||
      !std::all_of(expires->begin(), expires->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(Failure::Kind::kMalformed, "Invalid date (should be seconds since epoch): " + *expires);
  const int64_t expires_at = std::stoll(*expires);
  const std::string* secret = credentials.SecretFor(*key);
  if (!secret) {
    Failure f = fail(Failure::Kind::kUnknownKey);
    f.access_key = *key;
    return f;
  }
  if (now_seconds > expires_at) {
    Failure f = fail(Failure::Kind::kPresignExpired);
    f.access_key = *key;
    f.request_seconds = expires_at;
    f.server_seconds = now_seconds;
    return f;
  }

  std::string sts;
  for (char c : request.method) sts += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  sts += '\n';
  sts.append(HeaderOrParam(request, target.query, "content-md5")).append("\n");
  sts.append(HeaderOrParam(request, target.query, "content-type")).append("\n");
  sts.append(*expires).append("\n");
  std::map<std::string, std::string> amz;  // lower-case name -> values joined by ','
  auto add_amz = [&](const std::string& name, const std::string& value) {
    std::string lname = ToLower(name);
    if (lname.rfind("x-amz-", 0) != 0) return;
    std::string& v = amz[lname];
    if (!v.empty()) v += ',';
    v.append(CanonicalHeaderValue(value));
  };
  for (const auto& [k, v] : target.query) add_amz(k, v);
  if (request.headers)
    for (const auto& [k, v] : *request.headers) add_amz(k, v);
  for (const auto& [k, v] : amz) sts.append(k).append(":").append(v).append("\n");
  sts += target.path;
  std::vector<std::pair<std::string, std::string>> sub;
  for (const auto& [k, v] : target.query)
    if (std::find(std::begin(kSubresources), std::end(kSubresources), k) != std::end(kSubresources))
      sub.emplace_back(k, v);
  std::stable_sort(sub.begin(), sub.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < sub.size(); ++i) {
    sts += i == 0 ? '?' : '&';
    sts += sub[i].first;
    if (!sub[i].second.empty()) sts.append("=").append(sub[i].second);
  }

  if (!ConstantTimeEquals(SigV2Signature(*secret, sts), *signature)) {
    Failure f = fail(Failure::Kind::kSignatureMismatch);
    f.access_key = *key;
    f.string_to_sign = std::move(sts);
    f.signature_provided = *signature;
    return f;
  }
  return Verified{*key, "", std::nullopt};
}

}  // namespace sluice::auth
