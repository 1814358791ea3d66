#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "codec/base64.h"

namespace sluice::codec {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded).value(), std::string(plain));
  }
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto s = all.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(s)).value(), s);
  }
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
  EXPECT_FALSE(Base64Decode("Z").ok());
  EXPECT_FALSE(Base64Decode("Zh==").ok());                    // non-zero leftover bits
  EXPECT_EQ(Base64Decode("Zm8").value(), std::string("fo"));  // unpadded is accepted
}

// A plain reading of the rules Base64DecodeAppend implements: '=' only as one
// or two final padding characters of a length divisible by 4, no length
// leaving a single character, leftover bits zero.
std::optional<std::string> ReferenceDecode(std::string_view text) {
  static const std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 == 1) return std::nullopt;
  if (text.size() % 4 == 0) {
    for (int k = 0; k < 2 && !text.empty() && text.back() == '='; ++k) text.remove_suffix(1);
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return std::nullopt;
  return out;
}

// Decodes `text` with the dispatched and the scalar decoder, each appending to
// a non-empty string, and checks both against ReferenceDecode (a failed decode
// must leave the string as it was).
void ExpectAgreement(std::string_view original) {
  // An allocation of exactly the text's size, so that ASan reports any read
  // past its end.
  std::unique_ptr<char[]> exact(new char[original.size()]);
  std::copy(original.begin(), original.end(), exact.get());
  std::string_view text(exact.get(), original.size());
  auto expected = ReferenceDecode(text);
  const std::string prefix = "prefix";
  std::string fast = prefix, scalar = prefix;
  bool fast_ok = Base64DecodeAppend(text, &fast);
  bool scalar_ok = detail::Base64DecodeAppendScalar(text, &scalar);
  ASSERT_EQ(fast_ok, expected.has_value()) << "dispatched, input: " << testing::PrintToString(std::string(text));
  ASSERT_EQ(scalar_ok, expected.has_value()) << "scalar, input: " << testing::PrintToString(std::string(text));
  std::string want = expected ? prefix + *expected : prefix;
  ASSERT_EQ(fast, want) << "dispatched, input: " << testing::PrintToString(std::string(text));
  ASSERT_EQ(scalar, want) << "scalar, input: " << testing::PrintToString(std::string(text));
  ASSERT_EQ(fast.c_str()[fast.size()], '\0');  // nothing written past the end
}

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Unpadded(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

TEST(Base64, RandomRoundTripsAgreeWithReference) {
  std::mt19937 rng(42);
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 300; ++n) lengths.insert(lengths.end(), 4, n);
  for (int k = 0; k < 40; ++k) lengths.push_back(1000 + rng() % 9001);
  for (size_t n : lengths) {
    std::string bytes = RandomBytes(rng, n);
    std::string text = Base64Encode(bytes);
    ASSERT_EQ(Base64Decode(text).value(), bytes) << n;
    ASSERT_NO_FATAL_FAILURE(ExpectAgreement(text));
    ASSERT_NO_FATAL_FAILURE(ExpectAgreement(Unpadded(text)));
  }
}

// Random strings mostly of alphabet characters with an occasional '=' or
// other byte: decodes must agree with the reference, accepted or not.
TEST(Base64, RandomTextAgreesWithReference) {
  std::mt19937 rng(9);
  const std::string valid = Base64Encode(RandomBytes(rng, 3000));
  for (int iter = 0; iter < 20000; ++iter) {
    size_t n = rng() % 200;
    std::string text = valid.substr(rng() % 1000, n);
    int mutations = rng() % 3;
    for (int m = 0; m < mutations && n > 0; ++m) {
      char c = rng() % 2 ? '=' : static_cast<char>(rng());
      text[rng() % n] = c;
    }
    ASSERT_NO_FATAL_FAILURE(ExpectAgreement(text));
  }
}

const char kInvalidChars[] = {' ', '-', '_', '=', '\n', '\x80', '\0'};

TEST(Base64, InvalidCharacterAtEveryPosition) {
  std::mt19937 rng(3);
  const std::string valid = Base64Encode(RandomBytes(rng, 75));
  ASSERT_EQ(valid.size(), 100u);
  for (char bad : kInvalidChars) {
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      std::string text = valid;
      text[pos] = bad;
      if (bad != '=' || pos < 98) {
        std::string out = "kept";
        EXPECT_FALSE(Base64DecodeAppend(text, &out)) << int(bad) << " at " << pos;
        EXPECT_EQ(out, "kept");
      }
      ASSERT_NO_FATAL_FAILURE(ExpectAgreement(text)) << int(bad) << " at " << pos;
    }
  }
}

