// `sluice produce`: sends JSON events to a stream — generated like the seed's
// producer, or read as NDJSON from a file or stdin — through the batching,
// retrying Producer (sluice/producer.h).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/aws_options.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "sluice/pipeline/event_generator.h"
#include "sluice/pipeline/json_fields.h"
#include "sluice/pipeline/ndjson_reader.h"
#include "sluice/producer.h"

namespace sluice::cli {

namespace {

struct ProduceOptions {
  AwsOptions aws;
  std::string stream;
  std::string input;  // "" = generate
  int64_t count = -1;
  double duration_s = 0;
  double rate = 0;  // records/s, 0 = as fast as possible
  double duplicates = 0;
  std::string partition_key_field;
  size_t record_size = 0;
  int64_t linger_ms = 100;
  uint64_t seed = 0;
  std::string run_id;
  bool create = false;
  int shard_count = 2;
  int senders = 4;
  bool aggregate = false;
  size_t aggregate_max_bytes = 51'200;
  std::string summary_json;
  bool quiet = false;
};

// Paces a loop to `rate` iterations per second (no pacing when rate <= 0).
class Pacer {
 public:
  explicit Pacer(double rate) : rate_(rate), start_(std::chrono::steady_clock::now()) {}
  void Wait(int64_t i) {
    if (rate_ <= 0) return;
    auto due = start_ + std::chrono::microseconds(static_cast<int64_t>(1e6 * static_cast<double>(i) / rate_));
    std::this_thread::sleep_until(due);
  }

 private:
  double rate_;
  std::chrono::steady_clock::time_point start_;
};

Status EnsureStream(client::KinesisClient& client, const ProduceOptions& o) {
  auto kid = client::kinesis::StreamId::Name(o.stream);
  auto summary = client.DescribeStreamSummary(kid);
  if (!summary.ok() && summary.error().type == "ResourceNotFoundException") {
    client::kinesis::CreateStreamRequest req;
    req.stream_name = o.stream;
    req.shard_count = o.shard_count;
    auto created = client.CreateStream(req);
    if (!created.ok() && created.error().type != "ResourceInUseException")
      return Status::Unavailable("CreateStream: " + created.error().ToString());
  } else if (!summary.ok()) {
    return Status::Unavailable("DescribeStreamSummary: " + summary.error().ToString());
  }
  auto active = client.WaitForActive(kid, std::chrono::seconds(60));
  if (!active.ok()) return Status::Unavailable("waiting for the stream: " + active.error().ToString());
  return Status::Ok();
}

int Run(const ProduceOptions& o) {
  auto client = MakeKinesisClient(o.aws);
  if (!client.ok()) {
    std::cerr << "sluice produce: " << client.status().message() << "\n";
    return 2;
  }
  if (o.create) {
    if (Status st = EnsureStream(**client, o); !st.ok()) {
      std::cerr << "sluice produce: " << st.message() << "\n";
      return 1;
    }
  }
  workers::ProducerOptions popts;
  popts.stream = client::kinesis::StreamId::Name(o.stream);
  popts.batching.linger_ms = o.linger_ms;
  popts.senders = o.senders;
  popts.aggregate = o.aggregate;
  popts.aggregation.max_bytes = o.aggregate_max_bytes;
  auto producer = workers::Producer::Start(**client, popts);
  if (!producer.ok()) {
    std::cerr << "sluice produce: " << producer.status().message() << "\n";
    return 2;
  }
  const auto& stop = StopFlagOnSignals();
  Progress progress(!o.quiet && ::isatty(STDERR_FILENO), o.count);
  Pacer pacer(o.rate);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o.duration_s * 1000));
  auto more = [&](int64_t i) {
    if (stop.load()) return false;
    if (o.count >= 0 && i >= o.count) return false;
    if (o.duration_s > 0 && std::chrono::steady_clock::now() >= deadline) return false;
    return true;
  };
  auto key_of = [&](const std::string& json, const std::string& fallback) {
    if (o.partition_key_field.empty()) return fallback;
    auto f = pipeline::ExtractJsonFields(json, {o.partition_key_field});
    if (f.ok() && (*f)[0].is_scalar() && !(*f)[0].text.empty()) return (*f)[0].text;
    return fallback;
  };

