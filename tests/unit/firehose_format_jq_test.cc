// MetadataExtraction with JQ (src/firehose/format/jq_extractor.h).
#include <gtest/gtest.h>

#include <thread>

#include "firehose/format/jq_extractor.h"

namespace sluice::firehose::format {
namespace {

using Keys = std::map<std::string, std::string>;

std::unique_ptr<JqExtractor> Must(std::string_view q) {
  auto x = JqExtractor::Compile(q);
  EXPECT_TRUE(x.ok()) << x.status().ToString();
  return x.ok() ? std::move(*x) : nullptr;
}

constexpr std::string_view kDocsRecord =
    R"({"type":{"device":"mobile","event":"user_clicked_submit_button"},"customer_id":"1234567890",)"
    R"("event_timestamp":1565382027,"region":"sample_region"})";

TEST(FirehoseFormatJq, DocsExampleQueryExtractsEveryKey) {
  auto x = Must(R"({customer_id: .customer_id, device: .type.device, year: .event_timestamp | strftime("%Y"),)"
                R"( month: .event_timestamp | strftime("%m"), day: .event_timestamp | strftime("%d"),)"
                R"( hour: .event_timestamp | strftime("%H")})");
  ASSERT_NE(x, nullptr);
  auto keys = x->Extract(kDocsRecord);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (Keys{{"customer_id", "1234567890"},
                         {"device", "mobile"},
                         {"year", "2019"},
                         {"month", "08"},
                         {"day", "09"},
                         {"hour", "20"}}));
}

TEST(FirehoseFormatJq, NumbersAndBooleansAreRenderedAsJqPrintsThem) {
  auto x = Must("{n: .n, f: .f, t: .t, b: .b, s: .s}");
  auto keys = x->Extract(R"({"n": 1565382027, "f": 1.5, "t": true, "b": false, "s": "a/b c"})");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (Keys{{"n", "1565382027"}, {"f", "1.5"}, {"t", "true"}, {"b", "false"}, {"s", "a/b c"}}));
}

TEST(FirehoseFormatJq, MissingOrNullValuesAreErrors) {
  auto x = Must("{customer_id: .customer_id}");
  auto r = x->Extract(R"({"other": 1})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("the partition key value is missing: customer_id"), std::string::npos);
  EXPECT_FALSE(x->Extract(R"({"customer_id": null})").ok());
  EXPECT_FALSE(x->Extract(R"({"customer_id": [1, 2]})").ok());
  EXPECT_FALSE(x->Extract(R"({"customer_id": {"a": 1}})").ok());
  // The extractor keeps working after errors.
  EXPECT_EQ(*x->Extract(R"({"customer_id": "c"})"), (Keys{{"customer_id", "c"}}));
}

TEST(FirehoseFormatJq, MalformedRecordsAndRuntimeErrorsAreErrorValues) {
  auto x = Must(R"({year: .ts | strftime("%Y")})");
  for (std::string_view bad : {std::string_view("not json"), std::string_view("{\"ts\": "), std::string_view(""),
                               std::string_view("{\"ts\": 1} {\"ts\": 2}"), std::string_view("{\"ts\": \"x\"}"),
                               std::string_view("\xff\xfe{}", 4), std::string_view("[1,2,3]")}) {
    auto r = x->Extract(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(*x->Extract(R"({"ts": 0})"), (Keys{{"year", "1970"}}));
}

TEST(FirehoseFormatJq, QueriesThatAreNotObjectsOrDoNotCompileAreRejected) {
  auto bad = JqExtractor::Compile("{a: .a");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(JqExtractor::Compile("").ok());
  EXPECT_FALSE(JqExtractor::Compile("{a: undefined_function_xyz}").ok());
  auto scalar = Must(".a");
  EXPECT_FALSE(scalar->Extract(R"({"a": "x"})").ok());
  auto empty = Must("empty");
  EXPECT_FALSE(empty->Extract("{}").ok());
}

TEST(FirehoseFormatJq, TheServerEnvironmentIsNotVisible) {
  setenv("SLUICE_JQ_SECRET", "hunter2", 1);
  auto x = Must(R"({a: (env.SLUICE_JQ_SECRET // "none"), b: ($ENV.SLUICE_JQ_SECRET // "none")})");
  EXPECT_EQ(*x->Extract("{}"), (Keys{{"a", "none"}, {"b", "none"}}));
}

TEST(FirehoseFormatJq, OneExtractorPerThread) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto x = JqExtractor::Compile("{id: .id}");
      for (int i = 0; i < 200; ++i) {
        auto r = (*x)->Extract("{\"id\": " + std::to_string(t * 1000 + i) + "}");
        if (r.ok() && r->at("id") == std::to_string(t * 1000 + i)) ok++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 800);
}

}  // namespace
}  // namespace sluice::firehose::format
