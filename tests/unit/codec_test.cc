#include <gtest/gtest.h>

#include "codec/base64.h"

namespace sluice::codec {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::string(plain));
  }
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto s = all.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Z").has_value());
  EXPECT_FALSE(Base64Decode("Zh==").has_value());  // non-zero leftover bits
  EXPECT_EQ(Base64Decode("Zm8"), std::string("fo"));  // unpadded is accepted
}

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
