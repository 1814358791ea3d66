// `sluice firehose put` — the tutorial's third script: JSON events sent to a
// DirectPut delivery stream with PutRecordBatch — and `sluice firehose create`
// to set up an S3 delivery stream (DirectPut or reading a Kinesis stream).
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/aws_options.h"
#include "cli/commands.h"
#include "sluice/firehose_client.h"
#include "sluice/pipeline/event_generator.h"
#include "sluice/pipeline/ndjson_reader.h"

namespace sluice::cli {

namespace {

// PutRecordBatch limits: 500 records and 4 MiB per call.
constexpr size_t kBatchRecords = 500;
constexpr size_t kBatchBytes = 4u << 20;

Result<std::unique_ptr<client::FirehoseClient>> MakeFirehoseClient(const AwsOptions& o) {
  client::ConfigOptions config;
  if (!o.endpoint_url.empty()) config.endpoint_url = o.endpoint_url;
  if (!o.region.empty()) config.region = o.region;
  if (!o.profile.empty()) config.profile = o.profile;
  client::ClientOptions copts;
  if (o.max_attempts > 0) copts.retry.max_attempts = o.max_attempts;
  auto c = client::FirehoseClient::FromEnvironment(config, copts);
  if (!c.ok()) return Status::InvalidArgument(c.error().message);
  return std::move(c).value();
}

struct PutOptions {
  AwsOptions aws;
  std::string name;
  std::string input;
  int64_t count = 1000;
  double rate = 0;
  double duplicates = 0;
  uint64_t seed = 0;
  std::string run_id;
  int max_retries = 5;
};

int RunPut(const PutOptions& o) {
  auto fh = MakeFirehoseClient(o.aws);
  if (!fh.ok()) {
    std::cerr << "sluice firehose put: " << fh.status().message() << "\n";
    return 2;
  }
  pipeline::EventGeneratorOptions g;
  g.seed = o.seed ? o.seed : static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  g.run_id = o.run_id;
  g.duplicate_fraction = o.duplicates;
  auto gen = pipeline::EventGenerator::Create(g);
  if (!gen.ok()) {
    std::cerr << "sluice firehose put: " << gen.status().message() << "\n";
    return 2;
  }
  std::unique_ptr<pipeline::NdjsonReader> reader;
  if (!o.input.empty()) {
    auto r = pipeline::NdjsonReader::Open(o.input, {});
    if (!r.ok()) {
      std::cerr << "sluice firehose put: " << r.status().message() << "\n";
      return 2;
    }
    reader = std::move(r).value();
  }
  // Each record is sent as one line; a delivery stream that appends its own
  // delimiter (--delimiter) gets the bare record, or every line would be
  // followed by a blank one.
  auto described = (*fh)->DescribeDeliveryStream(o.name);
  if (!described.ok()) {
    std::cerr << "sluice firehose put: " << described.error().ToString() << "\n";
    if (described.error().type == "ResourceNotFoundException")
      std::cerr << "hint: create it first, e.g. sluice firehose create --delivery-stream-name " << o.name
                << " --bucket BUCKET\n";
    return 1;
  }
  const std::string newline = described->appends_delimiter ? "" : "\n";
  const auto& stop = StopFlagOnSignals();
  auto start = std::chrono::steady_clock::now();
  int64_t sent = 0, failed = 0, calls = 0;
  std::vector<std::string> batch;
  size_t batch_bytes = 0;
  auto flush = [&]() -> bool {
    std::vector<std::string> pending = std::move(batch);
    batch.clear();
    batch_bytes = 0;
    for (int attempt = 0; !pending.empty(); ++attempt) {
      auto res = (*fh)->PutRecordBatch(o.name, pending);
      ++calls;
      if (!res.ok()) {
        std::cerr << "sluice firehose put: " << res.error().ToString() << "\n";
        failed += static_cast<int64_t>(pending.size());
        return false;
      }
      std::vector<std::string> retry;
      for (size_t i = 0; i < pending.size(); ++i) {
        if (res.value().error_codes[i].empty()) {
          ++sent;
        } else if (attempt + 1 < o.max_retries) {
          retry.push_back(std::move(pending[i]));
        } else {
          ++failed;
        }
      }
      pending = std::move(retry);
      if (!pending.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 5)));
    }
    return true;
  };
  for (int64_t i = 0; (reader || i < o.count) && !stop.load(); ++i) {
    if (o.rate > 0)
      std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(1e6 * double(i) / o.rate)));
    std::string data;
    if (reader) {
      auto rec = reader->Next();
      if (!rec.ok() || !*rec) break;
      data = std::move((*rec)->data);
    } else {
      data = (*gen)->Next().json;
    }
    data += newline;  // one JSON object per line in the delivered objects
    if (batch.size() == kBatchRecords || batch_bytes + data.size() > kBatchBytes) {
      if (!flush()) break;
    }
    batch_bytes += data.size();
    batch.push_back(std::move(data));
  }
  if (!batch.empty()) flush();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "sent " << sent << " records to delivery stream " << o.name << " in " << calls
            << " PutRecordBatch calls (" << static_cast<int64_t>(sent / std::max(secs, 1e-3)) << " records/s), "
            << failed << " failed, " << (*gen)->duplicates_injected() << " duplicates injected\n";
  return failed == 0 ? 0 : 1;
}

