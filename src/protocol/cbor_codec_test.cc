#include "protocol/cbor_codec.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

using namespace std::string_literals;

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(CborCodec, AnswersEncodeBlobsAsByteStringsAndTimestampsAsTag1Milliseconds) {
  const ServiceModel& m = ServiceModel::Kinesis();
  auto cbor = JsonToCbor(m.OutputShape("GetRecords"),
                         R"({"Records":[{"Data":"AAH/","PartitionKey":"k","SequenceNumber":"1",)"
                         R"("ApproximateArrivalTimestamp":1700000000.123}],"MillisBehindLatest":0})");
  ASSERT_TRUE(cbor.ok());
  EXPECT_TRUE(Contains(*cbor, std::string("\x43\x00\x01\xff", 4)));  // bytes(3) 00 01 ff
  // tag 1, uint64 1700000000123 (0x18BCFE5687B)
  EXPECT_TRUE(Contains(*cbor, std::string("\xc1\x1b\x00\x00\x01\x8b\xcf\xe5\x68\x7b", 10)));
  EXPECT_TRUE(Contains(*cbor, std::string("\x61k", 2)));  // text "k" stays text
}

TEST(CborCodec, RequestsDecodeToTheJsonFormTheHandlersRead) {
  const ServiceModel& m = ServiceModel::Kinesis();
  // {"StreamName":"s","Timestamp":1(1700000000123),"ShardIteratorType":"AT_TIMESTAMP"} (indefinite map)
  std::string body = "\xbf\x6aStreamName\x61s\x69Timestamp\xc1\x1b\x00\x00\x01\x8b\xcf\xe5\x68\x7b"s;
  body +=
      "\x71ShardIteratorType\x6c"
      "AT_TIMESTAMP\xff"s;
  rapidjson::Document doc;
  ASSERT_TRUE(CborToJson(*m.InputShape("GetShardIterator"), body, doc).ok());
  EXPECT_STREQ(doc["StreamName"].GetString(), "s");
  EXPECT_DOUBLE_EQ(doc["Timestamp"].GetDouble(), 1700000000.123);

  std::string put =
      "\xa2\x64"
      "Data\x42\x00\xff\x6cPartitionKey\x61k"s;
  rapidjson::Document p;
  ASSERT_TRUE(CborToJson(*m.InputShape("PutRecord"), put, p).ok());
  EXPECT_STREQ(p["Data"].GetString(), "AP8=");
}

TEST(CborCodec, MalformedInputIsAnErrorNotACrash) {
  const Shape& shape = *ServiceModel::Kinesis().InputShape("PutRecord");
  for (std::string bad : {std::string("\xbf", 1), std::string("\x5f\x41", 2), std::string("\xa1\x01\x02", 3),
                          std::string("\x9f", 1), std::string(300, '\x81'), std::string("\xa0\x00", 2),
                          // an array header declaring 1.6 billion items (found by cbor_fuzz: libcbor would
                          // allocate for them before noticing the body is 23 bytes)
                          "\xbf\x61t\x9a\x61\x42\x00\x01\x6cPart\xff\xff\xff\xff\xff\xff\xff\xff\xff"s,
                          "\xa1\x61k\x5b\xff\xff\xff\xff\xff\xff\xff\xff"s}) {
    rapidjson::Document doc;
    EXPECT_FALSE(CborToJson(shape, bad, doc).ok()) << "accepted " << bad.size() << " bytes";
  }
}

}  // namespace
}  // namespace sluice::protocol
