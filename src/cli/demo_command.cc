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
  if (!o.json_path.empty()) {
    std::ofstream(o.json_path) << compare::SerializeResults(*results) << "\n";
    std::cerr << "== results as JSON: " << o.json_path << "\n";
  }
  if (!o.html_path.empty()) {
    std::ofstream(o.html_path) << compare::RenderHtml(*results);
    std::cerr << "== report: " << o.html_path << " (self-contained; open it in any browser)\n";
  }
  const auto& c = results->config;
  if (c.embedded) {
    std::cerr << "== the data stays in the embedded server's directory; to look at it:\n"
              << "     sluice serve --data-dir <the data directory printed above> &\n"
              << "     aws --endpoint-url http://127.0.0.1:4566 s3 ls --recursive s3://" << c.bucket << "/\n";
  } else {
    std::cerr << "== delivered objects: aws --endpoint-url " << c.endpoint << " s3 ls --recursive s3://" << c.bucket
              << "/\n";
  }
  bool complete = results->firehose.missing == 0 && results->streams.events_consumed == results->producer.unique_events;
  if (!complete)
    std::cerr << "== note: not every event reached both paths before the run ended (consumed "
              << results->streams.events_consumed << ", delivered " << results->firehose.events_delivered << " of "
              << results->producer.unique_events << ")\n";
  return 0;
}

void AddCommon(CLI::App* cmd, DemoOptions* o) {
  cmd->add_option("--endpoint-url", o->run.endpoint_url, "Use this endpoint (e.g. real AWS) instead of an embedded server");
  cmd->add_option("--data-dir", o->run.data_dir, "Data directory of the embedded server (default: a new temporary one)");
  cmd->add_option("--region", o->run.region, "Region")->capture_default_str();
  cmd->add_option("--profile", o->run.profile, "AWS profile for credentials");
  cmd->add_option("--duration", o->run.duration_s, "Seconds of producing")->capture_default_str();
  cmd->add_option("--json", o->json_path, "Write the results as JSON to this file");
  cmd->add_option("--html", o->html_path, "Write a self-contained HTML report with plots to this file");
}

}  // namespace

void AddDemoCommands(CLI::App& app) {
  auto d = std::make_shared<DemoOptions>();
  auto* demo = app.add_subcommand(
      "demo", "Run the whole pipeline on an embedded server and compare Streams with Firehose (the main job)");
  AddCommon(demo, d.get());
  demo->callback([d] { SetExitCode(Run(*d, true)); });

  auto c = std::make_shared<DemoOptions>();
  auto* cmp = app.add_subcommand("compare", "Measure Streams + consumer against Firehose -> S3, with every knob");
  AddCommon(cmp, c.get());
  cmp->add_option("--rate", c->run.rate, "Events per second")->capture_default_str();
  cmp->add_option("--record-size", c->run.record_size, "Pad events to about this many bytes");
  cmp->add_option("--shards", c->run.shards, "Shards of the stream")->capture_default_str();
  cmp->add_option("--duplicates", c->run.duplicates, "Fraction of puts that re-send an earlier event")
      ->capture_default_str();
  cmp->add_option("--buffer-size-mb", c->run.buffer_size_mb, "Firehose BufferingHints.SizeInMBs")->capture_default_str();
  cmp->add_option("--buffer-interval", c->run.buffer_interval_s, "Firehose BufferingHints.IntervalInSeconds")
      ->capture_default_str();
  cmp->add_option("--compression", c->run.compression, "UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY")
      ->capture_default_str();
  cmp->add_option("--linger-ms", c->run.linger_ms, "Producer batching delay")->capture_default_str();
  cmp->add_option("--poll-ms", c->run.consumer_poll_ms, "Consumer wait on a caught-up shard")->capture_default_str();
  cmp->callback([c] { SetExitCode(Run(*c, false)); });
}

}  // namespace sluice::cli
