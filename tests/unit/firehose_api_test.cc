// Firehose actions called directly on a DeliveryCatalog with a manual clock:
// UpdateDestination's versioning and merge, encryption status transitions,
// validation the model cannot express.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <future>
#include <random>

#include "firehose/api/handlers.h"

namespace sluice::firehose::api {
namespace {

// A stream's configuration, read under its lock.
DeliveryStreamConfig ConfigOf(const std::shared_ptr<DeliveryStream>& s) {
  MutexLock lock(s->mu);
  return s->config();
}

constexpr const char* kDest =
    R"("ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b")";

class FirehoseApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-fh-api-" + std::to_string(std::random_device{}()));
    Open(0);
  }
  void Open(int64_t transition_ms) {
    catalog_.reset();
    DeliveryCatalogOptions o;
    o.data_dir = dir_;
    o.transition_ms = transition_ms;
    o.clock = &clock_;
    o.background_transitions = false;  // tests call FinishDueTransitions()
    catalog_ = std::make_unique<DeliveryCatalog>(o, nullptr);
    ASSERT_TRUE(catalog_->Open().ok());
  }
  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }
  Outcome Call(Handler h, const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    EXPECT_FALSE(d.HasParseError()) << json;
    Context ctx{*catalog_, "us-east-1"};
    std::promise<Outcome> p;
    h(ctx, d, [&p](Outcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  rapidjson::Document Ok(Handler h, const std::string& json) {
    Outcome o = Call(h, json);
    EXPECT_TRUE(std::holds_alternative<std::string>(o))
        << std::get<ApiError>(o).type << ": " << std::get<ApiError>(o).message;
    rapidjson::Document d;
    if (auto* s = std::get_if<std::string>(&o)) d.Parse(s->c_str());
    return d;
  }
  ApiError Err(Handler h, const std::string& json) {
    Outcome o = Call(h, json);
    if (auto* e = std::get_if<ApiError>(&o)) return *e;
    return {"no error", std::get<std::string>(o)};
  }
  void Create(const std::string& name, const std::string& extra_dest = "", const std::string& extra = "") {
    Ok(CreateDeliveryStream, R"({"DeliveryStreamName":")" + name + "\"," + kDest + extra_dest + "}" + extra + "}");
  }
  rapidjson::Document Describe(const std::string& name) {
    return Ok(DescribeDeliveryStream, R"({"DeliveryStreamName":")" + name + R"("})");
  }

  ManualClock clock_{1'700'000'000'000};
  std::filesystem::path dir_;
  std::unique_ptr<DeliveryCatalog> catalog_;
};

TEST_F(FirehoseApiTest, UpdateDestinationChecksVersionAndMerges) {
  Create("x", R"(,"Prefix":"p/","CompressionFormat":"GZIP","BufferingHints":{"SizeInMBs":10,"IntervalInSeconds":60})");
  clock_.Advance(1000);
  auto e = Err(
      UpdateDestination,
      R"({"DeliveryStreamName":"x","CurrentDeliveryStreamVersionId":"2","DestinationId":"destinationId-000000000001",
                   "ExtendedS3DestinationUpdate":{"Prefix":"q/"}})");
  EXPECT_EQ(e.type, "ConcurrentModificationException");
  e = Err(
      UpdateDestination,
      R"({"DeliveryStreamName":"x","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000002",
              "ExtendedS3DestinationUpdate":{"Prefix":"q/"}})");
  EXPECT_EQ(e.type, "InvalidArgumentException");
  Ok(UpdateDestination,
     R"({"DeliveryStreamName":"x","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001",
         "ExtendedS3DestinationUpdate":{"BufferingHints":{"IntervalInSeconds":0}}})");
  auto d = Describe("x");
  const auto& desc = d["DeliveryStreamDescription"];
  EXPECT_STREQ(desc["VersionId"].GetString(), "2");
  EXPECT_DOUBLE_EQ(desc["LastUpdateTimestamp"].GetDouble(), 1'700'000'001.0);
  const auto& ext = desc["Destinations"][0]["ExtendedS3DestinationDescription"];
  EXPECT_STREQ(ext["Prefix"].GetString(), "p/");  // untouched
  EXPECT_STREQ(ext["CompressionFormat"].GetString(), "GZIP");
  EXPECT_EQ(ext["BufferingHints"]["SizeInMBs"].GetInt(), 10);
  EXPECT_EQ(ext["BufferingHints"]["IntervalInSeconds"].GetInt(), 0);
  // The old version id is now stale.
  e = Err(
      UpdateDestination,
      R"({"DeliveryStreamName":"x","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001",
              "S3DestinationUpdate":{"Prefix":"z/"}})");
  EXPECT_EQ(e.type, "ConcurrentModificationException");
  // Persisted: a reopened catalog has version 2.
  Open(0);
  EXPECT_EQ(ConfigOf(catalog_->Find("us-east-1", "x")).version_id, 2);
  EXPECT_EQ(ConfigOf(catalog_->Find("us-east-1", "x")).destination.buffering_interval_s, 0);
}

TEST_F(FirehoseApiTest, UpdateCannotEnableDynamicPartitioning) {
  Create("x");
  auto e = Err(
      UpdateDestination,
      R"({"DeliveryStreamName":"x","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001",
                   "ExtendedS3DestinationUpdate":{"Prefix":"!{partitionKeyFromQuery:k}/","ErrorOutputPrefix":"e/",
                   "DynamicPartitioningConfiguration":{"Enabled":true}}})");
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(ConfigOf(catalog_->Find("us-east-1", "x")).version_id, 1);
}

