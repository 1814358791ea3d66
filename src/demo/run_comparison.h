// RunComparison: the tutorial's two paths run at once against one endpoint,
// measured side by side (issue 5). A producer sends JSON events (with a few
// injected duplicates) to a Kinesis stream for a bounded time; a
// deduplicating consumer reads the stream (path 1: Streams); a Firehose
// delivery stream reads the same stream and delivers buffered objects to an
// S3 bucket, which is watched and read back (path 2: Firehose). Latencies
// are put -> consumed and put -> object visible in S3, both from the
// producer's timestamp inside each event. What the run created is deleted
// at its end (also when it fails), unless kept: on AWS it costs money.
#pragma once

#include <ostream>
#include <string>

#include "base/status.h"
#include "compare/results.h"

namespace sluice::demo {

struct CompareOptions {
  // Where the services are. Neither set: an embedded `sluice serve`.
  std::string endpoint_url;  // every service at this one URL (a local server)
  bool aws = false;          // each service's endpoint, region and credentials from the AWS chain
                             // (real AWS, or AWS_ENDPOINT_URL_<SERVICE>); needs role_arn
  std::string data_dir;      // embedded server's data ("" = a new temporary directory, kept)
  std::string region;        // "" = the chain's (AWS_REGION, profile; us-east-1 for a local server)
  std::string profile;
  // Firehose's IAM roles (docs/aws.md): the one that writes to S3, and the one
  // that reads the Kinesis stream (default: the same). Required with `aws`;
  // a local server gets a role of the stream's account when left empty.
  std::string role_arn;
  std::string source_role_arn;
  // Keep the stream, delivery stream and bucket after the run. Without it
  // they are deleted, except on the embedded server (its data is kept to look at).
  bool keep = false;
  double duration_s = 30;
  double rate = 200;       // events per second
  size_t record_size = 0;  // pad events to about this size (0 = natural, ~130 B)
  int shards = 2;
  double duplicates = 0.05;  // fraction of puts that re-send an earlier event
  int buffer_size_mb = 5;
  int buffer_interval_s = 10;
  std::string compression = "GZIP";
  std::string name = "sluice-demo";  // base name of the stream, bucket and delivery stream
  int64_t linger_ms = 10;            // producer batching delay
  int64_t consumer_poll_ms = 200;    // consumer wait on a caught-up shard (AWS allows 5 reads/s)
};

// `progress` gets a line per phase and a live status line now and then.
Result<compare::ComparisonResults> RunComparison(const CompareOptions& options, std::ostream& progress);

}  // namespace sluice::demo