  int64_t added = 0, rejected = 0;
  uint64_t duplicates_injected = 0;
  std::string run_id;
  if (o.input.empty()) {
    pipeline::EventGeneratorOptions g;
    g.seed = o.seed ? o.seed : static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    g.run_id = o.run_id;
    g.duplicate_fraction = o.duplicates;
    g.target_record_bytes = o.record_size;
    auto gen = pipeline::EventGenerator::Create(g);
    if (!gen.ok()) {
      std::cerr << "sluice produce: " << gen.status().message() << "\n";
      return 2;
    }
    run_id = (*gen)->run_id();
    for (int64_t i = 0; more(i); ++i) {
      pacer.Wait(i);
      auto ev = (*gen)->Next();
      pipeline::Record r;
      r.partition_key = key_of(ev.json, ev.user_id);
      r.data = std::move(ev.json);
      if ((*producer)->Add(std::move(r)).ok()) ++added; else ++rejected;
      progress.Update(added, (*producer)->stats().Snapshot());
    }
    duplicates_injected = (*gen)->duplicates_injected();
  } else {
    pipeline::NdjsonOptions n;
    n.partition_key_field = o.partition_key_field;
    auto reader = pipeline::NdjsonReader::Open(o.input, n);
    if (!reader.ok()) {
      std::cerr << "sluice produce: " << reader.status().message() << "\n";
      return 2;
    }
    for (int64_t i = 0; more(i); ++i) {
      auto rec = (*reader)->Next();
      if (!rec.ok()) {
        std::cerr << "sluice produce: " << rec.status().message() << "\n";
        break;
      }
      if (!*rec) break;
      pacer.Wait(i);
      pipeline::Record r;
      r.partition_key = std::move((*rec)->partition_key);
      r.data = std::move((*rec)->data);
      if ((*producer)->Add(std::move(r)).ok()) ++added; else ++rejected;
      progress.Update(added, (*producer)->stats().Snapshot());
    }
    rejected += static_cast<int64_t>((*reader)->rejected() + (*reader)->malformed_json());
    for (const auto& p : (*reader)->problems()) std::cerr << "sluice produce: line " << p.line_number << ": " << p.reason << "\n";
  }
  (*producer)->Close();
  auto snap = (*producer)->stats().Snapshot();
  progress.Finish(added, snap);
  auto failures = (*producer)->failures();
  for (size_t i = 0; i < failures.size() && i < 10; ++i)
    std::cerr << "sluice produce: gave up on a record (key " << failures[i].record.partition_key << ") after "
              << failures[i].attempts << " attempts: " << failures[i].error_code << ": " << failures[i].error_message << "\n";

  std::string json = "{\"stream\":\"" + o.stream + "\",\"run_id\":\"" + run_id + "\",\"records_added\":" +
                     std::to_string(added) + ",\"rejected\":" + std::to_string(rejected) +
                     ",\"duplicates_injected\":" + std::to_string(duplicates_injected) +
                     ",\"failed\":" + std::to_string(failures.size()) +
                     ",\"stats\":" + pipeline::ProducerStats::RenderJson(snap) + "}";
  if (!o.quiet) {
    std::fprintf(stderr,
                 "produced %llu records (%s) to %s in %.2f s: %.0f records/s; %llu requests, %llu entries retried, "
                 "%llu throttled, %zu failed, %lld rejected, %llu duplicates injected\n",
                 static_cast<unsigned long long>(snap.records_sent), pipeline::FormatBytes(static_cast<double>(snap.bytes_sent)).c_str(),
                 o.stream.c_str(), snap.elapsed_ms / 1000.0, snap.average_records_per_s,
                 static_cast<unsigned long long>(snap.requests), static_cast<unsigned long long>(snap.entries_retried),
                 static_cast<unsigned long long>(snap.throttled), failures.size(), static_cast<long long>(rejected),
                 static_cast<unsigned long long>(duplicates_injected));
  }
  if (!o.summary_json.empty()) {
    std::ofstream out(o.summary_json);
    out << json << "\n";
  }
  return failures.empty() ? 0 : 1;
}

}  // namespace

void AddProduceCommand(CLI::App& app) {
  auto o = std::make_shared<ProduceOptions>();
  auto* cmd = app.add_subcommand("produce", "Send JSON events to a Kinesis stream (generated, or NDJSON input)");
  cmd->add_option("--stream-name", o->stream, "Stream to write to")->required();
  AddAwsOptions(cmd, &o->aws);
  cmd->add_option("--input", o->input, "NDJSON file, or - for stdin (default: generate events)");
  cmd->add_option("--count", o->count, "Events to send (default 1000 when generating)");
  cmd->add_option("--duration", o->duration_s, "Stop after this many seconds");
  cmd->add_option("--rate", o->rate, "Events per second (default: as fast as possible)");
  cmd->add_option("--duplicates", o->duplicates, "Fraction of generated events re-sent as duplicates (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--partition-key-field", o->partition_key_field,
                  "JSON field used as partition key (default: user_id of generated events; random for NDJSON)");
  cmd->add_option("--record-size", o->record_size, "Pad generated events to about this many bytes");
  cmd->add_option("--linger-ms", o->linger_ms, "Longest a record waits for its batch (like the KPL's RecordMaxBufferedTime)")
      ->capture_default_str();
  cmd->add_option("--senders", o->senders, "PutRecords requests in flight")->capture_default_str();
  cmd->add_flag("--aggregate", o->aggregate,
                "Pack records per shard into KPL aggregated records (what the KPL writes; consumers de-aggregate)");
  cmd->add_option("--aggregate-max-bytes", o->aggregate_max_bytes,
                  "Largest aggregated record, bytes (the KPL's AggregationMaxSize)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{64}, size_t{1} << 20));
  cmd->add_option("--seed", o->seed, "Generator seed (default: time)");
  cmd->add_option("--run-id", o->run_id, "Prefix of generated event ids (default: from the seed)");
  cmd->add_flag("--create-stream", o->create, "Create the stream if it does not exist, and wait for ACTIVE");
  cmd->add_option("--shard-count", o->shard_count, "Shards when --create-stream creates it")->capture_default_str();
  cmd->add_option("--summary-json", o->summary_json, "Write the final summary as JSON to this file");
  cmd->add_flag("--quiet", o->quiet, "No progress or summary on stderr");
  cmd->callback([o] {
    if (o->input.empty() && o->count < 0 && o->duration_s <= 0) o->count = 1000;
    SetExitCode(Run(*o));
  });
}

}  // namespace sluice::cli
