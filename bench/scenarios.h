// The benchmark scenarios. Each prints one JSON object on stdout (see
// bench/README.md for the fields) and a human summary on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "kinesis_client.h"

namespace sluice::bench {

struct Options {
  Endpoint endpoint;
  Credentials creds;
  std::string stream;         // base stream name
  bool stream_given = false;  // --stream was passed
  int shards = 4;
  int connections = 0;    // 0: scenario default (ingest 8, putrecord 16)
  double duration_s = 0;  // 0: scenario default (10 s); with --requests, a 300 s cap
  int64_t requests = 0;   // 0: run for duration_s
  int record_size = 1024;
  int batch = 500;                           // records per PutRecords
  double rate = 200;                         // put-get producer, records/s
  int threads = 1;                           // threads running the client io_context
  bool create = true;                        // false: --no-create, stream must exist and is kept
  bool ignore_body = false;                  // do not parse response bodies (transport ceiling)
  int rss_pid = 0;                           // read /proc/PID/status after ingest (and for `rss`)
  std::chrono::milliseconds timeout{60000};  // per request
  uint64_t seed = 0;
  int get_limit = 10000;
  double drain_timeout_s = 120;
  double grace_s = 10;         // put-get: how long the consumer waits after the producer
  int64_t since_epoch_ns = 0;  // wait-ready: the exec time of the server
  bool dynamodb = false;       // wait-ready: probe with DynamoDB ListTables, not ListStreams
  // DynamoDB scenarios (ddb-put, ddb-get, ddb-update)
  std::string table;         // base table name (default: the stream name)
  bool table_given = false;  // --table was passed
  int64_t items = 10000;     // ddb-get: items preloaded
  int leases = 8;            // ddb-update: lease items per connection
};

// Runs the comma-separated scenarios in order (ingest, drain, putrecord,
// put-get, rss, wait-ready, or all = ingest,drain,putrecord,put-get; then
// ddb-put, ddb-get, ddb-update, or ddb = all three).
// Returns the process exit code: 0 when every scenario completed with at least
// one successful request, 1 otherwise.
int RunScenarios(const std::vector<std::string>& scenarios, Options& options);

}  // namespace sluice::bench
