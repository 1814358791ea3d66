// `sluice demo` (the main job) and `sluice compare` (the same measurement
// with every knob): Streams + deduplicating consumer against Streams ->
// Firehose -> S3, run at once and reported as a table, JSON and HTML.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "compare/render.h"
#include "demo/run_comparison.h"

namespace sluice::cli {

namespace {

struct DemoOptions {
  demo::CompareOptions run;
  std::string json_path;
  std::string html_path;
};

int Run(const DemoOptions& o, bool is_demo) {
  auto results = demo::RunComparison(o.run, std::cerr);
  if (!results.ok()) {
    std::cerr << "sluice " << (is_demo ? "demo" : "compare") << ": " << results.status().message() << "\n";
    return 1;
  }
  compare::TableOptions table;
  table.bold = ::isatty(STDOUT_FILENO);
  std::cout << "\n" << compare::RenderTable(*results, table) << std::flush;
  int status = 0;
  auto write_file = [&](const std::string& path, const std::string& contents, const char* what) {
    if (path.empty()) return;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) {
      std::cerr << "sluice " << (is_demo ? "demo" : "compare") << ": could not write " << what << " to " << path
                << "\n";
      status = 1;
      return;
    }
    std::cerr << "== " << what << ": " << path << "\n";
  };
  write_file(o.json_path, compare::SerializeResults(*results) + "\n", "results as JSON");
  write_file(o.html_path, compare::RenderHtml(*results), "report (self-contained; open it in any browser)");
  const auto& c = results->config;
  if (c.embedded) {
    std::cerr << "== the data stays in the embedded server's directory; to look at it:\n"
              << "     sluice serve --data-dir " << c.data_dir << " &\n"
              << "     aws --endpoint-url http://127.0.0.1:4566 s3 ls --recursive s3://" << c.bucket << "/\n";
  } else if (c.cleaned_up) {
    std::cerr << "== the stream, the delivery stream and the bucket of this run were deleted (--keep keeps them)\n";
  } else {
    std::cerr << "== kept: stream " << c.stream_name << ", delivery stream " << c.delivery_stream << ", bucket s3://"
              << c.bucket << "/\n";
  }
  bool complete = results->firehose.missing == 0 && results->streams.events_consumed == results->producer.unique_events;
  if (!complete)
    std::cerr << "== note: not every event reached both paths before the run ended (consumed "
              << results->streams.events_consumed << ", delivered " << results->firehose.events_delivered << " of "
              << results->producer.unique_events << ")\n";
  return status;
}

void AddCommon(CLI::App* cmd, DemoOptions* o, bool is_demo) {
  auto* endpoint = cmd->add_option("--endpoint-url", o->run.endpoint_url,
                                   "Every service at this one URL (a local server) instead of an embedded one");
  auto* aws = cmd->add_flag("--aws", o->run.aws,
                            "No embedded server: each service's endpoint, region and credentials from the AWS "
                            "configuration chain (real AWS, or AWS_ENDPOINT_URL_<SERVICE>); needs --role-arn");
  aws->excludes(endpoint);
  cmd->add_option("--role-arn", o->run.role_arn, "IAM role Firehose delivers to S3 with (required with --aws)");
  cmd->add_option("--source-role-arn", o->run.source_role_arn,
                  "IAM role Firehose reads the Kinesis stream with (default: --role-arn)");
  cmd->add_flag("--keep", o->run.keep,
                "Keep the stream, delivery stream and bucket (default: deleted after the run, "
                "except on the embedded server)");
  cmd->add_option("--data-dir", o->run.data_dir,
                  "Data directory of the embedded server (default: a new temporary one)");
  cmd->add_option("--region", o->run.region, "Region (default: the AWS chain's; us-east-1 for a local server)");
  cmd->add_option("--profile", o->run.profile, "AWS profile for credentials");
  cmd->add_option("--duration", o->run.duration_s, "Seconds of producing")->capture_default_str();
  if (is_demo) {
    o->json_path = "sluice-report.json";
    o->html_path = "sluice-report.html";
  }
  cmd->add_option("--json", o->json_path, "Write the results as JSON to this file (\"\" for none)")
      ->capture_default_str();
  cmd->add_option("--html", o->html_path, "Write a self-contained HTML report with plots to this file (\"\" for none)")
      ->capture_default_str();
}

}  // namespace

void AddDemoCommands(CLI::App& app) {
  auto d = std::make_shared<DemoOptions>();
  auto* demo = app.add_subcommand(
      "demo", "Run the whole pipeline on an embedded server and compare Streams with Firehose (the main job)");
  AddCommon(demo, d.get(), true);
  demo->callback([d] { SetExitCode(Run(*d, true)); });

  auto c = std::make_shared<DemoOptions>();
  auto* cmp = app.add_subcommand("compare", "Measure Streams + consumer against Firehose -> S3, with every knob");
  AddCommon(cmp, c.get(), false);
  cmp->add_option("--rate", c->run.rate, "Events per second")->capture_default_str();
  cmp->add_option("--record-size", c->run.record_size, "Pad events to about this many bytes");
  cmp->add_option("--shards", c->run.shards, "Shards of the stream")->capture_default_str();
  cmp->add_option("--duplicates", c->run.duplicates, "Fraction of puts that re-send an earlier event")
      ->capture_default_str();
  cmp->add_option("--buffer-size-mb", c->run.buffer_size_mb, "Firehose BufferingHints.SizeInMBs")
      ->capture_default_str();
  cmp->add_option("--buffer-interval", c->run.buffer_interval_s, "Firehose BufferingHints.IntervalInSeconds")
      ->capture_default_str();
  cmp->add_option("--compression", c->run.compression, "UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY")
      ->capture_default_str();
  cmp->add_option("--linger-ms", c->run.linger_ms, "Producer batching delay")->capture_default_str();
  cmp->add_option("--poll-ms", c->run.consumer_poll_ms, "Consumer wait on a caught-up shard")->capture_default_str();
  cmp->callback([c] { SetExitCode(Run(*c, false)); });
}

}  // namespace sluice::cli
