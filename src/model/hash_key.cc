#include "model/hash_key.h"

#include <openssl/evp.h>

#include <algorithm>

namespace sluice::model {

HashKey HashKeyFromPartitionKey(std::string_view partition_key) {
  // Fetch the algorithm once and keep a context per thread: OpenSSL 3's
  // implicit fetch (EVP_md5() in EVP_Digest) takes a global lock per call.
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  thread_local struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  } tls;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestInit_ex2(tls.ctx, md5, nullptr);
  EVP_DigestUpdate(tls.ctx, partition_key.data(), partition_key.size());
  EVP_DigestFinal_ex(tls.ctx, digest, &len);
  HashKey k = 0;
  for (int i = 0; i < 16; ++i) k = (k << 8) | digest[i];
  return k;
}

std::string HashKeyToDecimal(HashKey key) {
  if (key == 0) return "0";
  std::string s;
  while (key > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(key % 10)));
    key /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::optional<HashKey> ParseHashKey(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  HashKey k = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    HashKey digit = static_cast<HashKey>(c - '0');
    if (k > (kMaxHashKey - digit) / 10) return std::nullopt;
    k = k * 10 + digit;
  }
  return k;
}

std::vector<HashKeyRange> EvenHashKeyRanges(int count) {
  std::vector<HashKeyRange> ranges;
  if (count <= 0) return ranges;
  // 2^128 / count without overflowing: (2^128 - 1) / count, adjusted.
  HashKey step = kMaxHashKey / static_cast<HashKey>(count);
  if (kMaxHashKey % static_cast<HashKey>(count) == static_cast<HashKey>(count) - 1) step += 1;
  for (int i = 0; i < count; ++i) {
    HashKeyRange r;
    r.start = step * static_cast<HashKey>(i);
    r.end = i + 1 == count ? kMaxHashKey : step * static_cast<HashKey>(i + 1) - 1;
    ranges.push_back(r);
  }
  return ranges;
}

}  // namespace sluice::model
