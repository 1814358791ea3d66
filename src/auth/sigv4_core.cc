#include "auth/sigv4_core.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace sluice::auth {
namespace {

// Python's str.split() whitespace, restricted to ASCII.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[c >> 4];
    out[2 * i + 1] = kDigits[c & 0xf];
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

std::string HmacSha256(std::string_view key, std::string_view msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string UriEncode(std::string_view in, std::string_view also_keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~' || also_keep.find(ch) != std::string_view::npos;
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string RemoveDotSegments(std::string_view url) {
  if (url.empty()) return "";
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= url.size()) {
    size_t slash = url.find('/', pos);
    if (slash == std::string_view::npos) slash = url.size();
    std::string_view seg = url.substr(pos, slash - pos);
    if (!seg.empty() && seg != ".") {
      if (seg == "..") {
        if (!out.empty()) out.pop_back();
      } else {
        out.push_back(seg);
      }
    }
    pos = slash + 1;
  }
  std::string result = url.front() == '/' ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) result += '/';
    result.append(out[i]);
  }
  if (url.back() == '/' && !out.empty()) result += '/';
  return result;
}

std::string CanonicalPath(std::string_view wire_path, bool s3) {
  if (s3) return std::string(wire_path);
  std::string normalized = wire_path.empty() ? "/" : RemoveDotSegments(wire_path);
  return UriEncode(normalized, "/");
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& raw_pairs) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(raw_pairs.size());
  for (const auto& [k, v] : raw_pairs) pairs.emplace_back(UriEncode(k), UriEncode(v));
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && IsSpace(v[i])) ++i;
    size_t start = i;
    while (i < v.size() && !IsSpace(v[i])) ++i;
    if (i > start) {
      if (!out.empty()) out += ' ';
      out.append(v.substr(start, i - start));
    }
  }
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string CredentialScope(std::string_view date, std::string_view region, std::string_view service) {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + 16);
  out.append(date).append("/").append(region).append("/").append(service).append("/aws4_request");
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.append("\n").append(amz_date).append("\n").append(scope).append("\n").append(Sha256Hex(canonical_request));
  return out;
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

std::string SignatureHex(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

std::string ChunkStringToSign(std::string_view amz_date, std::string_view scope, std::string_view previous_signature,
                              std::string_view chunk) {
  std::string out = "AWS4-HMAC-SHA256-PAYLOAD\n";
  out.append(amz_date).append("\n").append(scope).append("\n").append(previous_signature).append("\n");
  out.append(kEmptySha256).append("\n").append(Sha256Hex(chunk));
  return out;
}

}  // namespace sluice::auth
