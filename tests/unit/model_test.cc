#include <gtest/gtest.h>

#include "model/arn.h"
#include "model/hash_key.h"
#include "model/sequence_number.h"

namespace sluice::model {
namespace {

TEST(HashKey, PartitionKeyMapsToBigEndianMd5) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
  HashKey k = HashKeyFromPartitionKey("a");
  EXPECT_EQ(HashKeyToDecimal(k), "16955237001963240173058271559858726497");
}

TEST(HashKey, DecimalRoundTripAndBounds) {
  EXPECT_EQ(HashKeyToDecimal(kMaxHashKey), "340282366920938463463374607431768211455");
  EXPECT_EQ(ParseHashKey("340282366920938463463374607431768211455"), kMaxHashKey);
  EXPECT_FALSE(ParseHashKey("340282366920938463463374607431768211456").has_value());
  EXPECT_FALSE(ParseHashKey("").has_value());
  EXPECT_FALSE(ParseHashKey("12a").has_value());
  EXPECT_EQ(ParseHashKey("0"), HashKey{0});
}

TEST(HashKey, EvenRangesMatchAws) {
  auto two = EvenHashKeyRanges(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(HashKeyToDecimal(two[0].end), "170141183460469231731687303715884105727");
  EXPECT_EQ(HashKeyToDecimal(two[1].start), "170141183460469231731687303715884105728");
  EXPECT_EQ(two[1].end, kMaxHashKey);
  auto three = EvenHashKeyRanges(3);
  EXPECT_EQ(HashKeyToDecimal(three[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(HashKeyToDecimal(three[0].end), "113427455640312821154458202477256070484");
  for (int n : {1, 4, 7, 10, 64, 500}) {
    auto r = EvenHashKeyRanges(n);
    EXPECT_EQ(r.front().start, HashKey{0});
    EXPECT_EQ(r.back().end, kMaxHashKey);
    for (size_t i = 1; i < r.size(); ++i) EXPECT_EQ(r[i].start, r[i - 1].end + 1) << n;
  }
}

TEST(SequenceNumber, RoundTripsAndOrdersWithinShard) {
  SequencePosition p{1795683779, 7, 123456789};
  std::string s = FormatSequenceNumber(p);
  EXPECT_EQ(s.size(), 56u);
  auto back = ParseSequenceNumber(s);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->stream_epoch_s, p.stream_epoch_s);
  EXPECT_EQ(back->shard_index, 7u);
  EXPECT_EQ(back->offset, 123456789u);
  // Same length and prefix, so string order is numeric order.
  EXPECT_LT(FormatSequenceNumber({1795683779, 7, 9}), FormatSequenceNumber({1795683779, 7, 10}));
  EXPECT_LT(FormatSequenceNumber({1795683779, 7, UINT64_MAX - 1}), FormatSequenceNumber({1795683779, 7, UINT64_MAX}));
}

TEST(SequenceNumber, RejectsForeignText) {
  EXPECT_FALSE(ParseSequenceNumber("0").has_value());
  EXPECT_FALSE(ParseSequenceNumber(std::string(56, '9')).has_value());
  std::string s = FormatSequenceNumber({1, 1, 1});
  s[30] = 'x';
  EXPECT_FALSE(ParseSequenceNumber(s).has_value());
}

TEST(StreamArn, ParsesStreamAndConsumerArns) {
  auto a = ParseStreamArn("arn:aws:kinesis:eu-west-1:000000000000:stream/my.stream");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->stream_name, "my.stream");
  EXPECT_TRUE(a->consumer.empty());
  auto c = ParseStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1:1700000000");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->stream_name, "s");
  EXPECT_EQ(c->consumer, "c1:1700000000");
  EXPECT_FALSE(ParseStreamArn("arn:aws:sqs:us-east-1:000000000000:queue").has_value());
  EXPECT_FALSE(ParseStreamArn("arn:aws:kinesis:us-east-1:000000000000:stream/").has_value());
  EXPECT_EQ(FormatStreamArn("us-east-1", "000000000000", "s"), "arn:aws:kinesis:us-east-1:000000000000:stream/s");
}

}  // namespace
}  // namespace sluice::model
