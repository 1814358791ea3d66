// DeliveryStream configuration files and the DeliveryCatalog: persistence,
// crash-safe loading, state transitions, listener calls, and the DirectPut
// spool's durability across a reopen.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include "firehose/api/handlers.h"
#include "firehose/catalog.h"
#include "io/file_util.h"
#include "wait_until.h"

namespace sluice::firehose {
namespace {

namespace fs = std::filesystem;

// A stream's configuration, read under its lock.
DeliveryStreamConfig ConfigOf(const std::shared_ptr<DeliveryStream>& s) {
  MutexLock lock(s->mu);
  return s->config();
}

DeliveryStreamConfig FullConfig() {
  DeliveryStreamConfig c;
  c.region = "eu-west-1";
  c.account = "000000000000";
  c.name = "events.v2_x-1";
  c.type = DeliveryStreamType::kKinesisStreamAsSource;
  c.source_stream_arn = "arn:aws:kinesis:eu-west-1:000000000000:stream/src";
  c.source_role_arn = "arn:aws:iam::000000000000:role/r";
  c.delivery_start_ms = 1'700'000'000'123;
  c.version_id = 7;
  c.status = DeliveryStreamStatus::kActive;
  c.status_due_ms = 1'700'000'000'500;
  c.created_ms = 1'700'000'000'000;
  c.updated_ms = 1'700'000'100'000;
  c.tags = {{"team", "data"}, {"empty", ""}, {"ünï", "cödé \"q\""}};
  c.encryption_enabled = true;
  c.encryption_key_type = "CUSTOMER_MANAGED_CMK";
  c.encryption_key_arn = "arn:aws:kms:eu-west-1:000000000000:key/abc";
  auto& d = c.destination;
  d.extended = false;
  d.role_arn = "arn:aws:iam::000000000000:role/r";
  d.bucket_arn = "arn:aws:s3:::my.bucket-1";
  d.prefix = "data/!{partitionKeyFromQuery:k}/";
  d.error_output_prefix = "err/!{firehose:error-output-type}/";
  d.buffering_size_mb = 64;
  d.buffering_interval_s = 0;
  d.compression = Compression::kHadoopSnappy;
  d.file_extension = ".snappy";
  d.custom_time_zone = "Europe/Paris";
  d.processing_enabled = true;
  d.processors = {{"MetadataExtraction", {{"MetadataExtractionQuery", "{k:.k}"}, {"JsonParsingEngine", "JQ-1.6"}}},
                  {"AppendDelimiterToRecord", {{"Delimiter", "\\n"}}}};
  d.dynamic_partitioning = true;
  d.dynamic_partitioning_retry_s = 42;
  d.s3_backup_mode = "Enabled";
  d.passthrough_json = {{"CloudWatchLoggingOptions", R"({"Enabled":true,"LogGroupName":"g"})"},
                        {"EncryptionConfiguration", R"({"KMSEncryptionConfig":{"AWSKMSKeyARN":"arn:k"}})"}};
  return c;
}

TEST(FirehoseConfig, RoundTripsEveryField) {
  DeliveryStreamConfig c = FullConfig();
  std::string text = SerializeConfig(c);
  auto parsed = ParseConfig(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(SerializeConfig(*parsed), text);
  const auto& p = *parsed;
  EXPECT_EQ(p.name, c.name);
  EXPECT_EQ(p.type, DeliveryStreamType::kKinesisStreamAsSource);
  EXPECT_EQ(p.delivery_start_ms, c.delivery_start_ms);
  EXPECT_EQ(p.version_id, 7);
  EXPECT_EQ(p.status, DeliveryStreamStatus::kActive);
  EXPECT_EQ(p.tags, c.tags);
  EXPECT_TRUE(p.encryption_enabled);
  EXPECT_EQ(p.encryption_key_arn, c.encryption_key_arn);
  EXPECT_EQ(p.destination.compression, Compression::kHadoopSnappy);
  EXPECT_FALSE(p.destination.extended);
  EXPECT_EQ(p.destination.buffering_interval_s, 0);
  ASSERT_EQ(p.destination.processors.size(), 2u);
  EXPECT_EQ(p.destination.processors[0].Param("JsonParsingEngine"), "JQ-1.6");
  EXPECT_EQ(p.destination.processors[0].Param("Missing"), "");
  EXPECT_EQ(p.destination.processors[1].Param("Delimiter"), "\\n");
  EXPECT_EQ(p.destination.dynamic_partitioning_retry_s, 42);
  EXPECT_EQ(p.destination.passthrough_json.at("CloudWatchLoggingOptions"), R"({"Enabled":true,"LogGroupName":"g"})");
  EXPECT_EQ(p.arn(), "arn:aws:firehose:eu-west-1:000000000000:deliverystream/events.v2_x-1");
}

TEST(FirehoseConfig, DefaultsAreAws) {
  S3DestinationConfig d;
  EXPECT_EQ(d.buffering_size_mb, 5);
  EXPECT_EQ(d.buffering_interval_s, 300);
  EXPECT_EQ(d.compression, Compression::kUncompressed);
  EXPECT_EQ(d.destination_id, "destinationId-000000000001");
}

TEST(FirehoseConfig, RejectsCorruptFiles) {
  EXPECT_FALSE(ParseConfig("").ok());
  EXPECT_FALSE(ParseConfig("[]").ok());
  EXPECT_FALSE(ParseConfig(R"({"format_version":1,"name":"x"})").ok());
  std::string text = SerializeConfig(FullConfig());
  EXPECT_FALSE(ParseConfig(text.substr(0, text.size() / 2)).ok());
  std::string bad = text;
  bad.replace(bad.find("HADOOP_SNAPPY"), 13, "BROTLI_MAGIC1");
  EXPECT_FALSE(ParseConfig(bad).ok());
}

TEST(FirehoseConfig, CompressionAndStatusNames) {
  for (auto c : {Compression::kUncompressed, Compression::kGzip, Compression::kZip, Compression::kSnappy,
                 Compression::kHadoopSnappy})
    EXPECT_EQ(ParseCompression(CompressionName(c)), c);
  EXPECT_EQ(CompressionName(Compression::kSnappy), "Snappy");
  EXPECT_FALSE(ParseCompression("gzip").has_value());
  EXPECT_EQ(StatusName(DeliveryStreamStatus::kCreating), "CREATING");
  EXPECT_EQ(StatusName(DeliveryStreamStatus::kDeleting), "DELETING");
}

TEST(FirehoseConfig, BucketFromArn) {
  S3DestinationConfig d;
  d.bucket_arn = "arn:aws:s3:::my-bucket";
  EXPECT_EQ(d.bucket(), "my-bucket");
  d.bucket_arn = "arn:aws-cn:s3:::b.1";
  EXPECT_EQ(d.bucket(), "b.1");
  for (const char* bad : {"", "my-bucket", "arn:aws:s3:::", "arn:aws:s3:::a/b", "arn:aws:iam:::b", "arn:a:b:s3:::x"}) {
    d.bucket_arn = bad;
    EXPECT_EQ(d.bucket(), "") << bad;
  }
}

// Records listener calls; checks that catalog locks are not held by calling
// back into the catalog, and that files still exist at OnDeleting.
class Recorder : public DeliveryListener {
 public:
  DeliveryCatalog* catalog = nullptr;
  std::mutex mu;
  std::vector<std::string> calls;
  bool dir_existed_at_deleting = false;

  void Add(const std::string& what, const std::shared_ptr<DeliveryStream>& s) {
    std::string name;
    {
      MutexLock lk(s->mu);  // the stream's mutex is free, too
      name = s->config().name;
    }
    std::lock_guard lk(mu);
    calls.push_back(what + ":" + name);
  }
  void OnActive(const std::shared_ptr<DeliveryStream>& s) override {
    if (catalog) {
      (void)catalog->List("us-east-1");  // would deadlock if the catalog's map lock were held
      (void)catalog->All();
    }
    Add("active", s);
  }
  void OnUpdated(const std::shared_ptr<DeliveryStream>& s) override { Add("updated", s); }
  void OnDeleting(const std::shared_ptr<DeliveryStream>& s) override {
    dir_existed_at_deleting = fs::exists(s->dir() / "config.json");
    if (catalog) (void)catalog->Find("us-east-1", "x");
    Add("deleting", s);
  }
  void OnRecords(const std::shared_ptr<DeliveryStream>& s) override { Add("records", s); }
  std::vector<std::string> Calls() {
    std::lock_guard lk(mu);
    return calls;
  }
};

class FirehoseCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-fh-catalog-" + std::to_string(std::random_device{}()));
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  // Transitions finish when a test calls FinishDueTransitions(), unless
  // `background` starts the catalog's transition thread.
  void OpenCatalog(int64_t transition_ms, bool background = false) {
    catalog_.reset();
    DeliveryCatalogOptions o;
    o.data_dir = dir_;
    o.transition_ms = transition_ms;
    o.clock = &clock_;
    o.background_transitions = background;
    catalog_ = std::make_unique<DeliveryCatalog>(o, nullptr);
    recorder_ = std::make_unique<Recorder>();
    recorder_->catalog = catalog_.get();
    catalog_->SetListener(recorder_.get());
    ASSERT_TRUE(catalog_->Open().ok());
  }
  DeliveryStreamConfig Config(const std::string& name, DeliveryStreamType type = DeliveryStreamType::kDirectPut) {
    DeliveryStreamConfig c;
    c.region = "us-east-1";
    c.account = "000000000000";
    c.name = name;
    c.type = type;
    c.destination.role_arn = "arn:aws:iam::000000000000:role/r";
    c.destination.bucket_arn = "arn:aws:s3:::b";
    return c;
  }
  api::Context Ctx() { return api::Context{*catalog_, "us-east-1"}; }
  protocol::Outcome Call(api::Handler h, const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    auto ctx = Ctx();
    std::promise<protocol::Outcome> p;
    h(ctx, d, [&p](protocol::Outcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  // For what another thread does (the group committer's notifications).
  static bool WaitFor(const std::function<bool()>& cond) { return sluice::test::WaitUntil(cond); }
  fs::path StreamDir(const std::string& name) { return dir_ / "firehose" / "us-east-1" / name; }

  ManualClock clock_{1'700'000'000'000};
  fs::path dir_;
  std::unique_ptr<DeliveryCatalog> catalog_;
  std::unique_ptr<Recorder> recorder_;
};

TEST_F(FirehoseCatalogTest, CreateImmediateIsActiveWithSpoolAndConfig) {
  OpenCatalog(0);
  auto s = catalog_->Create(Config("x"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(ConfigOf((*s)).status, DeliveryStreamStatus::kActive);
  EXPECT_EQ(ConfigOf((*s)).created_ms, clock_.NowMillis());
  EXPECT_TRUE(fs::exists(StreamDir("x") / "config.json"));
  EXPECT_TRUE(fs::is_directory(StreamDir("x") / "spool"));
  EXPECT_NE((*s)->spool(), nullptr);
  EXPECT_EQ(recorder_->Calls(), std::vector<std::string>{"active:x"});
  auto again = catalog_->Create(Config("x"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "Firehose x under accountId 000000000000 already exists.");
  // A Kinesis-sourced stream has no spool.
  auto k = catalog_->Create(Config("k", DeliveryStreamType::kKinesisStreamAsSource));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)->spool(), nullptr);
  EXPECT_FALSE(fs::exists(StreamDir("k") / "spool"));
}

TEST_F(FirehoseCatalogTest, CreatingBecomesActiveAfterTransitionAndIsPersisted) {
  OpenCatalog(500);
  auto s = catalog_->Create(Config("x"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ConfigOf((*s)).status, DeliveryStreamStatus::kCreating);
  clock_.Advance(499);
  catalog_->FinishDueTransitions();
  EXPECT_TRUE(recorder_->Calls().empty());
  EXPECT_EQ(ConfigOf((*s)).status, DeliveryStreamStatus::kCreating);
  clock_.Advance(1);
  catalog_->FinishDueTransitions();
  ASSERT_EQ(recorder_->Calls().size(), 1u);
  EXPECT_EQ(recorder_->Calls()[0], "active:x");
  auto text = io::ReadFile(StreamDir("x") / "config.json");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(ParseConfig(*text)->status, DeliveryStreamStatus::kActive);
}

TEST_F(FirehoseCatalogTest, TransitionThreadFinishesDueCreationsOnItsOwn) {
  OpenCatalog(500, /*background=*/true);
  ASSERT_TRUE(catalog_->Create(Config("x")).ok());
  clock_.Advance(500);
  // The thread looks at the clock at least every 100 ms while a transition
  // is pending.
  ASSERT_TRUE(WaitFor([&] { return recorder_->Calls().size() == 1; }));
  EXPECT_EQ(recorder_->Calls()[0], "active:x");
}

TEST_F(FirehoseCatalogTest, OpenAnnouncesLoadedActiveStreamsAndFinishesDueCreations) {
  OpenCatalog(0);
  ASSERT_TRUE(catalog_->Create(Config("a")).ok());
  OpenCatalog(1000);
  ASSERT_TRUE(catalog_->Create(Config("c")).ok());  // CREATING, due in 1 s
  clock_.Advance(5000);
  OpenCatalog(1000);  // reopen after the due time: c is finished during Open
  auto calls = recorder_->Calls();
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{"active:a", "active:c"}));
  EXPECT_EQ(ConfigOf(catalog_->Find("us-east-1", "c")).status, DeliveryStreamStatus::kActive);
}

TEST_F(FirehoseCatalogTest, HalfCreatedDirectoryIsRemovedAtOpen) {
  fs::create_directories(StreamDir("half") / "spool");
  std::ofstream(StreamDir("half") / "spool" / "junk") << "x";
  OpenCatalog(0);
  EXPECT_EQ(catalog_->Find("us-east-1", "half"), nullptr);
  EXPECT_FALSE(fs::exists(StreamDir("half")));
  EXPECT_TRUE(recorder_->Calls().empty());
}

TEST_F(FirehoseCatalogTest, InterruptedDeletionIsFinishedAtOpen) {
  OpenCatalog(60'000);
  ASSERT_TRUE(catalog_->Create(Config("x")).ok());
  clock_.Advance(60'000);
  catalog_->FinishDueTransitions();
  ASSERT_EQ(recorder_->Calls().size(), 1u);
  ASSERT_TRUE(catalog_->Delete(catalog_->Find("us-east-1", "x")).ok());  // DELETING for 60 s
  EXPECT_EQ(ConfigOf(catalog_->Find("us-east-1", "x")).status, DeliveryStreamStatus::kDeleting);
  catalog_.reset();  // "crash" before the deletion finished
  OpenCatalog(60'000);
  EXPECT_EQ(catalog_->Find("us-east-1", "x"), nullptr);
  EXPECT_FALSE(fs::exists(StreamDir("x")));
  EXPECT_TRUE(recorder_->Calls().empty());
}

TEST_F(FirehoseCatalogTest, CorruptConfigFailsOpen) {
  fs::create_directories(StreamDir("bad"));
  std::ofstream(StreamDir("bad") / "config.json") << "{not json";
  DeliveryCatalogOptions o;
  o.data_dir = dir_;
  DeliveryCatalog c(o, nullptr);
  EXPECT_FALSE(c.Open().ok());
}

TEST_F(FirehoseCatalogTest, DeleteTellsListenerBeforeFilesGo) {
  OpenCatalog(0);
  auto s = catalog_->Create(Config("x"));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(catalog_->Delete(*s).ok());
  EXPECT_TRUE(recorder_->dir_existed_at_deleting);
  EXPECT_EQ(catalog_->Find("us-east-1", "x"), nullptr);
  EXPECT_FALSE(fs::exists(StreamDir("x")));
  EXPECT_EQ(recorder_->Calls(), (std::vector<std::string>{"active:x", "deleting:x"}));
  // Re-creating the name starts from an empty spool.
  auto again = catalog_->Create(Config("x"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->spool()->committed_end(), 0u);
}

TEST_F(FirehoseCatalogTest, DeletionWithTransitionShowsDeletingThenDisappears) {
  OpenCatalog(100);
  ASSERT_TRUE(catalog_->Create(Config("x")).ok());
  clock_.Advance(100);
  catalog_->FinishDueTransitions();
  ASSERT_EQ(recorder_->Calls().size(), 1u);
  auto s = catalog_->Find("us-east-1", "x");
  ASSERT_TRUE(catalog_->Delete(s).ok());
  EXPECT_EQ(recorder_->Calls().back(), "deleting:x");
  EXPECT_NE(catalog_->Find("us-east-1", "x"), nullptr);
  clock_.Advance(100);
  catalog_->FinishDueTransitions();
  EXPECT_EQ(catalog_->Find("us-east-1", "x"), nullptr);
  EXPECT_FALSE(fs::exists(StreamDir("x")));
}

TEST_F(FirehoseCatalogTest, DeletedWhileCreatingIsNeverAnnouncedActive) {
  OpenCatalog(100);
  auto s = catalog_->Create(Config("x"));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(catalog_->Delete(*s).ok());
  clock_.Advance(1000);
  catalog_->FinishDueTransitions();
  EXPECT_EQ(catalog_->Find("us-east-1", "x"), nullptr);
  EXPECT_EQ(recorder_->Calls(), std::vector<std::string>{"deleting:x"});
}

TEST_F(FirehoseCatalogTest, RegionsAreSeparate) {
  OpenCatalog(0);
  auto east = Config("same");
  auto west = Config("same");
  west.region = "us-west-2";
  ASSERT_TRUE(catalog_->Create(east).ok());
  ASSERT_TRUE(catalog_->Create(west).ok());
  EXPECT_EQ(catalog_->List("us-east-1").size(), 1u);
  EXPECT_EQ(catalog_->List("us-west-2").size(), 1u);
  EXPECT_TRUE(catalog_->List("eu-west-1").empty());
  EXPECT_EQ(catalog_->All().size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "firehose" / "us-west-2" / "same" / "config.json"));
}

TEST_F(FirehoseCatalogTest, PutRecordBatchIsDurableInTheSpoolBeforeTheReply) {
  OpenCatalog(0);
  ASSERT_TRUE(catalog_->Create(Config("x")).ok());
  // "aGVsbG8=" = hello, "" = empty record, "d29ybGQ=" = world
  auto out = Call(api::PutRecordBatch,
                  R"({"DeliveryStreamName":"x","Records":[{"Data":"aGVsbG8="},{"Data":""},{"Data":"d29ybGQ="}]})");
  ASSERT_TRUE(std::holds_alternative<std::string>(out)) << std::get<protocol::ApiError>(out).message;
  rapidjson::Document d;
  d.Parse(std::get<std::string>(out).c_str());
  EXPECT_EQ(d["FailedPutCount"].GetInt(), 0);
  ASSERT_EQ(d["RequestResponses"].Size(), 3u);
  std::set<std::string> ids;
  for (const auto& r : d["RequestResponses"].GetArray()) ids.insert(r["RecordId"].GetString());
  EXPECT_EQ(ids.size(), 3u);
  auto s = catalog_->Find("us-east-1", "x");
  EXPECT_EQ(s->spool()->committed_end(), 3u);  // published before the reply
  auto single = Call(api::PutRecord, R"({"DeliveryStreamName":"x","Record":{"Data":"IQ=="}})");
  ASSERT_TRUE(std::holds_alternative<std::string>(single));
  EXPECT_EQ(s->spool()->committed_end(), 4u);
  ASSERT_TRUE(WaitFor([&] { return recorder_->Calls().size() == 3; }));
  EXPECT_EQ(recorder_->Calls(), (std::vector<std::string>{"active:x", "records:x", "records:x"}));

  OpenCatalog(0);  // as after a restart
  auto reopened = catalog_->Find("us-east-1", "x");
  ASSERT_NE(reopened, nullptr);
  ASSERT_EQ(reopened->spool()->committed_end(), 4u);
  auto read = reopened->spool()->Read(0, 10, 1 << 20);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->records.size(), 4u);
  EXPECT_EQ(read->records[0].data, "hello");
  EXPECT_EQ(read->records[1].data, "");
  EXPECT_EQ(read->records[2].data, "world");
  EXPECT_EQ(read->records[3].data, "!");
  EXPECT_EQ(read->records[0].arrival_ms, clock_.NowMillis());
}

TEST_F(FirehoseCatalogTest, StopCompletesPendingCommitsAndIsIdempotent) {
  OpenCatalog(0);
  ASSERT_TRUE(catalog_->Create(Config("x")).ok());
  std::vector<std::future<protocol::Outcome>> futures;
  std::vector<std::shared_ptr<std::promise<protocol::Outcome>>> promises;
  rapidjson::Document d;
  d.Parse(R"({"DeliveryStreamName":"x","Records":[{"Data":"aGVsbG8="}]})");
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<std::promise<protocol::Outcome>>();
    futures.push_back(p->get_future());
    auto ctx = Ctx();
    api::PutRecordBatch(ctx, d, [p](protocol::Outcome o) { p->set_value(std::move(o)); });
    promises.push_back(p);
  }
  catalog_->Stop();
  catalog_->Stop();
  for (auto& f : futures) ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace sluice::firehose
