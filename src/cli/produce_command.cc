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

#include "base/mutex.h"
#include "cli/aws_options.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/suggest.h"
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
  bool allow_rejects = false;
  double retry_for_s = 60;
  bool retry_forever = false;
};

// Failed records listed one by one on stderr; the rest are counted.
constexpr size_t kListedFailures = 100;

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

// The first contact: the stream's record limit, creating the stream first
// with --create-stream. Fails at once, with a hint, when nothing answers or
// the answer is one that retrying cannot change (unknown key, no stream).
Result<size_t> Preflight(const ProduceOptions& o, const client::KinesisClient& main) {
  SLUICE_ASSIGN_OR_RETURN(auto quick, MakeKinesisClient(o.aws, /*attempts=*/1));
  client::KinesisClient& c = *quick;
  auto kid = client::kinesis::StreamId::Name(o.stream);
  auto summary = c.DescribeStreamSummary(kid);
  if (!summary.ok() && summary.error().type == "ResourceNotFoundException" && o.create) {
    client::kinesis::CreateStreamRequest req;
    req.stream_name = o.stream;
    req.shard_count = o.shard_count;
    auto created = c.CreateStream(req);
    if (!created.ok() && created.error().type != "ResourceInUseException")
      return Status::Unavailable(DescribeFailure("CreateStream", created.error(), main, o.stream));
    summary = c.WaitForActive(kid, std::chrono::seconds(60));
  } else if (summary.ok() && summary->stream_status != "ACTIVE") {
    summary = c.WaitForActive(kid, std::chrono::seconds(60));
  }
  if (!summary.ok())
    return Status::Unavailable(DescribeFailure("DescribeStreamSummary", summary.error(), main, o.stream));
  return static_cast<size_t>(summary->max_record_size_kib.value_or(1024)) * 1024;
}

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

std::string LimitText(size_t limit) {
  return std::to_string(limit) + " bytes (" + std::to_string(limit / 1024) + " KiB, the stream's MaxRecordSizeInKiB)";
}

