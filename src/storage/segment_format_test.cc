#include "storage/segment_format.h"

#include <gtest/gtest.h>

namespace sluice::storage::format {
namespace {

TEST(SegmentFormat, FileNamesAreZeroPaddedTwentyDigits) {
  EXPECT_EQ(SegmentFileName(0), "00000000000000000000.log");
  EXPECT_EQ(IndexFileName(42), "00000000000000000042.idx");
  EXPECT_EQ(ParseSegmentFileName("00000000000000000042.log"), 42u);
  EXPECT_EQ(ParseSegmentFileName(SegmentFileName(UINT64_MAX)), UINT64_MAX);
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000042.log"));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000000042.idx"));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.log"));
  EXPECT_FALSE(ParseSegmentFileName("99999999999999999999.log"));  // overflows u64
}

TEST(SegmentFormat, SegmentHeaderRoundTripsAndRejectsDamage) {
  std::string h = EncodeSegmentHeader(123456789);
  ASSERT_EQ(h.size(), kSegmentHeaderSize);
  uint64_t base = 0;
  ASSERT_TRUE(DecodeSegmentHeader(h, &base));
  EXPECT_EQ(base, 123456789u);
  for (size_t i = 0; i < 28; ++i) {  // every byte but the reserved tail is checked
    std::string bad = h;
    bad[i] ^= 0x01;
    EXPECT_FALSE(DecodeSegmentHeader(bad, &base)) << "byte " << i;
  }
  EXPECT_FALSE(DecodeSegmentHeader(h.substr(0, 31), &base));
}

TEST(SegmentFormat, FrameRoundTripsBinaryKeyAndData) {
  std::string data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  std::string key("k\0ey", 4);
  std::string frame = EncodeFrame(7, -5, key, data);
  ASSERT_EQ(frame.size(), FrameSize(key.size(), data.size()));
  FrameView v;
  uint64_t size = 0;
  std::string buf = frame + "trailing";  // views point into buf
  ASSERT_EQ(DecodeFrame(buf, &v, &size), FrameCheck::kOk);
  EXPECT_EQ(size, frame.size());
  EXPECT_EQ(v.offset, 7u);
  EXPECT_EQ(v.arrival_ms, -5);
  EXPECT_EQ(v.key, key);
  EXPECT_EQ(v.data, data);
}

TEST(SegmentFormat, EmptyDataFrameDecodes) {
  std::string frame = EncodeFrame(0, 1, "pk", "");
  FrameView v;
  uint64_t size = 0;
  ASSERT_EQ(DecodeFrame(frame, &v, &size), FrameCheck::kOk);
  EXPECT_TRUE(v.data.empty());
}

TEST(SegmentFormat, TruncatedFrameIsIncompleteAndFlippedByteFailsChecksum) {
  std::string frame = EncodeFrame(1, 2, "key", "some data");
  FrameView v;
  uint64_t size = 0;
  for (size_t n = 0; n < frame.size(); ++n) {
    EXPECT_EQ(DecodeFrame(frame.substr(0, n), &v, &size), FrameCheck::kIncomplete) << n;
  }
  for (size_t i = kFrameHeaderSize; i < frame.size(); ++i) {
    std::string bad = frame;
    bad[i] ^= 0x20;
    EXPECT_EQ(DecodeFrame(bad, &v, &size), FrameCheck::kBadChecksum) << i;
  }
  std::string bad_len = frame;
  bad_len[0] = 1;  // body shorter than the fixed fields
  bad_len[1] = bad_len[2] = bad_len[3] = 0;
  EXPECT_EQ(DecodeFrame(bad_len, &v, &size), FrameCheck::kBadLength);
  std::string huge = frame;
  huge[3] = 0x7F;  // > kMaxBodySize
  EXPECT_EQ(DecodeFrame(huge, &v, &size), FrameCheck::kBadLength);
}

TEST(SegmentFormat, IndexFileRoundTripsAndDetectsDamage) {
  IndexFile idx;
  idx.base_offset = 10;
  idx.end_offset = 20;
  idx.log_bytes = 5000;
  idx.last_arrival_ms = 99;
  idx.entries = {{10, 32, 50}, {15, 2000, 70}};
  std::string raw = EncodeIndexFile(idx);
  EXPECT_EQ(raw.size(), kIndexHeaderSize + 2 * kIndexEntrySize + kIndexTrailerSize);
  IndexFile out;
  ASSERT_TRUE(DecodeIndexFile(raw, &out));
  EXPECT_EQ(out.base_offset, 10u);
  EXPECT_EQ(out.end_offset, 20u);
  EXPECT_EQ(out.log_bytes, 5000u);
  EXPECT_EQ(out.last_arrival_ms, 99);
  ASSERT_EQ(out.entries.size(), 2u);
  EXPECT_EQ(out.entries[1].offset, 15u);
  EXPECT_EQ(out.entries[1].position, 2000u);
  EXPECT_EQ(out.entries[1].arrival_ms, 70);
  std::string bad = raw;
  bad[kIndexHeaderSize + 3] ^= 1;
  EXPECT_FALSE(DecodeIndexFile(bad, &out));
  EXPECT_FALSE(DecodeIndexFile(raw.substr(0, raw.size() - 1), &out));
}

}  // namespace
}  // namespace sluice::storage::format
