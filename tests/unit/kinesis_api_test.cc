// Kinesis actions called directly on a catalog with a manual clock, for the
// behaviours that depend on time: iterator and NextToken expiry, retention.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <future>
#include <random>

#include "kinesis/api/handlers.h"

namespace sluice::kinesis::api {
namespace {

class KinesisApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-api-test-" + std::to_string(std::random_device{}()));
    CatalogOptions o;
    o.data_dir = dir_;
    o.transition_ms = 0;
    o.clock = &clock_;
    catalog_ = std::make_unique<StreamCatalog>(o);
    ASSERT_TRUE(catalog_->Open().ok());
  }
  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs `handler` on `json` and waits for its answer (writes answer on the
  // group-commit thread).
  Outcome Call(Handler handler, const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    Context ctx{*catalog_, "us-east-1"};
    std::promise<Outcome> p;
    handler(ctx, d, [&p](Outcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  rapidjson::Document Ok(Handler handler, const std::string& json) {
    Outcome o = Call(handler, json);
    EXPECT_TRUE(std::holds_alternative<std::string>(o))
        << std::get<ApiError>(o).type << ": " << std::get<ApiError>(o).message;
    rapidjson::Document d;
    if (auto* s = std::get_if<std::string>(&o)) d.Parse(s->c_str());
    return d;
  }
  std::string ErrorType(Handler handler, const std::string& json) {
    Outcome o = Call(handler, json);
    return std::holds_alternative<ApiError>(o) ? std::get<ApiError>(o).type : "no error";
  }
  std::string Iterator(const std::string& type) {
    auto d = Ok(GetShardIterator,
                R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":")" + type + R"("})");
    return d["ShardIterator"].GetString();
  }

  ManualClock clock_{1'700'000'000'000};
  std::filesystem::path dir_;
  std::unique_ptr<StreamCatalog> catalog_;
};

TEST_F(KinesisApiTest, IteratorExpiresAfterFiveMinutes) {
  Ok(CreateStream, R"({"StreamName":"s","ShardCount":1})");
  Ok(PutRecord, R"({"StreamName":"s","Data":"aGk=","PartitionKey":"p"})");
  std::string it = Iterator("TRIM_HORIZON");
  clock_.Advance(5 * 60 * 1000);
  auto d = Ok(GetRecords, R"({"ShardIterator":")" + it + R"("})");
  EXPECT_EQ(d["Records"].Size(), 1u);  // exactly at the limit: still valid
  clock_.Advance(1);
  EXPECT_EQ(ErrorType(GetRecords, R"({"ShardIterator":")" + it + R"("})"), "ExpiredIteratorException");
  // The NextShardIterator of a read is fresh.
  std::string next = d["NextShardIterator"].GetString();
  clock_.Advance(4 * 60 * 1000);
  EXPECT_EQ(Ok(GetRecords, R"({"ShardIterator":")" + next + R"("})")["Records"].Size(), 0u);
}

TEST_F(KinesisApiTest, ListShardsNextTokenExpiresAfter300Seconds) {
  Ok(CreateStream, R"({"StreamName":"s","ShardCount":3})");
  auto d = Ok(ListShards, R"({"StreamName":"s","MaxResults":1})");
  ASSERT_TRUE(d.HasMember("NextToken"));
  std::string token = d["NextToken"].GetString();
  clock_.Advance(300 * 1000 + 1);
  EXPECT_EQ(ErrorType(ListShards, R"({"NextToken":")" + token + R"("})"), "ExpiredNextTokenException");
}

TEST_F(KinesisApiTest, RecordsPastRetentionAreNotReturned) {
  Ok(CreateStream, R"({"StreamName":"s","ShardCount":1})");
  Ok(PutRecord, R"({"StreamName":"s","Data":"b2xk","PartitionKey":"p"})");
  clock_.Advance(24 * 3600 * 1000 - 1);
  Ok(PutRecord, R"({"StreamName":"s","Data":"bmV3","PartitionKey":"p"})");
  EXPECT_EQ(Ok(GetRecords, R"({"ShardIterator":")" + Iterator("TRIM_HORIZON") + R"("})")["Records"].Size(), 2u);
  clock_.Advance(2);  // the first record is now older than 24 h
  auto d = Ok(GetRecords, R"({"ShardIterator":")" + Iterator("TRIM_HORIZON") + R"("})");
  ASSERT_EQ(d["Records"].Size(), 1u);
  EXPECT_STREQ(d["Records"][0]["Data"].GetString(), "bmV3");
}

TEST_F(KinesisApiTest, MillisBehindLatestIsTheAgeOfTheNextUnreadRecord) {
  Ok(CreateStream, R"({"StreamName":"s","ShardCount":1})");
  Ok(PutRecord, R"({"StreamName":"s","Data":"YQ==","PartitionKey":"p"})");
  clock_.Advance(1000);
  Ok(PutRecord, R"({"StreamName":"s","Data":"Yg==","PartitionKey":"p"})");
  clock_.Advance(500);
  auto d = Ok(GetRecords, R"({"ShardIterator":")" + Iterator("TRIM_HORIZON") + R"(","Limit":1})");
  EXPECT_EQ(d["MillisBehindLatest"].GetInt64(), 500);
  d = Ok(GetRecords, R"({"ShardIterator":")" + std::string(d["NextShardIterator"].GetString()) + R"("})");
  EXPECT_EQ(d["MillisBehindLatest"].GetInt64(), 0);
}

}  // namespace
}  // namespace sluice::kinesis::api
