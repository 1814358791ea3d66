// A Kinesis Data Streams client: AWS JSON 1.1 (X-Amz-Target
// Kinesis_20131202.<Operation>), SigV4-signed, over a pooled keep-alive
// HTTP/1.1 (or HTTPS) transport with standard-mode retries. Works against
// real AWS, `sluice serve`, kinesalite, ... — only the endpoint differs.
//
// Thread-safe: one client may serve many threads (each call takes its own
// pooled connection). Every call returns ApiResult<T>; nothing throws.
//
//   auto cfg = client::ResolveConfig({.region = "eu-west-1"}, client::LoadConfigSources());
//   auto kc = client::KinesisClient::Create({.config = *cfg});
//   auto put = (*kc)->PutRecord({.stream = StreamId::Name("events"), .data = "x", .partition_key = "k"});
//   if (!put.ok()) std::cerr << put.error().ToString();
#pragma once

#include <functional>
#include <memory>

#include "sluice/api_error.h"
#include "sluice/client_options.h"
#include "sluice/kinesis_types.h"

namespace sluice::client {

class AwsJsonClient;

class KinesisClient {
 public:
  // Errors: kInvalidArgument (endpoint URL), kTls (TLS setup). Nothing is
  // sent until the first call.
  static ApiResult<std::unique_ptr<KinesisClient>> Create(ClientOptions options);
  // Resolves ConfigOptions against the real environment (aws_config.h)
  // and creates the client; kInvalidArgument when resolution fails.
  static ApiResult<std::unique_ptr<KinesisClient>> FromEnvironment(const ConfigOptions& config,
                                                                   ClientOptions options = {});
  ~KinesisClient();

  ApiResult<kinesis::Empty> CreateStream(const kinesis::CreateStreamRequest& request);
  ApiResult<kinesis::Empty> DeleteStream(const kinesis::DeleteStreamRequest& request);
  ApiResult<kinesis::StreamSummary> DescribeStreamSummary(const kinesis::StreamId& stream);
  // One page.
  ApiResult<kinesis::ListShardsResult> ListShards(const kinesis::ListShardsRequest& request);
  // Every page: follows NextToken (sending only NextToken and MaxResults on
  // later pages, as the API requires); the result has no next_token.
  ApiResult<kinesis::ListShardsResult> ListAllShards(const kinesis::ListShardsRequest& request);
  ApiResult<kinesis::PutRecordResult> PutRecord(const kinesis::PutRecordRequest& request);
  // A partial failure is a successful call: check failed_record_count and
  // each entry's error_code, and resend only the failed entries.
  ApiResult<kinesis::PutRecordsResult> PutRecords(const kinesis::PutRecordsRequest& request);
  ApiResult<kinesis::GetShardIteratorResult> GetShardIterator(const kinesis::GetShardIteratorRequest& request);
  ApiResult<kinesis::GetRecordsResult> GetRecords(const kinesis::GetRecordsRequest& request);

  // Enhanced fan-out: registers a consumer of the stream (ARN), or describes
  // an existing one.
  ApiResult<kinesis::StreamConsumer> RegisterStreamConsumer(const std::string& stream_arn, const std::string& name);
  ApiResult<kinesis::StreamConsumer> DescribeStreamConsumer(const std::string& stream_arn, const std::string& name);
  // Subscribes to a shard and calls `on_event` for every SubscribeToShardEvent
  // until the subscription ends (AWS: after 5 minutes, or at the end of a
  // closed shard), `on_event` returns false, or an error (an exception event
  // of the stream included). One attempt: the caller re-subscribes, from the
  // last ContinuationSequenceNumber, no sooner than 5 s after the previous
  // successful call.
  ApiResult<kinesis::Empty> SubscribeToShard(const kinesis::SubscribeToShardRequest& request,
                                             const std::function<bool(kinesis::SubscribeToShardEvent&)>& on_event);

  // Polls DescribeStreamSummary until the stream is ACTIVE (or `timeout`
  // passes: kTimeout), as `aws kinesis wait stream-exists`.
  ApiResult<kinesis::StreamSummary> WaitForActive(const kinesis::StreamId& stream, std::chrono::milliseconds timeout,
                                                  std::chrono::milliseconds poll = std::chrono::milliseconds(100));

  const ClientOptions& options() const;
  // Connections opened so far (keep-alive reuse is visible as a small number).
  size_t connections_opened() const;

 private:
  explicit KinesisClient(std::unique_ptr<AwsJsonClient> rpc);
  std::unique_ptr<AwsJsonClient> rpc_;
};

}  // namespace sluice::client
