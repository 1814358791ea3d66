#include "kinesis/tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/coding.h"
#include "codec/base64.h"

namespace sluice::kinesis {

namespace {
constexpr size_t kMacBytes = 16;
constexpr uint8_t kIteratorVersion = 1;
constexpr uint8_t kPageVersion = 0x81;

std::string Mac(std::string_view payload, const std::string& key) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), kMacBytes);
}

std::string Seal(std::string payload, const std::string& key) {
  payload += Mac(payload, key);
  return codec::Base64Encode(payload);
}

// The payload, when the MAC checks.
Result<std::string> Open(std::string_view token, const std::string& key) {
  auto raw = codec::Base64Decode(token);
  if (!raw.ok() || raw->size() <= kMacBytes) return Status::InvalidArgument("token is not base64 or too short");
  std::string_view payload(raw->data(), raw->size() - kMacBytes);
  std::string expected = Mac(payload, key);
  if (CRYPTO_memcmp(expected.data(), raw->data() + payload.size(), kMacBytes) != 0)
    return Status::InvalidArgument("token MAC does not match");
  return std::string(payload);
}

void PutString(std::string* out, std::string_view s) {
  out->push_back(static_cast<char>(s.size()));
  out->append(s);
}

// Sequential reader over a payload; any overrun makes ok() false.
struct Reader {
  std::string_view in;
  bool ok = true;
  uint8_t U8() {
    if (in.size() < 1) return ok = false, 0;
    uint8_t v = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  uint32_t U32() {
    if (in.size() < 4) return ok = false, 0;
    uint32_t v = DecodeFixed32(in.data());
    in.remove_prefix(4);
    return v;
  }
  uint64_t U64() {
    if (in.size() < 8) return ok = false, 0;
    uint64_t v = DecodeFixed64(in.data());
    in.remove_prefix(8);
    return v;
  }
  std::string Str() {
    size_t n = U8();
    if (!ok || in.size() < n) return ok = false, std::string();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};
}  // namespace

std::string EncodeShardIterator(const IteratorPosition& pos, const std::string& key) {
  std::string p;
  p.push_back(static_cast<char>(kIteratorVersion));
  PutFixed64(&p, static_cast<uint64_t>(pos.stream_created_ms));
  PutFixed32(&p, pos.shard_index);
  PutFixed64(&p, pos.offset);
  PutFixed64(&p, static_cast<uint64_t>(pos.issued_ms));
  PutString(&p, pos.region);
  PutString(&p, pos.stream_name);
  return Seal(std::move(p), key);
}

Result<IteratorPosition> DecodeShardIterator(std::string_view token, const std::string& key) {
  SLUICE_ASSIGN_OR_RETURN(std::string payload, Open(token, key));
  Reader r{payload};
  if (r.U8() != kIteratorVersion) return Status::InvalidArgument("not a shard iterator");
  IteratorPosition pos;
  pos.stream_created_ms = static_cast<int64_t>(r.U64());
  pos.shard_index = r.U32();
  pos.offset = r.U64();
  pos.issued_ms = static_cast<int64_t>(r.U64());
  pos.region = r.Str();
  pos.stream_name = r.Str();
  if (!r.ok || !r.in.empty()) return Status::InvalidArgument("malformed shard iterator");
  return pos;
}

std::string EncodePageToken(const PageToken& t, const std::string& key) {
  std::string p;
  p.push_back(static_cast<char>(kPageVersion));
  p.push_back(static_cast<char>(t.kind));
  PutFixed64(&p, static_cast<uint64_t>(t.stream_created_ms));
  PutFixed64(&p, static_cast<uint64_t>(t.issued_ms));
  PutString(&p, t.stream_name);
  PutString(&p, t.after);
  return Seal(std::move(p), key);
}

Result<PageToken> DecodePageToken(std::string_view text, const std::string& key) {
  SLUICE_ASSIGN_OR_RETURN(std::string payload, Open(text, key));
  Reader r{payload};
  if (r.U8() != kPageVersion) return Status::InvalidArgument("not a page token");
  PageToken t;
  t.kind = r.U8();
  t.stream_created_ms = static_cast<int64_t>(r.U64());
  t.issued_ms = static_cast<int64_t>(r.U64());
  t.stream_name = r.Str();
  t.after = r.Str();
  if (!r.ok || !r.in.empty()) return Status::InvalidArgument("malformed page token");
  return t;
}

}  // namespace sluice::kinesis