int Run(const ProduceOptions& o) {
  auto client = MakeKinesisClient(o.aws);
  if (!client.ok()) {
    std::cerr << "sluice produce: " << client.status().message() << "\n";
    return kUsageExitCode;
  }
  auto limit = Preflight(o, **client);
  if (!limit.ok()) {
    std::cerr << "sluice produce: " << limit.status().message() << "\n";
    return 1;
  }
  const size_t max_record = *limit;
  if (o.input.empty() && o.record_size + pipeline::kMaxPartitionKeyChars > max_record) {
    std::cerr << "sluice produce: --record-size " << o.record_size << " does not fit the record limit of "
              << LimitText(max_record) << " with a partition key of up to " << pipeline::kMaxPartitionKeyChars
              << " bytes: use at most " << max_record - pipeline::kMaxPartitionKeyChars << "\n";
    return kUsageExitCode;
  }
  const auto& stop = StopFlagOnSignals();
  workers::ProducerOptions popts;
  popts.stream = client::kinesis::StreamId::Name(o.stream);
  popts.batching.linger_ms = o.linger_ms;
  popts.batching.max_record_bytes = max_record;
  popts.batching.max_request_bytes =
      std::min(pipeline::kMaxPutRecordsRequestBytes, std::max(popts.batching.max_request_bytes, max_record));
  popts.senders = o.senders;
  popts.aggregate = o.aggregate;
  popts.aggregation.max_bytes = o.aggregate_max_bytes;
  popts.unavailable_timeout_ms = o.retry_forever ? -1 : static_cast<int64_t>(o.retry_for_s * 1000);
  popts.give_up = &stop;
  auto producer = workers::Producer::Start(**client, popts);
  if (!producer.ok()) {
    std::cerr << "sluice produce: " << producer.status().message() << "\n";
    return 1;
  }
  workers::Producer& p = **producer;
  Pacer pacer(o.rate);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o.duration_s * 1000));
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
  Mutex err_mu;  // stderr lines from the input loop and the progress thread
  auto report = [&](const std::string& line) {
    MutexLock lk(err_mu);
    std::cerr << "sluice produce: " << line << "\n";
  };

  // Progress and outage notices from a side thread: Add() blocks while the
  // queue is full, e.g. during an outage, and the display must go on.
  std::atomic<int64_t> added{0};
  std::atomic<bool> done{false};
  const bool live = !o.quiet && ::isatty(STDERR_FILENO);
  const std::string url = (*client)->options().config.endpoint_url;
  const std::string retry_limit = o.retry_forever ? "until it answers (--retry-forever)"
                                                  : "for up to " + FormatSeconds(o.retry_for_s) + " (--retry-for)";
  std::thread progress_thread([&] {
    Progress progress(live, o.count);
    int64_t outage_seen = 0;
    while (!done.load()) {
      int64_t since = p.unavailable_since_ms();
      if (since != 0 && outage_seen == 0) {
        if (!live)
          report("server unreachable at " + url + ", retrying " + retry_limit + ": " + p.last_unavailable_error());
        outage_seen = since;
      } else if (since == 0 && outage_seen != 0) {
        if (!live) report("server reachable again");
        outage_seen = 0;
      }
      std::string prefix;
      if (since != 0)
        prefix =
            "server unreachable, retrying (" + std::to_string((Clock::Real().NowMillis() - since) / 1000) + " s) | ";
      {
        MutexLock lk(err_mu);
        progress.Update(added.load(), p.stats().Snapshot(), prefix);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    MutexLock lk(err_mu);
    progress.Finish(added.load(), p.stats().Snapshot());
  });

  bool input_failed = false;
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
      report(gen.status().message());
      input_failed = true;
    } else {
      run_id = (*gen)->run_id();
      for (int64_t i = 0; more(i); ++i) {
        pacer.Wait(i);
        auto ev = (*gen)->Next();
        pipeline::Record r;
        r.id = static_cast<uint64_t>(i + 1);  // "event N" in reports
        r.partition_key = key_of(ev.json, ev.user_id);
        r.data = std::move(ev.json);
        if (Status st = p.Add(std::move(r)); st.ok()) ++added;
        else report("event " + std::to_string(i + 1) + " rejected: " + st.message());
      }
      duplicates_injected = (*gen)->duplicates_injected();
    }
  } else {
    pipeline::NdjsonOptions n;
    n.partition_key_field = o.partition_key_field;
    n.max_line_bytes = max_record;
    n.on_problem = [&](const pipeline::NdjsonProblem& problem) {
      p.CountRejected();
      report("line " + std::to_string(problem.line_number) + " rejected: " + problem.reason);
    };
    auto reader = pipeline::NdjsonReader::Open(o.input, n);
    if (!reader.ok()) {
      report(reader.status().message());
      input_failed = true;
    } else {
      for (int64_t i = 0; more(i); ++i) {
        auto rec = (*reader)->Next();
        if (!rec.ok()) {
          report(rec.status().message());
          input_failed = true;
          break;
        }
        if (!*rec) break;
        pacer.Wait(i);
        pipeline::Record r;
        r.id = (*rec)->line_number;  // failures name the input line
        r.partition_key = std::move((*rec)->partition_key);
        r.data = std::move((*rec)->data);
        if (Status st = p.Add(std::move(r)); st.ok()) ++added;
        else report("line " + std::to_string((*rec)->line_number) + " rejected: " + st.message());
      }
    }
  }
  p.Close();
  done.store(true);
  progress_thread.join();
  auto snap = p.stats().Snapshot();
  auto failures = p.failures();
  const char* unit = o.input.empty() ? "event " : "line ";
  for (size_t i = 0; i < failures.size() && i < kListedFailures; ++i) {
    const auto& f = failures[i];
    std::string where = f.record.id != 0 && f.record.user_records == 1
                            ? unit + std::to_string(f.record.id)
                            : "a record (key " + f.record.partition_key + ")";
    report(where + " not sent after " + std::to_string(f.attempts) + " attempt(s): " + f.error_code + ": " +
           f.error_message);
  }
  if (failures.size() > kListedFailures)
    report("... and " + std::to_string(failures.size() - kListedFailures) + " more records not sent (" +
           std::to_string(failures.size()) + " in all)");
  if (!failures.empty()) {
    client::ApiError last;
    last.type = failures.back().error_code;
    if (last.type == "ServerUnavailable") last.kind = client::ErrorKind::kNetwork;  // no answer at all
    std::string hint = HintFor(last, **client, o.stream);
    if (!hint.empty()) report(hint);
  }

  // One set of counts for the text summary, --summary-json and the exit code.
  std::string json =
      "{\"stream\":\"" + o.stream + "\",\"run_id\":\"" + run_id +
      "\",\"records_added\":" + std::to_string(added.load()) + ",\"rejected\":" + std::to_string(snap.rejected) +
      ",\"duplicates_injected\":" + std::to_string(duplicates_injected) + ",\"failed\":" + std::to_string(snap.failed) +
      ",\"max_record_bytes\":" + std::to_string(max_record) +
      ",\"stats\":" + pipeline::ProducerStats::RenderJson(snap) + "}";
  if (!o.quiet) {
    std::fprintf(stderr,
                 "produced %llu records (%s) to %s in %.2f s: %.0f records/s; %llu requests, %llu entries retried, "
                 "%llu throttled, %llu failed, %llu rejected, %llu duplicates injected\n",
                 static_cast<unsigned long long>(snap.records_sent),
                 pipeline::FormatBytes(static_cast<double>(snap.bytes_sent)).c_str(), o.stream.c_str(),
                 snap.elapsed_ms / 1000.0, snap.average_records_per_s, static_cast<unsigned long long>(snap.requests),
                 static_cast<unsigned long long>(snap.entries_retried), static_cast<unsigned long long>(snap.throttled),
                 static_cast<unsigned long long>(snap.failed), static_cast<unsigned long long>(snap.rejected),
                 static_cast<unsigned long long>(duplicates_injected));
  }
  if (!o.summary_json.empty()) {
    if (o.summary_json == "-") {
      std::cout << json << "\n" << std::flush;
    } else {
      std::ofstream out(o.summary_json);
      out << json << "\n";
      if (!out) {
        report("cannot write " + o.summary_json);
        return 1;
      }
    }
  }
  if (input_failed || snap.failed > 0 || !failures.empty()) return 1;
  if (snap.rejected > 0 && !o.allow_rejects) return 1;
  return 0;
}

}  // namespace

