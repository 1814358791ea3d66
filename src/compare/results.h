// ComparisonResults: what one `sluice demo` / `sluice compare` run measured on
// the two ingestion paths of the seed tutorial, side by side:
//
//   streams:  producer -> Kinesis Data Streams -> custom deduplicating consumer
//   firehose: producer -> Kinesis Data Streams -> Firehose -> S3 objects
//
// The measuring code fills this struct; the renderers (render.h) turn it into
// a terminal table and a self-contained HTML report; SerializeResults is the
// `--json FILE` output and ParseResults reads it back (so a report can be
// re-rendered from a saved run).
//
// Units: every duration is in milliseconds unless the name says otherwise
// (`duration_s`, `interval_s`); every `t_ms` / `visible_at_ms` is relative to
// `config.started_at_ms` (the moment the producer started); counts are events
// or records (one event = one record on both paths).
//
// JSON layout: the same names as the fields below, in snake_case objects
// (see docs/report.md for an example); timelines are arrays of [t_ms, count]
// pairs, latency samples a flat array of numbers. ParseResults accepts
// documents with fields missing (they keep their defaults) and rejects ones
// whose fields have the wrong type.
//
// Thread-safety: plain values; the functions below are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::compare {

// The schema version written to and checked by the JSON form.
inline constexpr int kResultsVersion = 1;

// How many latency samples per path the JSON and the report keep at most;
// enough for a smooth CDF, small enough for a light HTML file.
inline constexpr size_t kMaxLatencySamples = 4000;

struct RunConfig {
  std::string endpoint;         // e.g. "http://127.0.0.1:4566" or an AWS URL
  bool embedded = false;        // true: the run started its own `sluice serve`
  std::string data_dir;         // the embedded server's data directory ("" otherwise)
  bool cleaned_up = false;      // the stream, delivery stream and bucket were deleted after the run
  std::string region;           // e.g. "us-east-1"
  std::string stream_name;      // the Kinesis data stream
  std::string delivery_stream;  // the Firehose delivery stream
  std::string bucket;           // the S3 bucket Firehose delivers to
  double duration_s = 0;        // how long the producer ran
  double rate = 0;              // target events per second
  uint64_t record_size = 0;     // approximate bytes per record
  uint32_t shards = 0;
  double duplicates_fraction = 0;     // share of puts that re-send an earlier event
  uint32_t buffering_size_mb = 0;     // Firehose BufferingHints.SizeInMBs
  uint32_t buffering_interval_s = 0;  // Firehose BufferingHints.IntervalInSeconds
  std::string compression;            // "UNCOMPRESSED", "GZIP", "Snappy", ...
  int64_t started_at_ms = 0;          // Unix epoch ms when the producer started
};

struct ProducerResults {
  uint64_t records_sent = 0;         // accepted puts, duplicates included
  uint64_t unique_events = 0;        // distinct event ids among them
  uint64_t duplicates_injected = 0;  // records_sent - unique_events, on purpose
  double records_per_s = 0;          // achieved put rate
  uint64_t failed = 0;               // records given up on after retries
};

// Exact order statistics over a path's latencies (not histogram buckets).
struct LatencySummary {
  uint64_t count = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// One point of a timeline: `count` events in the bucket starting at `t_ms`
// (1-s buckets for produced / consumed), or `count` records delivered at
// `t_ms` (one point per Firehose object).
struct TimelinePoint {
  int64_t t_ms = 0;
  uint64_t count = 0;
};

struct StreamsResults {
  LatencySummary latency;                  // put -> consumed by the consumer
  std::vector<double> latency_samples_ms;  // <= kMaxLatencySamples (ThinSamples)
  uint64_t events_consumed = 0;            // unique events processed once
  uint64_t duplicates_dropped = 0;         // duplicates the consumer removed
  double throughput_per_s = 0;             // events_consumed / active time
  std::vector<TimelinePoint> timeline;     // 1-s buckets of events consumed
};

struct FirehoseObject {
  std::string key;            // S3 object key
  uint64_t size_bytes = 0;    // stored (possibly compressed) size
  uint64_t records = 0;       // records inside
  int64_t visible_at_ms = 0;  // first seen in a listing, since start
};

struct RecordsPerObject {
  double min = 0, mean = 0, max = 0;
};

struct FirehoseResults {
  LatencySummary latency;                  // put -> object visible in S3
  std::vector<double> latency_samples_ms;  // <= kMaxLatencySamples (ThinSamples)
  uint64_t objects = 0;
  uint64_t total_bytes = 0;
  RecordsPerObject records_per_object;
  std::vector<FirehoseObject> object_list;  // in delivery order
  uint64_t events_delivered = 0;            // unique events found in objects
  uint64_t duplicates_seen = 0;             // records seen more than once across objects
  uint64_t missing = 0;                     // unique events never delivered by the end
  double throughput_per_s = 0;              // events_delivered / active time
  std::vector<TimelinePoint> timeline;      // one point per object: records delivered
};

// One row of the seed tutorial's comparison table, with measured figures.
struct BehaviourRow {
  std::string characteristic;  // "Delivery", "Destination", "Control", "Complexity"
  std::string streams;         // Kinesis Data Streams + custom consumer
  std::string firehose;        // Kinesis Data Firehose -> S3
};

struct ComparisonResults {
  int version = kResultsVersion;
  RunConfig config;
  ProducerResults producer;
  StreamsResults streams;
  FirehoseResults firehose;
  std::vector<TimelinePoint> produced_timeline;  // 1-s buckets of events produced
  std::vector<BehaviourRow> behaviour;           // FillBehaviour writes it
};

// The `--json FILE` form: one pretty-printed JSON object, ending in '\n'.
// Non-finite doubles are written as 0 (JSON has no NaN).
std::string SerializeResults(const ComparisonResults& results);

// Reads SerializeResults' output (or a hand-written subset of it).
// InvalidArgument: not JSON, not an object, a field of the wrong type, or a
// version newer than kResultsVersion.
Result<ComparisonResults> ParseResults(std::string_view json);

// Exact nearest-rank percentiles, max and mean of `samples_ms` (any order;
// non-finite values are ignored). All zero when empty.
LatencySummary SummarizeLatencies(const std::vector<double>& samples_ms);

// Keeps at most `max_samples` of `samples_ms`, sorted ascending, chosen at
// evenly spaced ranks (the minimum and maximum always kept), so that a CDF of
// the result matches the full distribution. Call after SummarizeLatencies.
void ThinSamples(std::vector<double>& samples_ms, size_t max_samples = kMaxLatencySamples);

// (Re)writes `results.behaviour`: the seed's four rows (Delivery,
// Destination, Control, Complexity), with its qualitative words completed by
// the measured figures, in English.
void FillBehaviour(ComparisonResults& results);

}  // namespace sluice::compare
