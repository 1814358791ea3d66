#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "sluice/pipeline/json_fields.h"
#include "sluice/pipeline/ndjson_reader.h"

namespace sluice::pipeline {
namespace {

std::vector<NdjsonRecord> ReadAll(NdjsonReader& r) {
  std::vector<NdjsonRecord> out;
  while (true) {
    auto n = r.Next();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || !n->has_value()) return out;
    out.push_back(std::move(**n));
  }
}

TEST(NdjsonReader, SkipsBlankLinesAndKeepsLineNumbers) {
  std::istringstream in("{\"a\":1}\n\n   \n\t\r\n{\"a\":2}\r\n");
  NdjsonReader r(&in, {});
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line_number, 1u);
  EXPECT_EQ(recs[0].data, "{\"a\":1}");
  EXPECT_EQ(recs[1].line_number, 5u);
  EXPECT_EQ(recs[1].data, "{\"a\":2}");  // '\r' trimmed
  EXPECT_EQ(r.blank_lines(), 3u);
  EXPECT_EQ(r.lines_read(), 5u);
  EXPECT_EQ(r.rejected(), 0u);
}

TEST(NdjsonReader, ReportsMalformedLinesAndContinues) {
  std::istringstream in("{\"id\":1}\n{\"id\":\n[1,2\n{\"id\":2} trailing\nnot json\n{\"id\":3}");
  NdjsonReader r(&in, {});
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line_number, 1u);
  EXPECT_EQ(recs[1].line_number, 6u);  // last line without a newline still counts
  EXPECT_EQ(r.malformed_json(), 4u);
  EXPECT_EQ(r.rejected(), 4u);
  ASSERT_EQ(r.problems().size(), 4u);
  EXPECT_EQ(r.problems()[0].line_number, 2u);
  EXPECT_EQ(r.problems()[1].line_number, 3u);
  EXPECT_EQ(r.problems()[2].line_number, 4u);
  EXPECT_EQ(r.problems()[3].line_number, 5u);
  EXPECT_NE(r.problems()[0].reason.find("invalid JSON"), std::string::npos);
}

TEST(NdjsonReader, RejectsInvalidUtf8) {
  std::istringstream in("{\"k\":\"\xff\xfe\"}\n{\"k\":\"ok\"}\n");
  NdjsonReader r(&in, {});
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(r.malformed_json(), 1u);
}

TEST(NdjsonReader, PartitionKeyFromTopLevelNestedAndLiteralDottedFields) {
  std::istringstream in(
      "{\"user\":{\"id\":\"u-1\"}}\n"
      "{\"user\":{\"id\":42}}\n"
      "{\"user.id\":\"literal\",\"user\":{\"id\":\"nested\"}}\n"
      "{\"user\":{\"id\":true}}\n");
  NdjsonOptions o;
  o.partition_key_field = "user.id";
  NdjsonReader r(&in, o);
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].partition_key, "u-1");
  EXPECT_EQ(recs[1].partition_key, "42");
  EXPECT_EQ(recs[2].partition_key, "literal");
  EXPECT_EQ(recs[3].partition_key, "true");
  for (const auto& rec : recs) EXPECT_FALSE(rec.random_key);
  EXPECT_EQ(r.random_keys(), 0u);
}

TEST(NdjsonReader, MissingOrNullKeyFieldGivesRandomKey) {
  std::istringstream in("{\"user_id\":\"a\"}\n{\"other\":1}\n{\"user_id\":null}\n[1,2]\n");
  NdjsonOptions o;
  o.partition_key_field = "user_id";
  NdjsonReader r(&in, o);
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].partition_key, "a");
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(recs[i].random_key);
    EXPECT_EQ(recs[i].partition_key.size(), 16u);
  }
  EXPECT_NE(recs[1].partition_key, recs[2].partition_key);
  EXPECT_EQ(r.random_keys(), 3u);
}

TEST(NdjsonReader, RandomKeysAreDeterministicPerSeed) {
  auto keys = [](uint64_t seed) {
    std::istringstream in("{}\n{}\n{}\n");
    NdjsonOptions o;
    o.random_key_seed = seed;
    NdjsonReader r(&in, o);
    std::vector<std::string> k;
    for (auto& rec : ReadAll(r)) k.push_back(rec.partition_key);
    return k;
  };
  EXPECT_EQ(keys(5), keys(5));
  EXPECT_NE(keys(5), keys(6));
}

