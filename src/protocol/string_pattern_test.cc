#include "protocol/string_pattern.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(StringPattern, RepeatedClassesMatchLikeTheRegexTheyAre) {
  // Patterns from the Kinesis and Firehose models, table-matched and regex-matched
  // alike; each must answer as std::regex does.
  const char* patterns[] = {"[a-zA-Z0-9_.-]+",
                            "[a-zA-Z0-9\\-\\_]+",
                            "[a-zA-Z0-9\\\\._\\\\-]+",
                            "[\\.\\-_/#A-Za-z0-9]*",
                            "[0-9]+",
                            "[a-zA-Z0-9-]+",
                            "[\\d]+"};
  const char* inputs[] = {"", "abc", "my-stream_1.x", "a b", "a/b#c", "x\\y", "123", "-", "é", "a\nb", "[]", "^"};
  for (const char* p : patterns) {
    auto compiled = StringPattern::Compile(p);
    ASSERT_TRUE(compiled) << p;
    std::regex reference(p, std::regex::ECMAScript);
    for (const char* in : inputs) {
      std::string s(in);
      EXPECT_EQ(compiled->Matches(s), std::regex_match(s, reference)) << p << " on '" << s << "'";
    }
  }
}

TEST(StringPattern, OtherPatternsUseTheRegexAndJavaOnlyOnesAreNotEnforced) {
  auto number = StringPattern::Compile("0|([1-9]\\d{0,38})");
  ASSERT_TRUE(number);
  EXPECT_TRUE(number->Matches("0"));
  EXPECT_TRUE(number->Matches("340282366920938463463374607431768211455"));
  EXPECT_FALSE(number->Matches("01"));
  EXPECT_FALSE(number->Matches(""));
  auto arn = StringPattern::Compile("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  ASSERT_TRUE(arn);
  EXPECT_TRUE(arn->Matches("arn:aws:kinesis:us-east-1:000000000000:stream/s"));
  EXPECT_FALSE(arn->Matches("arn:aws:kinesis:us-east-1:0:stream/s"));
  EXPECT_FALSE(StringPattern::Compile("^[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$"));
  // A negated class is not a table pattern; the regex still handles it.
  auto no_colon = StringPattern::Compile("[^:*]*");
  ASSERT_TRUE(no_colon);
  EXPECT_TRUE(no_colon->Matches("abc"));
  EXPECT_FALSE(no_colon->Matches("a:b"));
}

}  // namespace
}  // namespace sluice::protocol