struct CreateOptions {
  AwsOptions aws;
  client::firehose::CreateDeliveryStreamRequest req;
  std::string bucket;
  std::string source_stream;
};

// The ARN of a Kinesis stream given by name or ARN, as the service reports it
// (DescribeStreamSummary): the account and region are never guessed.
Result<std::string> SourceStreamArn(const AwsOptions& aws, const std::string& stream) {
  if (stream.rfind("arn:", 0) == 0) return stream;
  SLUICE_ASSIGN_OR_RETURN(auto kinesis, MakeKinesisClient(aws));
  auto summary = kinesis->DescribeStreamSummary(client::kinesis::StreamId::Name(stream));
  if (!summary.ok())
    return Status::NotFound("source stream " + stream + ": " + summary.error().ToString() + " (Kinesis at " +
                            kinesis->options().config.endpoint_url + ", region " + kinesis->options().config.region +
                            ")");
  return summary.value().stream_arn;
}

int RunCreate(CreateOptions o) {
  auto fh = MakeFirehoseClient(o.aws);
  if (!fh.ok()) {
    std::cerr << "sluice firehose create: " << fh.status().message() << "\n";
    return 2;
  }
  o.req.destination.bucket_arn = "arn:aws:s3:::" + o.bucket;
  if (!o.source_stream.empty()) {
    o.req.type = "KinesisStreamAsSource";
    auto arn = SourceStreamArn(o.aws, o.source_stream);
    if (!arn.ok()) {
      std::cerr << "sluice firehose create: " << arn.status().message() << "\n";
      return 1;
    }
    o.req.kinesis_stream_arn = *arn;
  }
  auto arn = (*fh)->CreateDeliveryStream(o.req);
  if (!arn.ok()) {
    std::cerr << "sluice firehose create: " << arn.error().ToString() << "\n";
    return 1;
  }
  auto active = (*fh)->WaitForActive(o.req.name, std::chrono::seconds(60));
  if (!active.ok()) {
    std::cerr << "sluice firehose create: " << active.error().ToString() << "\n";
    return 1;
  }
  std::cout << arn.value() << "\n";
  return 0;
}

}  // namespace

void AddFirehoseCommand(CLI::App& app) {
  auto* fh = app.add_subcommand("firehose", "Amazon Data Firehose: create S3 delivery streams, put records");
  fh->require_subcommand(1);

  auto p = std::make_shared<PutOptions>();
  auto* put = fh->add_subcommand("put", "Send JSON events to a DirectPut delivery stream (PutRecordBatch)");
  put->add_option("--delivery-stream-name", p->name, "Delivery stream")->required();
  AddAwsOptions(put, &p->aws);
  put->add_option("--input", p->input, "NDJSON file or - (default: generate events)");
  put->add_option("--count", p->count, "Events to generate")->check(CLI::NonNegativeNumber)->capture_default_str();
  put->add_option("--rate", p->rate, "Events per second (default: as fast as possible)");
  put->add_option("--duplicates", p->duplicates, "Fraction of generated events sent twice")
      ->check(CLI::Range(0.0, 1.0));
  put->add_option("--seed", p->seed, "Generator seed");
  put->add_option("--run-id", p->run_id, "Prefix of generated event ids");
  put->callback([p] { SetExitCode(RunPut(*p)); });

  auto c = std::make_shared<CreateOptions>();
  auto* create = fh->add_subcommand("create", "Create an S3 delivery stream and wait until it is ACTIVE");
  create->add_option("--delivery-stream-name", c->req.name, "Delivery stream")->required();
  create->add_option("--bucket", c->bucket, "Destination S3 bucket")->required();
  create->add_option("--source-stream", c->source_stream,
                     "Kinesis stream (name or ARN) to read; default DirectPut. A delivery stream reading a Kinesis "
                     "stream starts at its LATEST records: records put before it was created are not delivered");
  create->add_option("--role-arn", c->req.destination.role_arn,
                     "IAM role Firehose writes to S3 with (required on AWS; a local server needs none)");
  create->add_option("--source-role-arn", c->req.kinesis_role_arn,
                     "IAM role Firehose reads the Kinesis stream with (default: --role-arn)");
  create->add_option("--prefix", c->req.destination.prefix,
                     "S3 key prefix (expressions like !{timestamp:yyyy/MM/dd/})");
  create->add_option("--error-output-prefix", c->req.destination.error_output_prefix,
                     "S3 key prefix for failed records");
  create->add_option("--buffer-size-mb", c->req.destination.buffering_size_mb, "BufferingHints.SizeInMBs")
      ->capture_default_str();
  create->add_option("--buffer-interval", c->req.destination.buffering_interval_s, "BufferingHints.IntervalInSeconds")
      ->capture_default_str();
  create->add_option("--compression", c->req.destination.compression, "UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY")
      ->capture_default_str();
  create->add_option("--delimiter", c->req.destination.delimiter, "Append this delimiter to every record (e.g. \\n)");
  AddAwsOptions(create, &c->aws);
  create->callback([c] { SetExitCode(RunCreate(*c)); });
}

}  // namespace sluice::cli
