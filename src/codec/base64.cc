#include "codec/base64.h"

#include <array>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__)
// Decodes the first `blocks` 32-character blocks of `in` into 24 bytes each
// at `out`; false when any of those characters is not in the alphabet ('='
// included). Muła and Lemire's method, per byte c with hi = c >> 4 and
// lo = c & 15:
//  - validity: lo_class[lo] & hi_class[hi] is zero exactly for alphabet
//    characters (each high nibble has a bit that the low nibbles it does
//    not accept carry);
//  - value: c + shift[hi], except that '/' (which shares its high nibble
//    with '+' but needs another shift) looks up shift[hi - 1];
//  - packing: maddubs joins pairs of 6-bit values into 12 bits, madd joins
//    pairs of those into the 24-bit quad value in each 32-bit lane; a byte
//    shuffle puts each lane's 3 bytes in big-endian order at the front of its
//    128-bit half, a dword permute closes the gap, two stores write 24 bytes.
// Loads and stores stay within the 32 input and 24 output bytes per block.
__attribute__((target("avx2"))) bool DecodeBlocksAvx2(const unsigned char* in, size_t blocks, char* out) {
  // Each table is repeated for both 128-bit lanes (pshufb looks up per lane).
  const __m256i lo_class = _mm256_setr_epi8(  //
      0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11,
      0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i hi_class = _mm256_setr_epi8(  //
      0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01,
      0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  const __m256i shift = _mm256_setr_epi8(                        // '/' +16, '+' +19, digits +4, A-Z -65, a-z -71
      0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,  //
      0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i order = _mm256_setr_epi8(                      //
      2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
      2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i slash = _mm256_set1_epi8('/');
  const __m256i gather = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
  __m256i bad = _mm256_setzero_si256();
  for (size_t b = 0; b < blocks; ++b, in += 32, out += 24) {
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
    __m256i hi = _mm256_and_si256(_mm256_srli_epi32(c, 4), nibble);
    __m256i lo = _mm256_and_si256(c, nibble);
    __m256i cls = _mm256_and_si256(_mm256_shuffle_epi8(lo_class, lo), _mm256_shuffle_epi8(hi_class, hi));
    bad = _mm256_or_si256(bad, cls);
    __m256i idx = _mm256_add_epi8(hi, _mm256_cmpeq_epi8(c, slash));  // cmpeq is -1 for '/'
    __m256i v = _mm256_add_epi8(c, _mm256_shuffle_epi8(shift, idx));
    v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));  // a * 64 + b, c * 64 + d
    v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));     // (ab) * 4096 + (cd)
    v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, order), gather);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(v));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm256_extracti128_si256(v, 1));
  }
  return _mm256_testz_si256(bad, bad);
}

bool HaveAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

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

Result<std::string> Base64Decode(std::string_view text) {
  std::string out;
  if (!Base64DecodeAppend(text, &out)) return Status::InvalidArgument("not valid base64");
  return out;
}

namespace {
bool DecodeAppend(std::string_view text, std::string* dst, bool simd) {
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
  size_t i = 0;
#if defined(__x86_64__)
  if (simd && body >= 32) {
    size_t blocks = body / 32;
    if (!DecodeBlocksAvx2(in, blocks, o)) return fail();
    i = blocks * 32;
    o += blocks * 24;
  }
#else
  (void)simd;
#endif
  // Whole quads: four table lookups, one validity check per quad.
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
    // NOLINTNEXTLINE(bugprone-signed-char-misuse): -1 in kDecode marks an invalid character
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
}  // namespace

bool Base64DecodeAppend(std::string_view text, std::string* dst) {
#if defined(__x86_64__)
  static const bool avx2 = HaveAvx2();
#else
  constexpr bool avx2 = false;
#endif
  return DecodeAppend(text, dst, avx2);
}

bool detail::Base64DecodeAppendScalar(std::string_view text, std::string* dst) {
  return DecodeAppend(text, dst, false);
}

}  // namespace sluice::codec
