// ServerFixture: the JSON services and the S3 REST API of `sluice serve`
// behind the real server::Router, in process, on a temporary data directory,
// for the fuzz targets. Built once per fuzzer process (libFuzzer calls the
// target millions of times): no fsync (FsyncPolicy::kOsBuffered), immediate
// state transitions, small segments and a low shard limit keep each input
// fast. Reset() drops every stream, delivery stream, bucket and table so the data
// directory cannot grow without bound.
#pragma once

#include <rapidjson/document.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <unistd.h>

#include "dynamodb/catalog.h"
#include "dynamodb/json_service.h"
#include "firehose/catalog.h"
#include "firehose/json_service.h"
#include "kinesis/catalog.h"
#include "kinesis/json_service.h"
#include "objstore/local_store.h"
#include "s3api/s3_api.h"
#include "server/router.h"
#include "wire/message.h"

namespace sluice::fuzz {

class ServerFixture {
 public:
  ServerFixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    dir_ = tmpl;
    Open();
  }
  ~ServerFixture() {
    Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Sends one request through the router and waits for its response.
  wire::Response Send(wire::Request request) {
    auto done = std::make_shared<std::promise<wire::Response>>();
    auto answer = done->get_future();
    router_->Handle(std::move(request), [done](wire::Response r) { done->set_value(std::move(r)); });
    return answer.get();
  }

  // An AWS JSON 1.1 call, as boto3 sends it.
  wire::Response SendJson(const std::string& target_prefix, std::string_view operation, std::string body) {
    wire::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "127.0.0.1:4566"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", target_prefix + "." + std::string(operation)},
                 {"Authorization",
                  "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, "
                  "SignedHeaders=host;x-amz-target, Signature=00"}};
    r.body = std::move(body);
    return Send(std::move(r));
  }

  // Starts again from an empty data directory with one 2-shard stream "s"
  // one DirectPut delivery stream "d" and bucket "bkt" holding object "k".
  void Reset() {
    Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_, ec);
    Open();
  }

  // Resets every `every` calls: data written by earlier inputs is dropped.
  void MaybeReset(int every) {
    if (++calls_ % every == 0) Reset();
  }

 private:
  void Open() {
    kinesis::CatalogOptions k;
    k.data_dir = dir_;
    k.transition_ms = 0;
    k.shard_limit = 16;
    k.on_demand_stream_limit = 4;
    k.log_options.fsync = storage::FsyncPolicy::kOsBuffered;
    k.log_options.segment_max_bytes = 256 << 10;
    kinesis_ = std::make_unique<kinesis::StreamCatalog>(k);
    if (!kinesis_->Open().ok()) std::abort();

    objstore::LocalStoreOptions s;
    s.root = dir_ / "s3";
    s.fsync = false;
    s.min_part_size = 16;
    auto store = objstore::LocalStore::Open(s);
    if (!store.ok()) std::abort();
    s3_ = std::make_shared<s3api::S3Api>(store.value());

    firehose::DeliveryCatalogOptions f;
    f.data_dir = dir_;
    f.transition_ms = 0;
    f.spool_options = k.log_options;
    firehose_ = std::make_unique<firehose::DeliveryCatalog>(f, kinesis_.get());
    if (!firehose_->Open().ok()) std::abort();

    dynamodb::CatalogOptions d;
    d.data_dir = dir_;
    d.transition_ms = 0;
    d.sync = dynamodb::store::SyncPolicy::kOs;
    tables_ = std::make_unique<dynamodb::TableCatalog>(d);
    if (!tables_->Open().ok()) std::abort();

    router_ = std::make_unique<server::Router>(server::RouterOptions{});
    router_->AddJsonService(kinesis::Service(*kinesis_));
    router_->AddJsonService(firehose::Service(*firehose_));
    router_->AddJsonService(dynamodb::Service(*tables_));
    auto s3 = s3_;
    router_->SetRestHandler(
        "s3", [s3](wire::Request req, wire::Responder respond) { s3->Handle(std::move(req), std::move(respond)); });

    ExpectOk(SendJson("Kinesis_20131202", "CreateStream", R"({"StreamName":"s","ShardCount":2})"));
    ExpectOk(SendJson("Firehose_20150804", "CreateDeliveryStream",
                      R"({"DeliveryStreamName":"d","DeliveryStreamType":"DirectPut",)"
                      R"("ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r",)"
                      R"("BucketARN":"arn:aws:s3:::bkt"}})"));
    ExpectOk(SendS3("PUT", "/bkt", ""));
    ExpectOk(SendS3("PUT", "/bkt/k", "hello"));
    ExpectOk(
        SendJson("DynamoDB_20120810", "CreateTable",
                 R"({"TableName":"tbl","BillingMode":"PAY_PER_REQUEST",)"
                 R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
                 R"({"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],)"
                 R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
                 R"("GlobalSecondaryIndexes":[{"IndexName":"gix","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
                 R"("Projection":{"ProjectionType":"ALL"}}]})"));
    ExpectOk(SendJson("DynamoDB_20120810", "PutItem",
                      R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"},"n":{"N":"5"},)"
                      R"("l":{"L":[{"S":"e"},{"M":{"k":{"SS":["v"]}}}]}}})"));
  }

  wire::Response SendS3(std::string method, std::string target, std::string body) {
    wire::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = {{"Host", "127.0.0.1:4566"}};
    r.body = std::move(body);
    return Send(std::move(r));
  }

  void Close() {
    router_.reset();
    if (tables_) tables_->Stop();
    tables_.reset();
    if (firehose_) firehose_->Stop();
    firehose_.reset();
    if (kinesis_) kinesis_->Stop();
    kinesis_.reset();
    s3_.reset();
  }

  static void ExpectOk(const wire::Response& r) {
    if (r.status != 200) {
      std::fprintf(stderr, "fuzz fixture setup failed: %u %s\n", r.status, r.body.c_str());
      std::abort();
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<kinesis::StreamCatalog> kinesis_;
  std::unique_ptr<firehose::DeliveryCatalog> firehose_;
  std::unique_ptr<dynamodb::TableCatalog> tables_;
  std::shared_ptr<s3api::S3Api> s3_;
  std::unique_ptr<server::Router> router_;
  long calls_ = 0;
};

// A 5xx from the server is an internal failure (an exception, a broken
// invariant): for a fuzzer that is a finding, never an acceptable answer.
inline void CrashOnServerError(const wire::Response& r, std::string_view what) {
  if (r.status >= 500 && r.status != 501 && r.status != 503) {
    std::fprintf(stderr, "server error %u for %.*s: %s\n", r.status, static_cast<int>(what.size()), what.data(),
                 r.body.c_str());
    std::abort();
  }
}

}  // namespace sluice::fuzz
