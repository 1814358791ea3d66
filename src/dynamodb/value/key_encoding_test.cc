#include "dynamodb/value/key_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::dynamodb {
namespace {

AttributeValue N(std::string_view text) { return AttributeValue::Num(Number::Parse(text).value()); }

std::string Encoded(const AttributeValue& v) { return EncodeKeyValue(v).value(); }

TEST(KeyEncoding, NumbersSortByValueUnderMemcmp) {
  std::vector<std::string> ascending = {"-1E+125",
                                        "-100",
                                        "-99.5",
                                        "-10",
                                        "-1.23",
                                        "-1.2",
                                        "-1",
                                        "-0.5",
                                        "-1E-130",
                                        "0",
                                        "1E-130",
                                        "0.5",
                                        "1",
                                        "1.2",
                                        "1.23",
                                        "10",
                                        "99.5",
                                        "100",
                                        "12345678901234567890123456789012345678",
                                        "9.9E+125"};
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(Encoded(N(ascending[i])), Encoded(N(ascending[i + 1]))) << ascending[i] << " < " << ascending[i + 1];
  }
  EXPECT_EQ(Encoded(N("1.50")), Encoded(N("1.5")));
}

TEST(KeyEncoding, MemcmpOrderEqualsNumericOrderForGeneratedNumbers) {
  // A fixed linear congruential sequence: the same numbers on every run.
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  std::vector<Number> numbers;
  for (int i = 0; i < 300; ++i) {
    std::string text = (next() % 2 ? "-" : "") + std::to_string(next() % 100000) + "E" +
                       std::to_string(static_cast<int>(next() % 200) - 100);
    numbers.push_back(Number::Parse(text).value());
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    const Number& a = numbers[i];
    const Number& b = numbers[i + 1];
    int by_bytes = Encoded(AttributeValue::Num(a)).compare(Encoded(AttributeValue::Num(b)));
    by_bytes = by_bytes < 0 ? -1 : by_bytes > 0 ? 1 : 0;
    EXPECT_EQ(by_bytes, a.Compare(b)) << a.ToString() << " vs " << b.ToString();
  }
}

TEST(KeyEncoding, DecodesBackToTheSameValue) {
  for (const char* text :
       {"0", "-0.001", "42", "-42", "1E+100", "3.14159", "-12345678901234567890123456789012345678"}) {
    auto decoded = DecodeKeyValue(AttributeType::kN, Encoded(N(text)));
    ASSERT_TRUE(decoded.ok()) << text;
    EXPECT_EQ(decoded.value(), N(text)) << text;
  }
  auto s = DecodeKeyValue(AttributeType::kS, Encoded(AttributeValue::String("héllo")));
  EXPECT_EQ(s.value(), AttributeValue::String("héllo"));
  auto b = DecodeKeyValue(AttributeType::kB, Encoded(AttributeValue::Binary(std::string("\x00\xff", 2))));
  EXPECT_EQ(b.value(), AttributeValue::Binary(std::string("\x00\xff", 2)));
  EXPECT_FALSE(DecodeKeyValue(AttributeType::kN, "\x02").ok());
  EXPECT_FALSE(DecodeKeyValue(AttributeType::kN, std::string("\x02\x80x\x00", 4)).ok());
}

TEST(KeyEncoding, StringsAndBinariesSortByUnsignedBytes) {
  EXPECT_LT(Encoded(AttributeValue::String("Z")), Encoded(AttributeValue::String("a")));
  EXPECT_LT(Encoded(AttributeValue::String("a")), Encoded(AttributeValue::String("ab")));
  std::string low("\x01", 1), high("\xff", 1);
  EXPECT_LT(static_cast<unsigned char>(Encoded(AttributeValue::Binary(low))[0]),
            static_cast<unsigned char>(Encoded(AttributeValue::Binary(high))[0]));
  EXPECT_FALSE(EncodeKeyValue(AttributeValue::Bool(true)).ok());
}

TEST(KeyEncoding, PartitionHashIsStableAndTypeAware) {
  EXPECT_EQ(PartitionHash(AttributeValue::String("shardId-000000000000")),
            PartitionHash(AttributeValue::String("shardId-000000000000")));
  EXPECT_EQ(PartitionHash(N("1.0")), PartitionHash(N("1")));
  EXPECT_NE(PartitionHash(AttributeValue::String("1")), PartitionHash(AttributeValue::Binary("1")));
  // FNV-1a of the type byte 0 and "a": fixed forever (Scan segments).
  EXPECT_EQ(PartitionHash(AttributeValue::String("a")), 0x70772d5au);
}

}  // namespace
}  // namespace sluice::dynamodb