void AddProduceCommand(CLI::App& app) {
  auto o = std::make_shared<ProduceOptions>();
  auto* cmd = app.add_subcommand("produce", "Send JSON events to a Kinesis stream (generated, or NDJSON input)");
  cmd->footer(
      "Every record not sent is reported on stderr with its line (NDJSON) or event number and the reason.\n"
      "Exit status: 0 every record sent; 1 some record rejected (invalid or larger than the stream's record\n"
      "limit; see --allow-rejects) or not sent (the error cannot be fixed by retrying, e.g. unknown access key or\n"
      "missing stream, or the server stayed unreachable longer than --retry-for), or the server could not be\n"
      "reached at start (nothing answering fails at once, with a hint); 2 usage error.");
  cmd->add_option("--stream-name", o->stream, "Stream to write to")->required();
  AddAwsOptions(cmd, &o->aws);
  cmd->add_option("--input", o->input, "NDJSON file, or - for stdin (default: generate events)");
  cmd->add_option("--count", o->count, "Events to send (default 1000 when generating)")->check(NonNegative());
  cmd->add_option("--duration", o->duration_s, "Stop after this many seconds")->check(NonNegative());
  cmd->add_option("--rate", o->rate, "Events per second (default: as fast as possible)")->check(NonNegative());
  cmd->add_option("--duplicates", o->duplicates, "Fraction of generated events re-sent as duplicates (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--partition-key-field", o->partition_key_field,
                  "JSON field used as partition key (default: user_id of generated events; random for NDJSON)");
  cmd->add_option("--record-size", o->record_size,
                  "Pad generated events to about this many bytes; must leave room for a partition key (256 bytes) "
                  "under the stream's record limit (1 MiB unless raised with UpdateMaxRecordSize), else exit 2")
      ->check(CLI::Range(size_t{0}, pipeline::kMaxRecordBytesLimit));
  cmd->add_option("--linger-ms", o->linger_ms,
                  "Longest a record waits for its batch (like the KPL's RecordMaxBufferedTime)")
      ->capture_default_str();
  cmd->add_option("--senders", o->senders, "PutRecords requests in flight")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
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
  cmd->add_option("--summary-json", o->summary_json,
                  "Write the final summary as JSON to this file, or - for stdout (same counts as the text summary)");
  cmd->add_flag("--quiet", o->quiet, "No progress or summary on stderr (rejections, failures and outages still are)");
  cmd->add_flag("--allow-rejects", o->allow_rejects,
                "Exit 0 even when input records were rejected (invalid, too large); failed sends still exit 1");
  cmd->add_option("--retry-for", o->retry_for_s,
                  "Seconds to keep resending while the server is unreachable or failing (connection errors, 5xx) "
                  "before giving up on the records")
      ->check(NonNegative())
      ->capture_default_str();
  cmd->add_flag("--retry-forever", o->retry_forever, "Ride out any outage: resend until the server answers");
  cmd->callback([o] {
    if (o->input.empty() && o->count < 0 && o->duration_s <= 0) o->count = 1000;
    SetExitCode(Run(*o));
  });
}

}  // namespace sluice::cli
