#include "objstore/digest.h"

#include <openssl/evp.h>

namespace sluice::objstore {

namespace {

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Md5Raw(std::string_view data) { return Digest(EVP_md5(), data); }
std::string Md5Hex(std::string_view data) { return Hex(Md5Raw(data)); }
std::string Sha256Hex(std::string_view data) { return Hex(Digest(EVP_sha256(), data)); }

std::string QuotedMd5(std::string_view data) { return "\"" + Md5Hex(data) + "\""; }

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

Result<std::string> MultipartEtag(const std::vector<std::string>& part_etags) {
  std::string raw;
  for (const auto& e : part_etags) {
    std::string h = Unquote(e);
    if (h.size() != 32) return Status::InvalidArgument("not an MD5 ETag: " + e);
    for (size_t i = 0; i < 32; i += 2) {
      int hi = HexDigit(h[i]);
      int lo = HexDigit(h[i + 1]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("not an MD5 ETag: " + e);
      raw.push_back(static_cast<char>(hi * 16 + lo));
    }
  }
  return "\"" + Md5Hex(raw) + "-" + std::to_string(part_etags.size()) + "\"";
}

}  // namespace sluice::objstore