// The AVX2 path takes whole 32-character blocks and leaves the rest to the
// scalar loop: an invalid character must be found on either side of that
// boundary, for lengths around multiples of 32.
TEST(Base64, InvalidCharacterInSimdBlockOrTail) {
  std::mt19937 rng(5);
  for (size_t len : {32u, 36u, 44u, 63u, 64u, 66u, 67u, 68u, 96u, 100u, 127u, 128u, 132u, 160u, 1400u}) {
    std::string valid = Unpadded(Base64Encode(RandomBytes(rng, len * 3 / 4)));
    ASSERT_EQ(valid.size(), len);
    ASSERT_NO_FATAL_FAILURE(ExpectAgreement(valid));
    size_t blocks_end = len / 32 * 32;
    for (size_t pos : {size_t{0}, size_t{17}, blocks_end - 1, blocks_end, len - 2, len - 1}) {
      if (pos >= len) continue;
      for (char bad : kInvalidChars) {
        std::string text = valid;
        text[pos] = bad;
        ASSERT_NO_FATAL_FAILURE(ExpectAgreement(text)) << "len " << len << ", " << int(bad) << " at " << pos;
        if (bad != '=') {
          EXPECT_FALSE(Base64Decode(text).ok()) << len << " " << pos;
        }
      }
    }
  }
}

// Every byte value, placed inside a 32-character block and in the tail.
TEST(Base64, EveryCharacterInBlockAndTail) {
  std::mt19937 rng(11);
  const std::string valid = Unpadded(Base64Encode(RandomBytes(rng, 51)));  // 68 characters
  for (int c = 0; c < 256; ++c) {
    for (size_t pos : {size_t{3}, size_t{40}, size_t{63}, size_t{64}, size_t{66}}) {
      std::string text = valid;
      text[pos] = static_cast<char>(c);
      ASSERT_NO_FATAL_FAILURE(ExpectAgreement(text)) << c << " at " << pos;
    }
  }
}

// Not a check: prints the decoding speed of the scalar and the dispatched
// decoder on 1,400-character texts (a 1 KiB record as PutRecords carries it).
// Run with --gtest_also_run_disabled_tests --gtest_filter='*Base64Speed*'.
}  // namespace
}  // namespace sluice::codec

#include <zlib.h>

#include <random>

#include "base/crc32.h"

namespace sluice {
namespace {

TEST(Crc32, MatchesZlibOnEveryLengthAndSeed) {
  std::mt19937 rng(7);
  std::string buf(5000, '\0');
  for (auto& c : buf) c = static_cast<char>(rng());
  for (size_t n : {0u, 1u, 3u, 15u, 16u, 17u, 63u, 64u, 255u, 1024u, 4999u}) {
    auto view = std::string_view(buf).substr(0, n);
    uLong expected = crc32(0, reinterpret_cast<const Bytef*>(view.data()), static_cast<uInt>(n));
    EXPECT_EQ(Crc32(view), expected) << n;
    // Chaining equals one pass.
    EXPECT_EQ(Crc32(view.substr(n / 2), Crc32(view.substr(0, n / 2))), expected) << n;
  }
}

}  // namespace
}  // namespace sluice

#include "codec/utf8.h"

namespace sluice::codec {
namespace {

TEST(Utf8, AcceptsWellFormedAndRejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("ação, 日本, 🎉"));
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe6\x97"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

}  // namespace
}  // namespace sluice::codec

#include "codec/url.h"

namespace sluice::codec {
namespace {

// The one decoding of request targets (verifier and handlers alike).
TEST(Url, DecodesPathsAndQueries) {
  EXPECT_EQ(UrlDecode("a%20b+c%2Bd%2fe", UrlPart::kPath), "a b+c+d/e");
  EXPECT_EQ(UrlDecode("a%20b+c%2Bd", UrlPart::kQuery), "a b c+d");
  bool malformed = false;
  EXPECT_EQ(UrlDecode("100%", UrlPart::kQuery, &malformed), "100%");
  EXPECT_TRUE(malformed);
  malformed = false;
  EXPECT_EQ(UrlDecode("%zz%4", UrlPart::kPath, &malformed), "%zz%4");
  EXPECT_TRUE(malformed);
  malformed = false;
  EXPECT_EQ(UrlDecode("%41%62", UrlPart::kPath, &malformed), "Ab");
  EXPECT_FALSE(malformed);
  auto q = ParseQuery("uploads&prefix=a+b%2Bc&&=v&k=x=y");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>("uploads", "")));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>("prefix", "a b+c")));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>("", "v")));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>("k", "x=y")));
}

}  // namespace
}  // namespace sluice::codec