TEST_F(FirehoseApiTest, EncryptionStatusTransitions) {
  Open(1000);
  Create("x");
  clock_.Advance(1000);
  catalog_->FinishDueTransitions();
  ASSERT_EQ(ConfigOf(catalog_->Find("us-east-1", "x")).status, DeliveryStreamStatus::kActive);
  Ok(StartDeliveryStreamEncryption, R"({"DeliveryStreamName":"x"})");
  auto st = [&] {
    auto d = Describe("x");
    return std::string(d["DeliveryStreamDescription"]["DeliveryStreamEncryptionConfiguration"]["Status"].GetString());
  };
  EXPECT_EQ(st(), "ENABLING");
  auto put = Ok(PutRecord, R"({"DeliveryStreamName":"x","Record":{"Data":"eA=="}})");
  EXPECT_FALSE(put["Encrypted"].GetBool());
  clock_.Advance(1000);
  EXPECT_EQ(st(), "ENABLED");
  put = Ok(PutRecord, R"({"DeliveryStreamName":"x","Record":{"Data":"eA=="}})");
  EXPECT_TRUE(put["Encrypted"].GetBool());
  Ok(StopDeliveryStreamEncryption, R"({"DeliveryStreamName":"x"})");
  EXPECT_EQ(st(), "DISABLING");
  clock_.Advance(1000);
  EXPECT_EQ(st(), "DISABLED");
  EXPECT_EQ(
      Err(StartDeliveryStreamEncryption,
          R"({"DeliveryStreamName":"x","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}})")
          .type,
      "InvalidArgumentException");
}

TEST_F(FirehoseApiTest, ValidationBeyondTheModel) {
  auto create = [&](const std::string& dest_extra) {
    return Err(CreateDeliveryStream, R"({"DeliveryStreamName":"v",)" + std::string(kDest) + dest_extra + "}}");
  };
  EXPECT_EQ(create(R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"Lambda"}]})").type,
            "InvalidArgumentException");
  EXPECT_EQ(
      create(R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"MetadataExtraction","Parameters":[
              {"ParameterName":"MetadataExtractionQuery","ParameterValue":"{a:.a}"},
              {"ParameterName":"JsonParsingEngine","ParameterValue":"JQ-1.5"}]}]})")
          .type,
      "InvalidArgumentException");
  // Dynamic partitioning without a partition key in the prefix.
  EXPECT_EQ(
      create(R"(,"Prefix":"x/","ErrorOutputPrefix":"e/","DynamicPartitioningConfiguration":{"Enabled":true})").type,
      "InvalidArgumentException");
  // Keys from a query but no MetadataExtraction processor.
  EXPECT_EQ(create(R"(,"Prefix":"!{partitionKeyFromQuery:a}/","ErrorOutputPrefix":"e/",
                      "DynamicPartitioningConfiguration":{"Enabled":true})")
                .type,
            "InvalidArgumentException");
  const std::string me =
      R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"MetadataExtraction","Parameters":[
              {"ParameterName":"MetadataExtractionQuery","ParameterValue":"{a:.a}"},
              {"ParameterName":"JsonParsingEngine","ParameterValue":"JQ-1.6"}]}]})";
  EXPECT_EQ(create(me + R"(,"Prefix":"!{partitionKeyFromQuery:a}/","ErrorOutputPrefix":"e/",
                      "BufferingHints":{"IntervalInSeconds":0},"DynamicPartitioningConfiguration":{"Enabled":true})")
                .type,
            "InvalidArgumentException");
  EXPECT_EQ(create(R"(,"Prefix":"!{timestamp:yyyy}/")").type, "InvalidArgumentException");  // no ErrorOutputPrefix
  EXPECT_EQ(create(R"(,"DataFormatConversionConfiguration":{"Enabled":true})").type, "InvalidArgumentException");
  // And a valid dynamic-partitioning stream.
  Ok(CreateDeliveryStream,
     R"({"DeliveryStreamName":"dp",)" + std::string(kDest) + me +
         R"(,"Prefix":"!{partitionKeyFromQuery:a}/","ErrorOutputPrefix":"e/!{firehose:error-output-type}/",
                               "DynamicPartitioningConfiguration":{"Enabled":true}}})");
  auto d = Describe("dp");
  const auto& ext = d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"];
  EXPECT_TRUE(ext["DynamicPartitioningConfiguration"]["Enabled"].GetBool());
  EXPECT_EQ(ext["DynamicPartitioningConfiguration"]["RetryOptions"]["DurationInSeconds"].GetInt(), 300);
  EXPECT_STREQ(ext["ProcessingConfiguration"]["Processors"][0]["Type"].GetString(), "MetadataExtraction");
}

TEST_F(FirehoseApiTest, ListPagesByName) {
  for (const char* n : {"d", "a", "c", "b", "e"}) Create(n);
  auto d = Ok(ListDeliveryStreams, R"({"Limit":2})");
  ASSERT_EQ(d["DeliveryStreamNames"].Size(), 2u);
  EXPECT_STREQ(d["DeliveryStreamNames"][0].GetString(), "a");
  EXPECT_TRUE(d["HasMoreDeliveryStreams"].GetBool());
  d = Ok(ListDeliveryStreams, R"({"Limit":3,"ExclusiveStartDeliveryStreamName":"b"})");
  ASSERT_EQ(d["DeliveryStreamNames"].Size(), 3u);
  EXPECT_STREQ(d["DeliveryStreamNames"][2].GetString(), "e");
  EXPECT_FALSE(d["HasMoreDeliveryStreams"].GetBool());
  d = Ok(ListDeliveryStreams, R"({"DeliveryStreamType":"KinesisStreamAsSource"})");
  EXPECT_EQ(d["DeliveryStreamNames"].Size(), 0u);
  EXPECT_EQ(Ok(ListDeliveryStreams, "{}")["DeliveryStreamNames"].Size(), 5u);
}

}  // namespace
}  // namespace sluice::firehose::api
