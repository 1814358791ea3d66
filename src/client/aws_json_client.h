// The AWS JSON 1.1 protocol over the HTTP transport: POST / with
// X-Amz-Target: <prefix>.<Operation>, Content-Type
// application/x-amz-json-1.1, signed with SigV4 afresh for every attempt
// (new X-Amz-Date), retried by the standard-mode RetryPolicy. Non-2xx
// responses become ApiError values with the AWS error code (`__type` after
// any '#', else the x-amzn-ErrorType header), message and x-amzn-RequestId.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "client/http_transport.h"
#include "sluice/client_options.h"

namespace sluice::client {

struct JsonProtocol {
  std::string target_prefix;  // "Kinesis_20131202"
  std::string signing_name;   // "kinesis"
};

class AwsJsonClient {
 public:
  static ApiResult<std::unique_ptr<AwsJsonClient>> Create(ClientOptions options, JsonProtocol protocol);

  // Sends `body` for `operation`; the 2xx response body, or the error.
  ApiResult<std::string> Call(std::string_view operation, std::string body);
  // One attempt (no retries) whose 2xx body is streamed to `on_body` (event
  // streams); returns once the body ended or `on_body` returned false.
  ApiResult<bool> CallStreaming(std::string_view operation, const std::string& body,
                                const std::function<bool(std::string_view)>& on_body);

  const ClientOptions& options() const { return options_; }
  HttpTransport& transport() { return *transport_; }
  const RetryPolicy& retry_policy() const { return retry_; }

 private:
  AwsJsonClient(ClientOptions options, JsonProtocol protocol, std::unique_ptr<HttpTransport> transport);
  ApiResult<std::string> Attempt(std::string_view operation, const std::string& body, const std::string& body_hash);
  HttpRequest SignedRequest(std::string_view operation, const std::string& body, const std::string& body_hash);

  ClientOptions options_;
  JsonProtocol protocol_;
  std::unique_ptr<HttpTransport> transport_;
  RetryPolicy retry_;
};

// `options` with its config resolved from `config` and the environment
// (aws_config.h) for `service`; kInvalidArgument when that fails.
ApiResult<ClientOptions> ResolveClientOptions(const ConfigOptions& config, ClientOptions options,
                                              const ServiceNames& service);

// Parses a non-2xx response into an ApiError (kService), for any body.
ApiError ErrorFromResponse(const HttpResponse& response);

}  // namespace sluice::client
