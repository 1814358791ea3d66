// The delivery pipeline with a real spool, a fake object store and a manual
// clock: buffering by interval and size, positions advanced only after a
// durable PutObject, retries while the destination fails, replay on restart.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "firehose/engine/engine.h"
#include "firehose/engine/pipeline.h"
#include "firehose/engine/positions.h"
#include "wait_until.h"

namespace sluice::firehose::engine {
namespace {

class FakeStore final : public objstore::ObjectStore {
 public:
  Status PutObject(const std::string& bucket, const std::string& key, std::string_view data,
                   const objstore::PutOptions&) override {
    std::lock_guard lk(mu);
    ++attempts;
    if (failing) return Status::Unavailable("destination down");
    objects.push_back({bucket, key, std::string(data)});
    return Status::Ok();
  }
  Result<bool> BucketExists(const std::string&) override { return true; }
  std::string Describe() const override { return "fake"; }

  struct Object {
    std::string bucket, key, data;
  };
  std::mutex mu;
  bool failing = false;
  int attempts = 0;
  std::vector<Object> objects;
  size_t count() {
    std::lock_guard lk(mu);
    return objects.size();
  }
};

// For what the pipeline's own thread does.
template <typename F>
bool WaitFor(F cond, int ms = 5000) {
  return sluice::test::WaitUntil(cond, std::chrono::milliseconds(ms));
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-engine-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    store_ = std::make_shared<FakeStore>();
    options_.store = store_;
    options_.clock = &clock_;
    options_.retry_min_ms = 100;
    options_.retry_max_ms = 100;
    NewStream();
  }
  void TearDown() override {
    pipeline_.reset();
    stream_.reset();
    std::filesystem::remove_all(dir_);
  }
  void NewStream() {
    pipeline_.reset();
    DeliveryStreamConfig c;
    c.region = "us-east-1";
    c.name = "fh";
    c.type = DeliveryStreamType::kDirectPut;
    c.status = DeliveryStreamStatus::kActive;
    c.destination.bucket_arn = "arn:aws:s3:::bucket";
    c.destination.buffering_size_mb = 1;
    c.destination.buffering_interval_s = 60;
    c.destination.prefix = "p/";
    stream_ = std::make_shared<DeliveryStream>(c, dir_);
    auto spool = storage::ShardLog::Open(dir_ / "spool", {});
    ASSERT_TRUE(spool.ok());
    stream_->set_spool(std::move(spool).value());
  }
  void Put(std::vector<std::string> records) {
    std::vector<storage::AppendEntry> e;
    for (const auto& r : records) e.push_back({"k", r});
    ASSERT_TRUE(stream_->spool()->Append(e, clock_.NowMillis()).ok());
    ASSERT_TRUE(stream_->spool()->Sync().ok());
  }
  void StartPipeline() {
    pipeline_ = std::make_unique<Pipeline>(stream_, options_);
    pipeline_->Start();
  }
  uint64_t SavedPosition() {
    Positions p(dir_ / "positions.json");
    EXPECT_TRUE(p.Load().ok());
    return p.Get(0);
  }

  ManualClock clock_{1'700'000'000'000};
  std::filesystem::path dir_;
  std::shared_ptr<FakeStore> store_;
  EngineOptions options_;
  std::shared_ptr<DeliveryStream> stream_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, BufferIsDeliveredWhenTheIntervalPasses) {
  Put({"a\n", "b\n", "c\n"});
  StartPipeline();
  ASSERT_TRUE(WaitFor([&] { return pipeline_->records_read() == 3; }));  // buffered...
  EXPECT_EQ(store_->count(), 0u);                                        // ...but 60 s have not passed
  clock_.Advance(60'000);
  pipeline_->Wake();
  ASSERT_TRUE(WaitFor([&] { return store_->count() == 1; }));
  EXPECT_EQ(store_->objects[0].bucket, "bucket");
  EXPECT_EQ(store_->objects[0].data, "a\nb\nc\n");
  // A plain prefix gets AWS's time folders (of the oldest record) appended.
  EXPECT_EQ(store_->objects[0].key.rfind("p/2023/11/14/22/fh-1-2023-11-14-22-", 0), 0u) << store_->objects[0].key;
  ASSERT_TRUE(WaitFor([&] { return SavedPosition() == 3; }));
}

TEST_F(PipelineTest, BufferIsDeliveredWhenItReachesTheSizeHint) {
  StartPipeline();
  Put({std::string(600 << 10, 'x'), std::string(600 << 10, 'y')});
  pipeline_->Wake();
  ASSERT_TRUE(WaitFor([&] { return store_->count() == 1; }));
  EXPECT_EQ(store_->objects[0].data.size(), 1200u << 10);
}

TEST_F(PipelineTest, FailedDeliveryKeepsTheDataAndTheSourcePosition) {
  store_->failing = true;
  Put({"1", "2"});
  StartPipeline();
  ASSERT_TRUE(WaitFor([&] { return pipeline_->records_read() == 2; }));  // read into the buffer
  clock_.Advance(60'000);
  pipeline_->Wake();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lk(store_->mu);
    return store_->attempts >= 1;
  }));
  EXPECT_EQ(SavedPosition(), 0u);  // nothing delivered: nothing may be skipped
  {
    std::lock_guard lk(store_->mu);
    store_->failing = false;
  }
  clock_.Advance(1000);  // past the retry backoff
  pipeline_->Wake();
  ASSERT_TRUE(WaitFor([&] { return store_->count() == 1; }));
  EXPECT_EQ(store_->objects[0].data, "12");
  ASSERT_TRUE(WaitFor([&] { return SavedPosition() == 2; }));
}

TEST_F(PipelineTest, RecordsBufferedAtAStopAreDeliveredAfterARestart) {
  Put({"x", "y"});
  StartPipeline();
  ASSERT_TRUE(WaitFor([&] { return pipeline_->records_read() == 2; }));
  pipeline_.reset();  // stopped with a buffer that was never delivered
  EXPECT_EQ(store_->count(), 0u);
  EXPECT_EQ(SavedPosition(), 0u);
  NewStream();  // reopen from disk, as after a crash
  StartPipeline();
  ASSERT_TRUE(WaitFor([&] { return pipeline_->records_read() == 2; }));  // read into the buffer
  clock_.Advance(60'000);
  pipeline_->Wake();
  ASSERT_TRUE(WaitFor([&] { return store_->count() == 1; }));
  EXPECT_EQ(store_->objects[0].data, "xy");
}

TEST_F(PipelineTest, BacklogDrainsBySizeWithoutWaitingForTheClock) {
  // 6 MiB waiting in the spool, a 1 MiB size hint and a clock that never
  // moves: every full object must go out at once, back to back.
  for (int i = 0; i < 12; ++i) Put({std::string(256 << 10, static_cast<char>('a' + i)), std::string(256 << 10, 'z')});
  StartPipeline();
  ASSERT_TRUE(WaitFor([&] { return store_->count() >= 5; }, 3000)) << store_->count();
}

TEST_F(PipelineTest, ObjectsOvershootTheSizeHintByAtMostOneRecord) {
  for (int i = 0; i < 40; ++i) Put({std::string(100 << 10, 'r')});  // 4 MB of 100 KiB records
  StartPipeline();
  ASSERT_TRUE(WaitFor([&] { return store_->count() >= 3; }));
  std::lock_guard lk(store_->mu);
  for (const auto& o : store_->objects) {
    EXPECT_GE(o.data.size(), 1u << 20);
    EXPECT_LE(o.data.size(), (1u << 20) + (100u << 10)) << o.key;
  }
}

}  // namespace
}  // namespace sluice::firehose::engine
