// Record framing (src/firehose/format/record_framing.h).
#include <gtest/gtest.h>

#include "firehose/format/record_framing.h"

namespace sluice::firehose::format {
namespace {

TEST(FirehoseFormatFraming, DelimiterDefaultsToNewlineAndDecodesEscapes) {
  EXPECT_EQ(*ParseDelimiter(""), "\n");
  EXPECT_EQ(*ParseDelimiter("\\n"), "\n");  // ParameterValue "\\n" in CloudFormation/Terraform
  EXPECT_EQ(*ParseDelimiter("\\r\\n"), "\r\n");
  EXPECT_EQ(*ParseDelimiter("\\t"), "\t");
  EXPECT_EQ(*ParseDelimiter(","), ",");
  EXPECT_EQ(*ParseDelimiter("||"), "||");
  EXPECT_EQ(*ParseDelimiter("\\\\"), "\\");
  EXPECT_EQ(*ParseDelimiter("\\x1e"), "\x1e");
  EXPECT_EQ(*ParseDelimiter("\\0"), std::string(1, '\0'));
  EXPECT_EQ(*ParseDelimiter("\n"), "\n");  // an actual newline character works too
  EXPECT_EQ(ParseDelimiter("\\").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDelimiter("\\q").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDelimiter("\\x4").status().code(), StatusCode::kInvalidArgument);
}

TEST(FirehoseFormatFraming, RecordsAreConcatenatedRawWithoutTheProcessor) {
  S3DestinationConfig d;
  bool append = true;
  EXPECT_EQ(*DelimiterFor(d, &append), "");
  EXPECT_FALSE(append);
  EXPECT_EQ(AssemblePayload({"{\"a\":1}", "{\"a\":2}"}, ""), "{\"a\":1}{\"a\":2}");
}

TEST(FirehoseFormatFraming, AppendDelimiterToRecordAddsTheDelimiterAfterEveryRecord) {
  S3DestinationConfig d;
  d.processing_enabled = true;
  d.processors.push_back(ProcessorConfig{"AppendDelimiterToRecord", {}});
  bool append = false;
  auto delim = DelimiterFor(d, &append);
  ASSERT_TRUE(delim.ok());
  EXPECT_TRUE(append);
  EXPECT_EQ(*delim, "\n");
  EXPECT_EQ(AssemblePayload({"a", "b", ""}, *delim), "a\nb\n\n");

  d.processors[0].parameters.emplace_back("Delimiter", "\\r\\n");
  EXPECT_EQ(*DelimiterFor(d, &append), "\r\n");
  d.processing_enabled = false;  // processors are ignored when processing is disabled
  EXPECT_EQ(*DelimiterFor(d, &append), "");
  EXPECT_FALSE(append);

  std::string payload;
  AppendRecord(&payload, "x", ";");
  AppendRecord(&payload, "y", ";");
  EXPECT_EQ(payload, "x;y;");
}

}  // namespace
}  // namespace sluice::firehose::format
