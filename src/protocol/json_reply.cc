#include "protocol/json_reply.h"

#include <openssl/rand.h>

#include <random>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/crc32.h"
#include "codec/base64.h"

namespace sluice::protocol {

namespace {
// Request ids need to be unique, not secret: a per-thread generator seeded
// once from OpenSSL avoids the DRBG's lock on every request.
void FillRandom(unsigned char* out, size_t n) {
  thread_local std::mt19937_64 rng([] {
    uint64_t seed = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
    return seed;
  }());
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<unsigned char>(v >> (8 * j));
  }
}
}  // namespace

std::string NewRequestId() {
  unsigned char b[16];
  FillRandom(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(36, '-');
  size_t at = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dashes of 8-4-4-4-12
    id[at++] = kHex[b[i] >> 4];
    id[at++] = kHex[b[i] & 15];
  }
  return id;
}

namespace {
void CommonHeaders(wire::Response& r, const std::string& request_id, const JsonDialect& dialect) {
  r.SetHeader("Content-Type", std::string(dialect.content_type));
  r.SetHeader("x-amzn-RequestId", request_id);
  unsigned char b[48];
  FillRandom(b, sizeof b);
  r.SetHeader("x-amz-id-2", codec::Base64Encode(std::string_view(reinterpret_cast<char*>(b), sizeof b)));
}

void ChecksumHeader(wire::Response& r, const JsonDialect& dialect) {
  if (dialect.crc32_header) r.SetHeader("x-amz-crc32", std::to_string(Crc32(r.body)));
}
}  // namespace

wire::Response JsonSuccess(std::string body, const std::string& request_id, const JsonDialect& dialect) {
  wire::Response r;
  r.status = 200;
  CommonHeaders(r, request_id, dialect);
  r.body = std::move(body);
  ChecksumHeader(r, dialect);
  return r;
}

wire::Response StreamedSuccess(StreamingAnswer answer, const std::string& request_id) {
  wire::Response r = JsonSuccess("", request_id);
  for (auto& [name, value] : r.headers)
    if (name == "Content-Type") value = answer.content_type;
  r.stream = std::move(answer.source);
  return r;
}

wire::Response JsonError(const ApiError& error, const std::string& request_id, const JsonDialect& dialect) {
  wire::Response r;
  r.status = error.http_status;
  CommonHeaders(r, request_id, dialect);
  r.SetHeader("x-amzn-ErrorType", error.type);
  std::string type = dialect.ErrorType(error.type);
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("__type");
  w.String(type.c_str(), static_cast<rapidjson::SizeType>(type.size()));
  if (!error.message.empty()) {
    w.Key("message");
    w.String(error.message.c_str(), static_cast<rapidjson::SizeType>(error.message.size()));
  }
  w.EndObject();
  r.body.assign(sb.GetString(), sb.GetSize());
  if (!error.extra_members.empty()) {
    r.body.pop_back();  // the closing brace
    r.body += ',' + error.extra_members + '}';
  }
  ChecksumHeader(r, dialect);
  return r;
}

}  // namespace sluice::protocol
