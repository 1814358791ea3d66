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
  std::string role_arn = "arn:aws:iam::000000000000:role/firehose-delivery";
  std::string prefix;
  std::string error_output_prefix;
  int buffering_size_mb = 5;
  int buffering_interval_s = 300;
  std::string compression = "UNCOMPRESSED";  // UNCOMPRESSED | GZIP | ZIP | Snappy | HADOOP_SNAPPY
  std::string delimiter;                      // AppendDelimiterToRecord processor when non-empty
};

struct CreateDeliveryStreamRequest {
  std::string name;
  std::string type = "DirectPut";  // DirectPut | KinesisStreamAsSource
  std::string kinesis_stream_arn;  // for KinesisStreamAsSource
  std::string kinesis_role_arn = "arn:aws:iam::000000000000:role/firehose-source";
  S3Destination destination;
};

struct DeliveryStreamStatus {
  std::string status;  // CREATING | ACTIVE | DELETING | ...
  std::string version_id;
  std::string arn;
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

  ApiResult<std::string> CreateDeliveryStream(const firehose::CreateDeliveryStreamRequest& request);  // the ARN
  ApiResult<firehose::DeliveryStreamStatus> DescribeDeliveryStream(const std::string& name);
  ApiResult<firehose::DeliveryStreamStatus> WaitForActive(const std::string& name, std::chrono::milliseconds timeout);
  ApiResult<firehose::PutRecordBatchResult> PutRecordBatch(const std::string& name,
                                                           const std::vector<std::string>& records);
  ApiResult<bool> DeleteDeliveryStream(const std::string& name);

 private:
  explicit FirehoseClient(std::unique_ptr<AwsJsonClient> rpc);
  std::unique_ptr<AwsJsonClient> rpc_;
};

}  // namespace sluice::client
