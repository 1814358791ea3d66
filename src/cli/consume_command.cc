// `sluice consume`: reads a stream in near real time, drops duplicate events,
// writes each unique event once (sluice/consumer.h), with live stats.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <thread>

#include "base/mutex.h"
#include "cli/aws_options.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/suggest.h"
#include "sluice/consumer.h"

namespace sluice::cli {

namespace {

struct ConsumeOptions {
  AwsOptions aws;
  std::string stream;
  std::string checkpoint_db;
  std::string output = "-";
  std::string from = "trim-horizon";
  std::string dedup_field = "event_id";
  double idle_exit_s = -1;
  int64_t process_ms = 0;
  int64_t max_events = -1;
  int64_t poll_ms = 200;
  int batch_size = 10000;
  size_t dedup_window = 100'000;
  double dedup_window_s = 3600;
  std::string stats_json;
  bool quiet = false;
  bool efo = false;
  std::string efo_consumer = "sluice-consume";
};

// "trim-horizon", "latest", epoch seconds, or ISO 8601 UTC ("2026-11-26T09:00:00Z").
Status ParseFrom(const std::string& s, workers::ConsumerOptions* o) {
  if (s == "trim-horizon" || s == "TRIM_HORIZON") {
    o->start = workers::StartPosition::kTrimHorizon;
    return Status::Ok();
  }
  if (s == "latest" || s == "LATEST") {
    o->start = workers::StartPosition::kLatest;
    return Status::Ok();
  }
  o->start = workers::StartPosition::kAtTimestamp;
  char* end = nullptr;
  double secs = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && !s.empty()) {
    o->start_timestamp_ms = static_cast<int64_t>(std::llround(secs * 1000));
    return Status::Ok();
  }
  struct tm tm {};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest || (*rest != '\0' && *rest != 'Z'))
    return Status::InvalidArgument("--from takes trim-horizon, latest, epoch seconds or YYYY-MM-DDTHH:MM:SSZ");
  o->start_timestamp_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return Status::Ok();
}

int Run(const ConsumeOptions& o) {
  workers::ConsumerOptions copts;
  copts.stream = client::kinesis::StreamId::Name(o.stream);
  copts.checkpoint_db = o.checkpoint_db.empty() ? "sluice-consumer-" + o.stream + ".db" : o.checkpoint_db;
  if (Status st = ParseFrom(o.from, &copts); !st.ok()) {
    std::cerr << "sluice consume: " << st.message() << "\n";
    return kUsageExitCode;
  }
  copts.dedup_field = o.dedup_field;
  copts.dedup_window.max_entries = o.dedup_window;
  copts.dedup_window.max_age_ms = static_cast<int64_t>(o.dedup_window_s * 1000);
  copts.idle_exit_ms = o.idle_exit_s < 0 ? -1 : static_cast<int64_t>(o.idle_exit_s * 1000);
  copts.process_delay_ms = o.process_ms;
  copts.max_events = o.max_events;
  copts.poll_interval_ms = o.poll_ms;
  copts.get_limit = o.batch_size;
  if (o.efo) copts.efo_consumer_name = o.efo_consumer;

  auto client = MakeKinesisClient(o.aws);
  if (!client.ok()) {
    std::cerr << "sluice consume: " << client.status().message() << "\n";
    return kUsageExitCode;
  }
  // Outages are ridden out (sluice/consumer.h) and shown: on the live line
  // on a terminal, else as a line when one starts and when it ends.
  const bool live = !o.quiet && ::isatty(STDERR_FILENO) && o.output != "-";
  const std::string url = (*client)->options().config.endpoint_url;
  Mutex outage_mu;
  std::string outage_line;  // under outage_mu; "" when the server answers
  copts.on_outage = [&](const workers::OutageNotice& n) {
    std::string line;
    if (n.recovered) {
      line = "server reachable again after " + std::to_string(n.outage_ms / 1000) + " s";
    } else {
      char next[32];
      std::snprintf(next, sizeof next, "%.1f", static_cast<double>(n.retry_in_ms) / 1000.0);
      line = "server unreachable at " + url + ", retrying (attempt " + std::to_string(n.attempt) + ", next in " + next +
             " s): " + n.error;
    }
    MutexLock lk(outage_mu);
    outage_line = n.recovered ? "" : line;
    // Off a terminal: the first failure of an outage, every 10th after, and the end.
    if (!live && (n.recovered || n.attempt == 1 || n.attempt % 10 == 0))
      std::cerr << "sluice consume: " << line << "\n" << std::flush;
  };
  auto sink = workers::NdjsonFileSink(o.output);
  if (!sink.ok()) {
    std::cerr << "sluice consume: " << sink.status().message() << "\n";
    return 1;
  }
  auto consumer = workers::Consumer::Open(**client, copts, std::move(sink).value());
  if (!consumer.ok()) {
    std::cerr << "sluice consume: " << consumer.status().message() << "\n";
    return 1;
  }
  const auto& stop = StopFlagOnSignals();
  // Live stats on a terminal, refreshed by a side thread.
  std::atomic<bool> done{false};
  std::thread stats_thread([&] {
    Progress progress(live, 0);
    while (!done.load()) {
      std::string prefix;
      {
        MutexLock lk(outage_mu);
        if (!outage_line.empty()) prefix = outage_line.substr(0, 120) + " | ";
      }
      progress.UpdateLine(prefix + (*consumer)->stats().RenderLine());
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    progress.FinishLine();
  });
  Status st = (*consumer)->Run(stop);
  done.store(true);
  stats_thread.join();
  auto snap = (*consumer)->stats().Snapshot();
  if (!o.quiet) std::cerr << "consumed from " << o.stream << ": " << pipeline::ConsumerStats::RenderLine(snap) << "\n";
  if (!o.stats_json.empty()) {
    std::ofstream out(o.stats_json);
    out << pipeline::ConsumerStats::RenderJson(snap) << "\n";
  }
  if (!st.ok()) {
    std::cerr << "sluice consume: " << st.message() << "\n";
    if (const auto& e = (*consumer)->last_api_error()) {
      std::string hint = HintFor(*e, **client, o.stream);
      if (!hint.empty()) std::cerr << "  " << hint << "\n";
    }
    return 1;
  }
  return 0;
}

}  // namespace

