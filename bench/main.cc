// sluice-bench: a load generator for any endpoint speaking the Kinesis Data
// Streams JSON 1.1 protocol. See bench/README.md.
//
//   sluice-bench ingest --endpoint http://127.0.0.1:4567
//   sluice-bench all --endpoint http://127.0.0.1:4567 --label sluice
//   sluice-bench rss --pid 1234
//
// One JSON object per scenario on stdout; human text on stderr.
#include <unistd.h>

#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "report.h"
#include "scenarios.h"

namespace {

std::vector<std::string> SplitScenarios(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& r : raw) {
    std::stringstream ss(r);
    std::string s;
    while (std::getline(ss, s, ',')) {
      if (s.empty()) continue;
      if (s == "all") {
        for (const char* x : {"ingest", "drain", "putrecord", "put-get"}) out.emplace_back(x);
      } else if (s == "ddb") {
        for (const char* x : {"ddb-put", "ddb-get", "ddb-update"}) out.emplace_back(x);
      } else if (s == "putget" || s == "put_get") {
        out.emplace_back("put-get");
      } else {
        out.push_back(s);
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using sluice::bench::Options;
  Options o;
  std::vector<std::string> positional, flagged;
  std::string endpoint, label;
  double timeout_s = 60;
  bool allow_non_loopback = false;
  int pid = 0;

  CLI::App app{
      "sluice-bench: benchmark any Kinesis Data Streams (JSON 1.1) or DynamoDB (JSON 1.0) endpoint over HTTP/1.1.\n"
      "Scenarios: ingest, drain (runs ingest first), putrecord, put-get, rss, wait-ready, all;\n"
      "DynamoDB (JSON 1.0): ddb-put, ddb-get, ddb-update, ddb (all three)."};
  app.add_option("scenario", positional, "scenario(s), comma-separated");
  app.add_option("--scenario", flagged, "scenario(s), comma-separated");
  app.add_option("--endpoint", endpoint, "http://HOST:PORT of the Kinesis endpoint");
  app.add_option("--stream", o.stream, "stream name (default sluice-bench-<pid>)");
  app.add_option("--shards", o.shards, "shards per created stream")->capture_default_str();
  app.add_option("--connections", o.connections, "keep-alive connections (default: ingest 8, putrecord and ddb-* 16)");
  app.add_option("--duration", o.duration_s, "seconds per load phase (default 10)");
  app.add_option("--requests", o.requests, "requests per load phase instead of a duration (put-get: records)");
  app.add_option("--record-size", o.record_size, "bytes per record (ddb-put, ddb-get: item size)")
      ->capture_default_str();
  app.add_option("--table", o.table, "DynamoDB table name (default: the stream name + scenario)");
  app.add_option("--items", o.items, "ddb-get: items preloaded")->capture_default_str();
  app.add_option("--leases", o.leases, "ddb-update: lease items per connection")->capture_default_str();
  app.add_flag("--dynamodb", o.dynamodb, "wait-ready: probe with DynamoDB ListTables instead of Kinesis ListStreams");
  app.add_option("--batch-size", o.batch, "records per PutRecords")->capture_default_str();
  app.add_option("--rate", o.rate, "put-get producer rate, records/s")->capture_default_str();
  app.add_option("--threads", o.threads, "client threads")->capture_default_str();
  app.add_option("--get-limit", o.get_limit, "GetRecords Limit")->capture_default_str();
  app.add_option("--drain-timeout", o.drain_timeout_s, "drain time bound, s")->capture_default_str();
  app.add_option("--grace", o.grace_s, "put-get: consumer wait after the producer, s")->capture_default_str();
  app.add_option("--timeout", timeout_s, "per-request timeout, s")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed (default: random)");
  bool no_create = false;
  app.add_flag("--no-create", no_create, "use an existing ACTIVE stream and keep it");
  app.add_flag("--ignore-body", o.ignore_body, "do not parse responses (for a fixed-answer transport-ceiling server)");
  app.add_option("--rss-pid", o.rss_pid, "also report /proc/PID RSS right after ingest");
  app.add_option("--pid", pid, "rss: the process to read");
  app.add_option("--since-epoch-ns", o.since_epoch_ns, "wait-ready: wall-clock ns when the server was started");
  app.add_option("--label", label, "name of the target, copied into every JSON object");
  app.add_option("--region", o.creds.region, "SigV4 region")->capture_default_str();
  app.add_option("--access-key", o.creds.access_key, "SigV4 access key")->capture_default_str();
  app.add_option("--secret-key", o.creds.secret_key, "SigV4 secret key");
  app.add_flag("--allow-non-loopback", allow_non_loopback, "permit an endpoint outside 127.0.0.0/8 and ::1");
  CLI11_PARSE(app, argc, argv);

  o.create = !no_create;
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  if (pid > 0 && o.rss_pid == 0) o.rss_pid = pid;
  std::vector<std::string> raw = positional;
  raw.insert(raw.end(), flagged.begin(), flagged.end());
  std::vector<std::string> scenarios = SplitScenarios(raw);
  if (scenarios.empty()) {
    std::fprintf(stderr, "no scenario given\n%s", app.help().c_str());
    return 2;
  }
  for (const auto& s : scenarios) {
    if (s != "ingest" && s != "drain" && s != "putrecord" && s != "put-get" && s != "rss" && s != "wait-ready" &&
        s != "ddb-put" && s != "ddb-get" && s != "ddb-update") {
      std::fprintf(stderr, "unknown scenario: %s\n", s.c_str());
      return 2;
    }
  }
  const bool only_rss = scenarios.size() == 1 && scenarios[0] == "rss";
  if (!only_rss) {
    if (endpoint.empty()) {
      std::fprintf(stderr, "--endpoint is required\n");
      return 2;
    }
    auto ep = sluice::bench::ParseEndpoint(endpoint, allow_non_loopback);
    if (!ep.ok()) {
      std::fprintf(stderr, "%s\n", ep.status().message().c_str());
      return 2;
    }
    o.endpoint = *ep;
  }
  if (o.shards < 1 || o.record_size < 1 || o.batch < 1 || o.batch > 500 || o.rate <= 0 || o.get_limit < 1 ||
      o.threads < 1 || o.connections < 0 || o.items < 1 || o.leases < 1) {
    std::fprintf(stderr, "invalid numeric option\n");
    return 2;
  }
  if (app.count("--seed") == 0) o.seed = std::random_device{}();
  o.stream_given = !o.stream.empty();
  if (!o.stream_given) o.stream = "sluice-bench-" + std::to_string(getpid());
  o.table_given = !o.table.empty();
  sluice::bench::g_report_context = {label, endpoint};
  try {
    return sluice::bench::RunScenarios(scenarios, o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[sluice-bench] fatal: %s\n", e.what());
    return 1;
  }
}
