#include "codec/base64.h"

#include <array>
#include <cstdint>

namespace sluice::codec {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = MakeDecodeTable();

// Per-position tables: the 6-bit value already shifted into place, or a bit
// in the top byte for an invalid character, so a quad is 4 loads and 3 ORs.
constexpr uint32_t kInvalid = 0x01000000;
constexpr std::array<uint32_t, 256> MakeShifted(int shift) {
  std::array<uint32_t, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = kDecode[c] < 0 ? kInvalid : uint32_t(kDecode[c]) << shift;
  return t;
}
constexpr auto kD0 = MakeShifted(18);
constexpr auto kD1 = MakeShifted(12);
constexpr auto kD2 = MakeShifted(6);
constexpr auto kD3 = MakeShifted(0);
}  // namespace

void Base64Encode(std::string_view bytes, std::string* out) {
  size_t start = out->size();
  out->resize(start + Base64EncodedSize(bytes.size()));
  char* o = out->data() + start;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (i < n) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < n) v |= uint32_t{p[i + 1]} << 8;
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  Base64Encode(bytes, &out);
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  if (!Base64DecodeAppend(text, &out)) return std::nullopt;
  return out;
}

bool Base64DecodeAppend(std::string_view text, std::string* dst) {
  size_t n = text.size();
  if (n % 4 == 1) return false;
  size_t pad = 0;
  if (n % 4 == 0) {
    if (n >= 1 && text[n - 1] == '=') ++pad;
    if (n >= 2 && text[n - 2] == '=') ++pad;
  }
  size_t body = n - pad;
  size_t start = dst->size();
  dst->resize(start + body / 4 * 3 + (body % 4 ? body % 4 - 1 : 0));
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* o = dst->data() + start;
  auto fail = [&] {
    dst->resize(start);
    return false;
  };
  // Whole quads: four table lookups, one validity check per quad.
  size_t i = 0;
  uint32_t bad = 0;
  // Two quads at a time; validity is checked once per 8 characters.
  for (; i + 8 <= body; i += 8) {
    uint32_t v = kD0[in[i]] | kD1[in[i + 1]] | kD2[in[i + 2]] | kD3[in[i + 3]];
    uint32_t w = kD0[in[i + 4]] | kD1[in[i + 5]] | kD2[in[i + 6]] | kD3[in[i + 7]];
    bad |= v | w;
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
    o[3] = static_cast<char>(w >> 16);
    o[4] = static_cast<char>(w >> 8);
    o[5] = static_cast<char>(w);
    o += 6;
  }
  for (; i + 4 <= body; i += 4) {
    uint32_t v = kD0[in[i]] | kD1[in[i + 1]] | kD2[in[i + 2]] | kD3[in[i + 3]];
    bad |= v;
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>(v >> 8);
    *o++ = static_cast<char>(v);
  }
  if (bad & kInvalid) return fail();
  size_t rest = body - i;  // 0, 2 or 3 characters before the padding
  if (rest == 1) return fail();
  if (rest >= 2) {
    int32_t a = kDecode[in[i]], b = kDecode[in[i + 1]];
    int32_t c = rest == 3 ? kDecode[in[i + 2]] : 0;
    if ((a | b | c) < 0) return fail();
    uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6);
    // Leftover bits must be zero for a canonical encoding.
    if (rest == 2 && (v & 0xFFFF) != 0) return fail();
    if (rest == 3 && (v & 0xFF) != 0) return fail();
    *o++ = static_cast<char>(v >> 16);
    if (rest == 3) *o++ = static_cast<char>(v >> 8);
  }
  return true;
}

}  // namespace sluice::codec
