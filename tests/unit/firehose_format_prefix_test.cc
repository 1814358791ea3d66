// Prefix expressions, object keys, time zones and Java date patterns
// (src/firehose/format/{prefix,object_key,time_zone,date_time_format}.h).
#include <gtest/gtest.h>

#include "firehose/format/date_time_format.h"
#include "firehose/format/object_key.h"
#include "firehose/format/prefix.h"
#include "firehose/format/time_zone.h"

namespace sluice::firehose::format {
namespace {

constexpr int64_t kAug27_1030 = 1535365800LL * 1000;          // 2018-08-27T10:30:00Z (the docs' example instant)
constexpr int64_t kJul06_230509 = 1530918309LL * 1000 + 123;  // 2018-07-06T23:05:09.123Z

std::string Eval(std::string_view expr, int64_t ms, const TimeZone* zone = nullptr) {
  auto p = PrefixExpression::Parse(expr);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  PrefixContext ctx;
  ctx.timestamp_ms = ms;
  ctx.zone = zone;
  auto r = p->Evaluate(ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

// ---- Java DateTimeFormatter patterns ----

TEST(FirehoseFormatDatePattern, FormatsTheFieldsUsersWrite) {
  LocalTime t = BreakDown(kJul06_230509, 0);
  auto f = [&](std::string_view p) { return DateTimePattern::Compile(p)->Format(t); };
  EXPECT_EQ(f("yyyy/MM/dd/HH/"), "2018/07/06/23/");
  EXPECT_EQ(f("yyyy-MM-dd HH:mm:ss.SSS"), "2018-07-06 23:05:09.123");
  EXPECT_EQ(f("yy M d H m s S"), "18 7 6 23 5 9 1");
  EXPECT_EQ(f("'year='yyyy'/month='MM"), "year=2018/month=07");
  EXPECT_EQ(f("''yyyy''"), "'2018'");
  EXPECT_EQ(f("MMM MMMM EEE EEEE a hh h K k D DDD"), "Jul July Fri Friday PM 11 11 11 23 187 187");
  EXPECT_EQ(f("uuuu"), "2018");
}

TEST(FirehoseFormatDatePattern, RejectsWhatJavaRejectsOrWeCannotFormat) {
  EXPECT_FALSE(DateTimePattern::Compile("yyyy'unterminated").ok());
  EXPECT_FALSE(DateTimePattern::Compile("ddd").ok());  // too many pattern letters
  EXPECT_FALSE(DateTimePattern::Compile("HHH").ok());
  EXPECT_FALSE(DateTimePattern::Compile("yyyy-ww").ok());   // week fields unsupported
  EXPECT_FALSE(DateTimePattern::Compile("VV").ok());        // zone ids unsupported
  EXPECT_FALSE(DateTimePattern::Compile("yyyy[MM]").ok());  // optional sections unsupported
  EXPECT_FALSE(DateTimePattern::Compile("#").ok());
}

TEST(FirehoseFormatDatePattern, BreakDownHandlesTimesBeforeTheEpoch) {
  LocalTime t = BreakDown(-1, 0);  // 1969-12-31T23:59:59.999Z
  EXPECT_EQ(t.year, 1969);
  EXPECT_EQ(t.month, 12);
  EXPECT_EQ(t.day, 31);
  EXPECT_EQ(t.hour, 23);
  EXPECT_EQ(t.millis, 999);
}

// ---- Time zones ----

TEST(FirehoseFormatTimeZone, UtcAndEmptyNameAreUtc) {
  EXPECT_EQ((*TimeZone::Load(""))->OffsetSeconds(0), 0);
  EXPECT_EQ((*TimeZone::Load("UTC"))->OffsetSeconds(2209032000), 0);
}

TEST(FirehoseFormatTimeZone, IanaZonesFromTheSystemDatabaseIncludingDst) {
  auto tokyo = TimeZone::Load("Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok()) << tokyo.status().ToString();
  EXPECT_EQ((*tokyo)->OffsetSeconds(1535365800), 9 * 3600);
  auto ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ((*ny)->OffsetSeconds(1535365800), -4 * 3600);  // summer 2018
  EXPECT_EQ((*ny)->OffsetSeconds(1609459200), -5 * 3600);  // winter 2021
  // Far future: from the file's POSIX footer rule, exact at the transitions.
  EXPECT_EQ((*ny)->OffsetSeconds(2215061999), -5 * 3600);
  EXPECT_EQ((*ny)->OffsetSeconds(2215062000), -4 * 3600);
  EXPECT_EQ((*ny)->OffsetSeconds(2235621599), -4 * 3600);
  EXPECT_EQ((*ny)->OffsetSeconds(2235621600), -5 * 3600);
  auto kolkata = TimeZone::Load("Asia/Kolkata");
  ASSERT_TRUE(kolkata.ok());
  EXPECT_EQ((*kolkata)->OffsetSeconds(1535365800), 5 * 3600 + 1800);
}

TEST(FirehoseFormatTimeZone, PosixRulesForTheSouthernHemisphere) {
  auto syd = TimeZone::FromPosix("Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(syd.ok());
  EXPECT_EQ((*syd)->OffsetSeconds(2216822399), 11 * 3600);  // 2040-03-31T15:59:59Z, still AEDT
  EXPECT_EQ((*syd)->OffsetSeconds(2216822400), 10 * 3600);
  EXPECT_EQ((*syd)->OffsetSeconds(2233151999), 10 * 3600);  // 2040-10-06T15:59:59Z
  EXPECT_EQ((*syd)->OffsetSeconds(2233152000), 11 * 3600);
  auto sydney = TimeZone::Load("Australia/Sydney");
  ASSERT_TRUE(sydney.ok());
  EXPECT_EQ((*sydney)->OffsetSeconds(2209032000), 11 * 3600);  // 2040-01-01 summer
  auto fixed = TimeZone::FromPosix("x", "<+0330>-3:30");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ((*fixed)->OffsetSeconds(0), 3 * 3600 + 1800);
}

TEST(FirehoseFormatTimeZone, RejectsUnknownOrUnsafeNames) {
  EXPECT_EQ(TimeZone::Load("Mars/Olympus").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TimeZone::Load("../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TimeZone::Load("/etc/localtime").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TimeZone::Load("Asia/Tokyo1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(TimeZone::FromTzif("bad", "TZif2 but far too short").ok());
}

// ---- Prefix expressions ----

TEST(FirehoseFormatPrefix, TimestampExpressionsUseOneInstantInTheConfiguredZone) {
  EXPECT_EQ(Eval("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                 kJul06_230509),
            "myPrefix/year=2018/month=07/day=06/hour=23/");
  auto tokyo = TimeZone::Load("Asia/Tokyo");
  EXPECT_EQ(Eval("dt=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HH}/", kJul06_230509, tokyo->get()), "dt=2018-07-07/h=08/");
  EXPECT_EQ(Eval("!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/", kJul06_230509),
            "year=2018/month=07/day=06/hour=23/");
}

TEST(FirehoseFormatPrefix, PartitionKeysAndErrorTypeComeFromTheCaller) {
  auto p = PrefixExpression::Parse(
      "customer_id=!{partitionKeyFromQuery:customer_id}/device=!{partitionKeyFromLambda:device}/");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->query_keys(), std::vector<std::string>{"customer_id"});
  EXPECT_EQ(p->lambda_keys(), std::vector<std::string>{"device"});
  PartitionKeys q{{"customer_id", "1234567890"}}, l{{"device", "mobile"}};
  PrefixContext ctx;
  ctx.query_keys = &q;
  ctx.lambda_keys = &l;
  EXPECT_EQ(*p->Evaluate(ctx), "customer_id=1234567890/device=mobile/");
  PartitionKeys empty;
  ctx.lambda_keys = &empty;
  EXPECT_EQ(p->Evaluate(ctx).status().code(), StatusCode::kInvalidArgument);

  auto e = PrefixExpression::Parse("fail/!{firehose:error-output-type}/");
  ASSERT_TRUE(e.ok());
  PrefixContext ectx;
  ectx.error_output_type = "AmazonOpenSearchService-failed";
  EXPECT_EQ(*e->Evaluate(ectx), "fail/AmazonOpenSearchService-failed/");
}

TEST(FirehoseFormatPrefix, RandomStringIsElevenCharactersAndNewPerOccurrence) {
  auto p = PrefixExpression::Parse("!{firehose:random-string}/!{firehose:random-string}/");
  ASSERT_TRUE(p.ok());
  PrefixContext ctx;
  std::string s = *p->Evaluate(ctx);
  ASSERT_EQ(s.size(), 24u);
  EXPECT_NE(s.substr(0, 11), s.substr(12, 11));
  EXPECT_EQ(s[8], '-');  // the first 11 characters of a UUID, like the docs' "046b6c7f-0b"
  int n = 0;
  std::function<std::string()> fixed = [&n] { return std::string("rnd") + std::to_string(n++); };
  ctx.random_string = &fixed;
  EXPECT_EQ(*p->Evaluate(ctx), "rnd0/rnd1/");
  EXPECT_EQ(RandomString().size(), 11u);
  EXPECT_EQ(RandomUuid().size(), 36u);
  EXPECT_EQ(RandomUuid()[14], '4');
}

TEST(FirehoseFormatPrefix, SyntaxErrorsAreInvalidArgument) {
  for (const char* bad : {"a/!{timestamp:yyyy", "a/!{timestamp}", "!{foo:bar}", "!{firehose:uuid}", "!{timestamp:}",
                          "!{timestamp:!{timestamp:yyyy}}", "!{timestamp:ddd}", "!{partitionKeyFromQuery:}"}) {
    auto p = PrefixExpression::Parse(bad);
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  // '}' and '!' alone are ordinary characters; quoted '}' inside a pattern is literal.
  EXPECT_EQ(Eval("a}b!c/", 0), "a}b!c/");
  EXPECT_EQ(Eval("!{timestamp:'}'yyyy}", kAug27_1030), "}2018");
}

TEST(FirehoseFormatPrefix, EvaluatedPrefixLongerThan512IsAnError) {
  std::string longp(600, 'a');
  auto p = PrefixExpression::Parse(longp);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Evaluate(PrefixContext{}).status().code(), StatusCode::kInvalidArgument);
}

// ---- Prefix + ErrorOutputPrefix validation and defaults (docs table "Example prefixes") ----

std::pair<std::string, std::string> Both(std::string_view prefix, std::string_view error_prefix, int64_t ms,
                                         bool dp = false, const PartitionKeys* keys = nullptr) {
  auto s = S3Prefixes::Create(prefix, error_prefix, dp);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return {};
  std::function<std::string()> rnd = [] { return std::string("5abf82daaa5"); };
  PrefixContext ctx;
  ctx.timestamp_ms = ms;
  ctx.random_string = &rnd;
  ctx.query_keys = keys;
  std::string p = *s->EvaluatePrefix(ctx);
  ctx.error_output_type = "processing-failed";
  return {p, *s->EvaluateErrorPrefix(ctx)};
}

TEST(FirehoseFormatPrefix, DefaultsWhenPrefixesAreEmpty) {
  EXPECT_EQ(Both("", "", kAug27_1030),
            std::make_pair(std::string("2018/08/27/10/"), std::string("processing-failed/2018/08/27/10/")));
  // A plain Prefix gets the time appended literally; the error prefix nests under it.
  EXPECT_EQ(Both("myFirehosePrefix/", "", kAug27_1030),
            std::make_pair(std::string("myFirehosePrefix/2018/08/27/10/"),
                           std::string("myFirehosePrefix/processing-failed/2018/08/27/10/")));
  EXPECT_EQ(Both("legacy", "", kAug27_1030).first, "legacy2018/08/27/10/");
}

TEST(FirehoseFormatPrefix, DocsExamplesEvaluateAsDocumented) {
  EXPECT_EQ(Both("", "myFirehoseFailures/!{firehose:error-output-type}/", kAug27_1030),
            std::make_pair(std::string("2018/08/27/10/"), std::string("myFirehoseFailures/processing-failed/")));
  EXPECT_EQ(
      Both("myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
           "myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}", kAug27_1030),
      std::make_pair(std::string("myFirehose/DeliveredYear=2018/anyMonth/rand=5abf82daaa5"),
                     std::string("myFirehoseFailures/processing-failed/2018/anyMonth/27")));
  EXPECT_EQ(Both("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                 "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
                 kJul06_230509),
            std::make_pair(std::string("myPrefix/year=2018/month=07/day=06/hour=23/"),
                           std::string("myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failed")));
}

TEST(FirehoseFormatPrefix, RandomStringOnlyPrefixStillGetsTheDefaultTime) {
  EXPECT_EQ(Both("!{firehose:random-string}/", "err/!{firehose:error-output-type}/", kAug27_1030).first,
            "5abf82daaa5/2018/08/27/10/");
}

TEST(FirehoseFormatPrefix, DynamicPartitioningPrefixGetsNoDefaultTime) {
  PartitionKeys keys{{"customer_id", "42"}};
  EXPECT_EQ(Both("customer_id=!{partitionKeyFromQuery:customer_id}/", "errors/!{firehose:error-output-type}/",
                 kAug27_1030, true, &keys)
                .first,
            "customer_id=42/");
}

TEST(FirehoseFormatPrefix, ValidationRulesAsAtCreateDeliveryStream) {
  auto code = [](std::string_view p, std::string_view e, bool dp = false) {
    return S3Prefixes::Create(p, e, dp).status().code();
  };
  constexpr auto kInvalid = StatusCode::kInvalidArgument;
  // ErrorOutputPrefix can't be null when Prefix contains expressions.
  EXPECT_EQ(code("!{timestamp:yyyy/MM/dd}", ""), kInvalid);
  // Prefix can't contain error-output-type.
  EXPECT_EQ(code("!{firehose:error-output-type}/", "e/!{firehose:error-output-type}"), kInvalid);
  // An ErrorOutputPrefix with expressions needs error-output-type.
  EXPECT_EQ(code("", "e/!{timestamp:yyyy}/"), kInvalid);
  // ...but a plain one is fine.
  EXPECT_EQ(code("", "errors/"), StatusCode::kOk);
  // Dynamic partitioning needs partition keys in Prefix and an ErrorOutputPrefix.
  EXPECT_EQ(code("!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/", true), kInvalid);
  EXPECT_EQ(code("k=!{partitionKeyFromQuery:k}/", "", true), kInvalid);
  EXPECT_EQ(code("k=!{partitionKeyFromQuery:k}/", "e/!{firehose:error-output-type}/", true), StatusCode::kOk);
  // Partition keys need dynamic partitioning, and never appear in ErrorOutputPrefix.
  EXPECT_EQ(code("k=!{partitionKeyFromQuery:k}/", "e/!{firehose:error-output-type}/", false), kInvalid);
  EXPECT_EQ(code("k=!{partitionKeyFromQuery:k}/", "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:k}", true),
            kInvalid);
  EXPECT_EQ(code(std::string(1025, 'a'), ""), kInvalid);
  auto s = S3Prefixes::Create("!{nope:x}", "", false);
  EXPECT_NE(s.status().message().find("Unsupported namespace 'nope'"), std::string::npos) << s.status().message();
}

// ---- Object keys ----

DeliveryStreamConfig Config(std::string prefix = "", std::string error_prefix = "") {
  DeliveryStreamConfig c;
  c.name = "my-delivery-stream";
  c.version_id = 3;
  c.destination.prefix = std::move(prefix);
  c.destination.error_output_prefix = std::move(error_prefix);
  return c;
}

ObjectKeys::UuidSource Fixed() {
  return [] { return std::string("a9fa96af-e4e4-409f-bac3-1f804714faaa"); };
}

TEST(FirehoseFormatObjectKey, DefaultKeyHasTimePrefixNameVersionTimeAndUuid) {
  auto k = ObjectKeys::Create(Config(), Fixed());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(*k->Key(kAug27_1030, kAug27_1030 + 65'000),
            "2018/08/27/10/my-delivery-stream-3-2018-08-27-10-31-05-a9fa96af-e4e4-409f-bac3-1f804714faaa");
  EXPECT_EQ(*k->ErrorKey("processing-failed", kAug27_1030, kAug27_1030),
            "processing-failed/2018/08/27/10/"
            "my-delivery-stream-3-2018-08-27-10-30-00-a9fa96af-e4e4-409f-bac3-1f804714faaa");
}

TEST(FirehoseFormatObjectKey, ExtensionByCompressionOrFileExtension) {
  struct Case {
    Compression c;
    const char* ext;
    const char* encoding;
  } cases[] = {{Compression::kUncompressed, "", ""},
               {Compression::kGzip, ".gz", "gzip"},
               {Compression::kZip, ".zip", "zip"},
               {Compression::kSnappy, ".snappy", "snappy-java"},
               {Compression::kHadoopSnappy, ".snappy", "hadoop-snappy"}};
  for (const Case& cs : cases) {
    auto cfg = Config();
    cfg.destination.compression = cs.c;
    auto k = ObjectKeys::Create(cfg, Fixed());
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(k->extension(), cs.ext);
    EXPECT_EQ(ContentEncoding(cs.c), cs.encoding);
    std::string key = *k->Key(kAug27_1030, kAug27_1030);
    EXPECT_EQ(key.substr(key.size() - std::string_view(cs.ext).size()), cs.ext);
  }
  auto cfg = Config();
  cfg.destination.compression = Compression::kGzip;
  cfg.destination.file_extension = ".json.gz";
  auto k = ObjectKeys::Create(cfg, Fixed());
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k->Key(kAug27_1030, kAug27_1030),
            "2018/08/27/10/my-delivery-stream-3-2018-08-27-10-30-00-a9fa96af-e4e4-409f-bac3-1f804714faaa.json.gz");
  cfg.destination.file_extension = "json";  // must start with '.'
  EXPECT_EQ(ObjectKeys::Create(cfg).status().code(), StatusCode::kInvalidArgument);
  cfg.destination.file_extension = ".JSON";  // upper case is outside the API's pattern
  EXPECT_EQ(ObjectKeys::Create(cfg).status().code(), StatusCode::kInvalidArgument);
}

TEST(FirehoseFormatObjectKey, CustomTimeZoneAppliesToPrefixAndSuffix) {
  auto cfg = Config();
  cfg.destination.custom_time_zone = "Asia/Tokyo";
  auto k = ObjectKeys::Create(cfg, Fixed());
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k->Key(kJul06_230509, kJul06_230509),
            "2018/07/07/08/my-delivery-stream-3-2018-07-07-08-05-09-a9fa96af-e4e4-409f-bac3-1f804714faaa");
  cfg.destination.custom_time_zone = "Nowhere/Special";
  EXPECT_EQ(ObjectKeys::Create(cfg).status().code(), StatusCode::kInvalidArgument);
}

TEST(FirehoseFormatObjectKey, DynamicPartitioningKeyAndRandomStringFromTheUuidSource) {
  auto cfg = Config("customer_id=!{partitionKeyFromQuery:customer_id}/r=!{firehose:random-string}/",
                    "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/");
  cfg.destination.dynamic_partitioning = true;
  auto k = ObjectKeys::Create(cfg, Fixed());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(*k->Key(kAug27_1030, kAug27_1030, {{"customer_id", "1234567890"}}),
            "customer_id=1234567890/r=a9fa96af-e4/"
            "my-delivery-stream-3-2018-08-27-10-30-00-a9fa96af-e4e4-409f-bac3-1f804714faaa");
  EXPECT_EQ(k->Key(kAug27_1030, kAug27_1030, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*k->ErrorKey("processing-failed", kAug27_1030, kAug27_1030),
            "errors/processing-failed/2018/08/27/"
            "my-delivery-stream-3-2018-08-27-10-30-00-a9fa96af-e4e4-409f-bac3-1f804714faaa");
}

TEST(FirehoseFormatObjectKey, RealUuidsDifferPerObject) {
  auto k = ObjectKeys::Create(Config());
  ASSERT_TRUE(k.ok());
  EXPECT_NE(*k->Key(kAug27_1030, kAug27_1030), *k->Key(kAug27_1030, kAug27_1030));
}

}  // namespace
}  // namespace sluice::firehose::format
