// example-consumer: reads every record of a Kinesis stream with the Sluice
// client library (installed; see CMakeLists.txt) and prints one line per
// record, "<shard id> <sequence number> <data>".
//
//   example-consumer --stream NAME [--endpoint-url URL] [--put N]
//
// Credentials, region and endpoint resolve through the AWS standard chain
// (environment, ~/.aws files, .env); --endpoint-url overrides the endpoint.
// --put N first creates the stream (one shard) and puts N records "record-<i>",
// so the example can show a full round trip against an empty local server.
// Reads every shard from TRIM_HORIZON until it is caught up. Exit status 0,
// or 1 with the AWS error on stderr.
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "sluice/kinesis_client.h"

namespace kinesis = sluice::client::kinesis;

namespace {

int Fail(const char* what, const sluice::client::ApiError& e) {
  std::cerr << "example-consumer: " << what << ": " << e.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string stream, endpoint;
  int put = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--stream") stream = argv[i + 1];
    else if (flag == "--endpoint-url") endpoint = argv[i + 1];
    else if (flag == "--put") put = std::stoi(argv[i + 1]);
  }
  if (stream.empty()) {
    std::cerr << "usage: example-consumer --stream NAME [--endpoint-url URL] [--put N]\n";
    return 2;
  }
  sluice::client::ConfigOptions config;
  if (!endpoint.empty()) config.endpoint_url = endpoint;
  auto kc = sluice::client::KinesisClient::FromEnvironment(config);
  if (!kc.ok()) return Fail("client", kc.error());
  auto& client = **kc;
  auto id = kinesis::StreamId::Name(stream);

  if (put > 0) {
    kinesis::CreateStreamRequest create;
    create.stream_name = stream;
    create.shard_count = 1;
    if (auto r = client.CreateStream(create); !r.ok()) return Fail("CreateStream", r.error());
    if (auto r = client.WaitForActive(id, std::chrono::seconds(30)); !r.ok()) return Fail("WaitForActive", r.error());
    for (int i = 0; i < put; ++i) {
      kinesis::PutRecordRequest rec;
      rec.stream = id;
      rec.data = "record-" + std::to_string(i);
      rec.partition_key = "k" + std::to_string(i);
      if (auto r = client.PutRecord(rec); !r.ok()) return Fail("PutRecord", r.error());
    }
  }

  kinesis::ListShardsRequest list;
  list.stream = id;
  auto shards = client.ListAllShards(list);
  if (!shards.ok()) return Fail("ListShards", shards.error());
  for (const auto& shard : shards->shards) {
    kinesis::GetShardIteratorRequest it;
    it.stream = id;
    it.shard_id = shard.shard_id;
    it.type = kinesis::ShardIteratorType::kTrimHorizon;
    auto iterator = client.GetShardIterator(it);
    if (!iterator.ok()) return Fail("GetShardIterator", iterator.error());
    std::optional<std::string> next = iterator->shard_iterator;
    while (next) {
      kinesis::GetRecordsRequest get;
      get.shard_iterator = *next;
      auto batch = client.GetRecords(get);
      if (!batch.ok()) return Fail("GetRecords", batch.error());
      for (const auto& r : batch->records) {
        std::cout << shard.shard_id << " " << r.sequence_number << " " << r.data << "\n";
      }
      next = batch->next_shard_iterator;
      if (batch->records.empty() && batch->millis_behind_latest.value_or(0) == 0) break;  // caught up
    }
  }
  return 0;
}