TEST(NdjsonReader, UnusableKeyValuesRejectTheLine) {
  const std::string long_key(257, 'k');
  const std::string ok_unicode_key = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s += "\xc3\xa9";  // 256 characters, 512 bytes
    return s;
  }();
  std::istringstream in("{\"k\":{\"a\":1}}\n{\"k\":[1]}\n{\"k\":\"\"}\n{\"k\":\"" + long_key + "\"}\n{\"k\":\"" +
                        ok_unicode_key + "\"}\n");
  NdjsonOptions o;
  o.partition_key_field = "k";
  NdjsonReader r(&in, o);
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].partition_key, ok_unicode_key);
  EXPECT_EQ(r.rejected(), 4u);
  EXPECT_EQ(r.malformed_json(), 0u);
  ASSERT_EQ(r.problems().size(), 4u);
  EXPECT_EQ(r.problems()[3].line_number, 4u);
}

TEST(NdjsonReader, LinesOverTheLimitAreRejected) {
  std::istringstream in("{\"p\":\"" + std::string(100, 'x') + "\"}\n{\"p\":1}\n");
  NdjsonOptions o;
  o.max_line_bytes = 50;
  NdjsonReader r(&in, o);
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].line_number, 2u);
  EXPECT_EQ(r.rejected(), 1u);
}

TEST(NdjsonReader, ProblemListIsCappedButCountsAreNot) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "{bad\n";
  std::istringstream in(text);
  NdjsonOptions o;
  o.max_reported_problems = 5;
  NdjsonReader r(&in, o);
  EXPECT_TRUE(ReadAll(r).empty());
  EXPECT_EQ(r.rejected(), 20u);
  EXPECT_EQ(r.problems().size(), 5u);
}

TEST(NdjsonReader, ReadsFromFileAndFilePointer) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("sluice_ndjson_") + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "in.ndjson").string();
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"id\":\"a\"}\n\n{oops\n{\"id\":\"b\"}", f);
    std::fclose(f);
  }
  NdjsonOptions o;
  o.partition_key_field = "id";
  auto r = NdjsonReader::Open(path, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto recs = ReadAll(**r);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].partition_key, "a");
  EXPECT_EQ(recs[1].partition_key, "b");
  EXPECT_EQ(recs[1].line_number, 4u);
  EXPECT_EQ((*r)->malformed_json(), 1u);
  EXPECT_EQ((*r)->problems().at(0).line_number, 3u);

  auto missing = NdjsonReader::Open((dir / "missing.ndjson").string(), o);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(JsonFields, ExtractsKindsAndIntegers) {
  auto f = ExtractJsonFields(R"({"s":"x","i":1700000000123,"d":1.5,"e":1.7e12,"b":false,"n":null,"o":{},"a":[]})",
                             {"s", "i", "d", "e", "b", "n", "o", "a", "zz", ""});
  ASSERT_TRUE(f.ok());
  using K = JsonField::Kind;
  EXPECT_EQ((*f)[0].kind, K::kString);
  EXPECT_EQ((*f)[1].kind, K::kNumber);
  EXPECT_EQ((*f)[1].text, "1700000000123");
  EXPECT_EQ(JsonFieldAsInt64((*f)[1]), 1700000000123);
  EXPECT_EQ((*f)[2].text, "1.5");
  EXPECT_EQ(JsonFieldAsInt64((*f)[2]), std::nullopt);
  EXPECT_EQ(JsonFieldAsInt64((*f)[3]), 1700000000000);
  EXPECT_EQ((*f)[4].text, "false");
  EXPECT_EQ((*f)[5].kind, K::kNull);
  EXPECT_EQ((*f)[6].kind, K::kObject);
  EXPECT_EQ((*f)[7].kind, K::kArray);
  EXPECT_EQ((*f)[8].kind, K::kMissing);
  EXPECT_EQ((*f)[9].kind, K::kMissing);
  EXPECT_FALSE(ExtractJsonFields("{", {}).ok());
  EXPECT_FALSE(ExtractJsonFields("", {}).ok());
}

TEST(JsonFields, DeepNestingDoesNotOverflowTheStack) {
  std::string deep(200'000, '[');
  deep += std::string(200'000, ']');
  EXPECT_TRUE(ExtractJsonFields(deep, {"x"}).ok());
}

}  // namespace
}  // namespace sluice::pipeline
