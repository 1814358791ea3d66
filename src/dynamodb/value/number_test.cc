#include "dynamodb/value/number.h"

#include <gtest/gtest.h>

namespace sluice::dynamodb {
namespace {

std::string Normalized(std::string_view text) {
  auto n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status().message();
  return n.ok() ? n->ToString() : "";
}

std::string Error(std::string_view text) {
  auto n = Number::Parse(text);
  EXPECT_FALSE(n.ok()) << text;
  return n.ok() ? "" : n.status().message();
}

Number N(std::string_view text) { return Number::Parse(text).value(); }

TEST(Number, PrintsNormalizedAsDynamoDbReturnsIt) {
  EXPECT_EQ(Normalized("1.50"), "1.5");
  EXPECT_EQ(Normalized("0100"), "100");
  EXPECT_EQ(Normalized("1E+2"), "100");
  EXPECT_EQ(Normalized("1e2"), "100");
  EXPECT_EQ(Normalized("-0"), "0");
  EXPECT_EQ(Normalized("0.000"), "0");
  EXPECT_EQ(Normalized("+7"), "7");
  EXPECT_EQ(Normalized(".5"), "0.5");
  EXPECT_EQ(Normalized("5."), "5");
  EXPECT_EQ(Normalized("-12.3400"), "-12.34");
  EXPECT_EQ(Normalized("1.5E-3"), "0.0015");
  EXPECT_EQ(Normalized("123.456E1"), "1234.56");
  EXPECT_EQ(Normalized("1E-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Normalized("9.9999999999999999999999999999999999999E+125"),
            "99999999999999999999999999999999999999" + std::string(88, '0'));
}

TEST(Number, ThirtyEightSignificantDigitsAreKeptExactly) {
  std::string digits38 = "12345678901234567890123456789012345678";
  EXPECT_EQ(Normalized(digits38), digits38);
  EXPECT_EQ(Normalized("0.000" + digits38 + "000"), "0.000" + digits38);
  EXPECT_EQ(Normalized(digits38 + "00000"), digits38 + "00000");  // trailing zeros are not significant
  EXPECT_EQ(Error(digits38 + "9"), "Attempting to store more than 38 significant digits in a Number");
}

TEST(Number, RangeAndSyntaxErrorsCarryAwsMessages) {
  EXPECT_EQ(Error("1E+126"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(Error("-1E+126"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(Error("1E-131"),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(Error("0.99E-130"),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(Error(""), "The parameter cannot be converted to a numeric value");
  EXPECT_EQ(Error("abc"), "The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(Error("1.2.3"), "The parameter cannot be converted to a numeric value: 1.2.3");
  EXPECT_EQ(Error("1e"), "The parameter cannot be converted to a numeric value: 1e");
  EXPECT_EQ(Error(" 1"), "The parameter cannot be converted to a numeric value:  1");
  EXPECT_EQ(Error("-"), "The parameter cannot be converted to a numeric value: -");
  EXPECT_TRUE(Number::Parse("0E+999999999999").ok());  // zero has no magnitude
}

TEST(Number, ComparesNumericallyAcrossExponentsAndSigns) {
  EXPECT_EQ(N("100").Compare(N("1E2")), 0);
  EXPECT_EQ(N("1.50").Compare(N("1.5")), 0);
  EXPECT_LT(N("9").Compare(N("10")), 0);
  EXPECT_LT(N("0.12").Compare(N("0.123")), 0);
  EXPECT_LT(N("-0.123").Compare(N("-0.12")), 0);
  EXPECT_LT(N("-5").Compare(N("0")), 0);
  EXPECT_GT(N("1E-130").Compare(N("0")), 0);
  EXPECT_LT(N("-1E+125").Compare(N("-9E+124")), 0);
  EXPECT_EQ(N("-0").Compare(N("0")), 0);
}

TEST(Number, AddsAndSubtractsExactly) {
  auto add = [](std::string_view a, std::string_view b) { return Number::Add(N(a), N(b)).value().ToString(); };
  auto sub = [](std::string_view a, std::string_view b) { return Number::Subtract(N(a), N(b)).value().ToString(); };
  EXPECT_EQ(add("1", "1"), "2");
  EXPECT_EQ(add("0.1", "0.2"), "0.3");
  EXPECT_EQ(add("999", "1"), "1000");
  EXPECT_EQ(add("-5", "3"), "-2");
  EXPECT_EQ(add("5", "-5"), "0");
  EXPECT_EQ(add("1E+20", "1E-10"), "100000000000000000000.0000000001");
  EXPECT_EQ(sub("1", "1.5"), "-0.5");
  EXPECT_EQ(sub("-1", "-1"), "0");
  EXPECT_EQ(sub("0", "7"), "-7");
  EXPECT_EQ(add("99999999999999999999999999999999999999", "1"), "100000000000000000000000000000000000000");
  auto too_precise = Number::Add(N("1E+20"), N("1E-20"));
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().message(), "Attempting to store more than 38 significant digits in a Number");
  auto overflow = Number::Add(N("9.9999999999999999999999999999999999999E+125"), N("1E+125"));
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().message(),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

TEST(Number, FromIntMatchesParse) {
  EXPECT_EQ(Number::FromInt(0).ToString(), "0");
  EXPECT_EQ(Number::FromInt(-42).ToString(), "-42");
  EXPECT_EQ(Number::FromInt(INT64_MIN).ToString(), "-9223372036854775808");
}

}  // namespace
}  // namespace sluice::dynamodb
