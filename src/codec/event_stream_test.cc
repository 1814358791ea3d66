#include "codec/event_stream.h"

#include <gtest/gtest.h>

namespace sluice::codec {
namespace {

TEST(EventStream, RoundTripsAndChecksBothCrcs) {
  std::string msg = EncodeEvent("SubscribeToShardEvent", R"({"Records":[]})");
  size_t used = 0;
  auto m = DecodeEventMessage(msg, &used);
  ASSERT_TRUE(m);
  EXPECT_EQ(used, msg.size());
  EXPECT_EQ(m->Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(m->Header(":message-type"), "event");
  EXPECT_EQ(m->payload, R"({"Records":[]})");
  for (size_t i : {size_t{9}, msg.size() / 2, msg.size() - 1}) {
    std::string bad = msg;
    bad[i] ^= 0x01;
    EXPECT_FALSE(DecodeEventMessage(bad, &used)) << i;
    EXPECT_EQ(used, SIZE_MAX) << i;
  }
  EXPECT_FALSE(DecodeEventMessage(std::string_view(msg).substr(0, msg.size() - 1), &used));
  EXPECT_EQ(used, 0u);  // incomplete, not invalid
}

TEST(EventStream, MatchesAHandComputedPrelude) {
  // An empty message: total 16, headers 0; prelude CRC-32 of 00000010 00000000.
  std::string msg = EncodeEventMessage({}, "");
  ASSERT_EQ(msg.size(), 16u);
  EXPECT_EQ(msg.substr(0, 8), std::string("\x00\x00\x00\x10\x00\x00\x00\x00", 8));
  EXPECT_EQ(msg.substr(8, 4), std::string("\x05\xc2\x48\xeb", 4));  // zlib.crc32 of the 8 bytes
}

TEST(EventStream, ExceptionsCarryTheirTypeAndAJsonMessage) {
  std::string msg = EncodeEventException("ResourceInUseException", "busy \"now\"");
  size_t used = 0;
  auto m = DecodeEventMessage(msg, &used);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Header(":message-type"), "exception");
  EXPECT_EQ(m->Header(":exception-type"), "ResourceInUseException");
  EXPECT_EQ(m->payload, R"({"message":"busy \"now\""})");
}

}  // namespace
}  // namespace sluice::codec