void AddConsumeCommand(CLI::App& app) {
  auto o = std::make_shared<ConsumeOptions>();
  auto* cmd = app.add_subcommand("consume", "Read a Kinesis stream, drop duplicate events, process each once");
  cmd->footer(
      "Outages: connection errors, timeouts and 5xx answers are retried forever (backoff capped at 5 s, with\n"
      "jitter; \"server unreachable, retrying\" is shown on stderr) once the server has answered; nothing answering\n"
      "at start, an unknown access key, a bad signature or a missing stream fail at once with a hint.\n"
      "Exit status: 0 stopped (signal, --idle-exit, --max-events); 1 error; 2 usage error.");
  cmd->add_option("--stream-name", o->stream, "Stream to read")->required();
  AddAwsOptions(cmd, &o->aws);
  cmd->add_option("--checkpoint-db", o->checkpoint_db, "SQLite checkpoint file (default sluice-consumer-<stream>.db)");
  cmd->add_option("--output", o->output,
                  "Where processed events go, one per line: a file, or - for stdout. Exactly once across crashes "
                  "needs a regular file (cut back to the checkpoint on restart); stdout, a pipe or a device "
                  "(/dev/null) is not synced and cannot be cut back: at-least-once across crashes")
      ->capture_default_str();
  cmd->add_option("--from", o->from, "Start for shards without a checkpoint: trim-horizon, latest, or a timestamp")
      ->capture_default_str();
  cmd->add_option("--dedup-field", o->dedup_field, "JSON field identifying an event (\"\" disables dedup)")
      ->capture_default_str();
  cmd->add_option("--dedup-window", o->dedup_window, "Event ids remembered for dedup")->capture_default_str();
  cmd->add_option("--dedup-window-seconds", o->dedup_window_s, "How long an event id is remembered")
      ->capture_default_str();
  cmd->add_option("--idle-exit", o->idle_exit_s, "Stop after this many seconds with nothing new")->check(NonNegative());
  cmd->add_option("--process-ms", o->process_ms, "Simulated processing time per event, ms")->check(NonNegative());
  cmd->add_option("--max-events", o->max_events,
                  "Stop after exactly this many unique events (written and checkpointed; the rest is read next time)")
      ->check(NonNegative());
  cmd->add_option("--batch-size", o->batch_size, "Records per GetRecords (Limit); each batch is one checkpoint")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--poll-ms", o->poll_ms, "Wait between GetRecords on a caught-up shard")
      ->check(NonNegative())
      ->capture_default_str();
  cmd->add_flag("--efo", o->efo,
                "Enhanced fan-out: register a stream consumer and have records pushed (SubscribeToShard) instead of "
                "polling GetRecords");
  cmd->add_option("--efo-consumer", o->efo_consumer, "Name of the registered stream consumer with --efo")
      ->capture_default_str();
  cmd->add_option("--stats-json", o->stats_json, "Write final statistics as JSON to this file");
  cmd->add_flag("--quiet", o->quiet, "No live stats or summary on stderr");
  cmd->callback([o] { SetExitCode(Run(*o)); });
}

}  // namespace sluice::cli
