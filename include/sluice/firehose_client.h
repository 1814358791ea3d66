// An Amazon Data Firehose client: AWS JSON 1.1 (Firehose_20150804), SigV4
// (service "firehose"), the same pooled transport and standard retries as the
// Kinesis client. Covers what the tutorial's pipeline needs: creating an S3
// delivery stream (DirectPut or reading a Kinesis stream), watching it become
// ACTIVE, PutRecordBatch, deleting it. Thread-safe; nothing throws.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/api_error.h"
#include "sluice/client_options.h"

namespace sluice::client {

class AwsJsonClient;

namespace firehose {

struct S3Destination {
  std::string bucket_arn;  // arn:aws:s3:::<bucket>
  // The IAM role Firehose writes to S3 with (docs/aws.md). Required unless
  // the endpoint is a local server, where "" means a role named
  // sluice-firehose-delivery in the source stream's account (or 000000000000).
  std::string role_arn;
  std::string prefix;
  std::string error_output_prefix;
  int buffering_size_mb = 5;
  int buffering_interval_s = 300;
  std::string compression = "UNCOMPRESSED";  // UNCOMPRESSED | GZIP | ZIP | Snappy | HADOOP_SNAPPY
  std::string delimiter;                     // AppendDelimiterToRecord processor when non-empty
};

struct CreateDeliveryStreamRequest {
  std::string name;
  std::string type = "DirectPut";  // DirectPut | KinesisStreamAsSource
  std::string kinesis_stream_arn;  // for KinesisStreamAsSource
  // The IAM role Firehose reads the stream with; "" = destination.role_arn.
  std::string kinesis_role_arn;
  S3Destination destination;
};

struct DeliveryStreamStatus {
  std::string status;  // CREATING | ACTIVE | DELETING | ...
  std::string version_id;
  std::string arn;
  // The S3 destination's processing appends a delimiter to every record
  // (an enabled AppendDelimiterToRecord processor).
  bool appends_delimiter = false;
};

struct PutRecordBatchResult {
  int failed_put_count = 0;
  std::vector<std::string> record_ids;   // "" for failed entries
  std::vector<std::string> error_codes;  // "" for successful entries
};

}  // namespace firehose

class FirehoseClient {
 public:
  static ApiResult<std::unique_ptr<FirehoseClient>> Create(ClientOptions options);
  // Resolves configuration (AWS_ENDPOINT_URL_FIREHOSE, ...) like the Kinesis client.
  static ApiResult<std::unique_ptr<FirehoseClient>> FromEnvironment(const ConfigOptions& config,
                                                                    ClientOptions options = {});
  ~FirehoseClient();

  // The new delivery stream's ARN. kInvalidArgument, before any request,
  // when a role ARN is missing and the endpoint is not a local server.
  ApiResult<std::string> CreateDeliveryStream(const firehose::CreateDeliveryStreamRequest& request);
  ApiResult<firehose::DeliveryStreamStatus> DescribeDeliveryStream(const std::string& name);
  ApiResult<firehose::DeliveryStreamStatus> WaitForActive(const std::string& name, std::chrono::milliseconds timeout);
  ApiResult<firehose::PutRecordBatchResult> PutRecordBatch(const std::string& name,
                                                           const std::vector<std::string>& records);
  ApiResult<bool> DeleteDeliveryStream(const std::string& name);

  // The resolved configuration (endpoint, region, credentials' source).
  const ClientOptions& options() const;

 private:
  explicit FirehoseClient(std::unique_ptr<AwsJsonClient> rpc);
  std::unique_ptr<AwsJsonClient> rpc_;
};

}  // namespace sluice::client
