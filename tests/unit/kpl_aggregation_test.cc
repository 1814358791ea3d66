// KPL aggregated records (src/codec/kpl_aggregation.h).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>

#include "codec/kpl_aggregation.h"

namespace sluice::codec {
namespace {

std::string Md5(std::string_view d) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(d.data(), d.size(), out, &n, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string Wrap(std::string_view proto) { return std::string(kKplMagic) + std::string(proto) + Md5(proto); }

TEST(KplAggregation, PlainRecordsAreNotAggregated) {
  for (std::string_view plain :
       {std::string_view("{\"a\":1}"), std::string_view(""), std::string_view("\xF3\x89\x9A\xC2 too short", 14)}) {
    auto r = Deaggregate(plain);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
  }
}

TEST(KplAggregation, RoundTripKeepsOrderKeysAndBinaryData) {
  std::vector<UserRecord> in = {
      {"user-1", std::nullopt, "{\"n\":1}\n"},
      {"user-2", std::string("340282366920938463463374607431768211455"), std::string("\0\xff\x01", 3)},
      {"user-1", std::nullopt, ""},
      {"", std::string("0"), std::string(100000, 'z')},
  };
  std::string agg = Aggregate(in);
  EXPECT_TRUE(LooksAggregated(agg));
  auto out = Deaggregate(agg);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ(**out, in);
}

TEST(KplAggregation, EncoderDeduplicatesKeyTablesLikeTheKpl) {
  // Hand-built expected bytes: tables first, then records referring by index.
  std::vector<UserRecord> in = {{"a", std::nullopt, "x"}, {"a", std::nullopt, "y"}};
  std::string proto = std::string(
                          "\x0a\x01"
                          "a",
                          3) +                                       // partition_key_table = "a"
                      std::string("\x1a\x05\x08\x00\x1a\x01x", 7) +  // record {pk 0, data "x"}
                      std::string("\x1a\x05\x08\x00\x1a\x01y", 7);   // record {pk 0, data "y"}
  EXPECT_EQ(Aggregate(in), Wrap(proto));
}

TEST(KplAggregation, SkipsTagsAndUnknownFields) {
  std::string record = std::string("\x08\x00", 2) +                             // partition_key_index 0
                       std::string("\x1a\x02hi", 4) +                           // data "hi"
                       std::string("\x22\x05\x0a\x01k\x12\x00", 7) +            // tags {key "k", value ""}
                       std::string("\x28\x96\x01", 3) +                         // unknown varint field 5
                       std::string("\x35\x01\x02\x03\x04", 5) +                 // unknown fixed32 field 6
                       std::string("\x39\x01\x02\x03\x04\x05\x06\x07\x08", 9);  // unknown fixed64 field 7
  std::string proto = std::string("\x0a\x02pk", 4) + std::string("\x1a") + static_cast<char>(record.size()) + record +
                      std::string("\x22\x03zzz", 5);  // unknown length-delimited field 4 at top level
  auto out = Deaggregate(Wrap(proto));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(out->has_value());
  ASSERT_EQ((*out)->size(), 1u);
  EXPECT_EQ((**out)[0], (UserRecord{"pk", std::nullopt, "hi"}));
}

TEST(KplAggregation, CorruptAggregatesAreCorruption) {
  std::string agg = Aggregate({{"k", std::nullopt, "data"}});
  std::string bad_md5 = agg;
  bad_md5.back() ^= 1;
  EXPECT_EQ(Deaggregate(bad_md5).status().code(), StatusCode::kCorruption);

  // Valid MD5 over malformed protobuf.
  for (std::string proto : {std::string("\x0a\x05"
                                        "ab",
                                        4),                                       // length beyond the end
                            std::string("\x0a", 1),                               // truncated length
                            std::string("\x1a\x02\x08\x05", 4),                   // record: pk index 5 of 0, no data
                            std::string("\x0a\x01k\x1a\x04\x08\x01\x1a\x00", 9),  // pk index 1 of 1
                            std::string("\x0b", 1),                               // group wire type
                            std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11)}) {  // varint overflow
    EXPECT_EQ(Deaggregate(Wrap(proto)).status().code(), StatusCode::kCorruption) << proto.size();
  }
  std::string ehk = std::string("\x0a\x01k", 3) + std::string("\x1a\x06\x08\x00\x10\x00\x1a\x00", 8);
  EXPECT_EQ(Deaggregate(Wrap(ehk)).status().code(), StatusCode::kCorruption);  // ehk index 0 of 0
}

TEST(KplAggregation, RandomBytesAfterTheMagicNeverCrash) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string proto(rng() % 64, '\0');
    for (auto& c : proto) c = static_cast<char>(rng());
    auto r = Deaggregate(Wrap(proto));  // must return, ok or Corruption
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    }
  }
}

}  // namespace
}  // namespace sluice::codec
