#include "client/aws_json_client.h"

#include <rapidjson/document.h>

#include <random>
#include <thread>

namespace sluice::client {
namespace {

std::string ErrorCodeFrom(std::string_view type) {
  // "com.amazonaws.kinesis.v20131202#ResourceNotFoundException" or
  // "ResourceNotFoundException:http://internal.amazon.com/..." (x-amzn-ErrorType).
  if (size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return std::string(type);
}

std::function<double()> DefaultRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace

ApiError ErrorFromResponse(const HttpResponse& response) {
  ApiError e;
  e.kind = ErrorKind::kService;
  e.http_status = response.status;
  e.request_id = response.Header("x-amzn-RequestId");
  if (e.request_id.empty()) e.request_id = response.Header("x-amz-request-id");
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    for (const char* key : {"__type", "code", "Code"}) {
      auto it = doc.FindMember(key);
      if (it != doc.MemberEnd() && it->value.IsString()) {
        e.type = ErrorCodeFrom(it->value.GetString());
        break;
      }
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      auto it = doc.FindMember(key);
      if (it != doc.MemberEnd() && it->value.IsString()) {
        e.message = it->value.GetString();
        break;
      }
    }
  } else if (!response.body.empty()) {
    e.message = response.body.substr(0, 512);
  }
  if (e.type.empty()) e.type = ErrorCodeFrom(response.Header("x-amzn-ErrorType"));
  if (e.type.empty()) e.type = "HTTP" + std::to_string(response.status);
  return e;
}

ApiResult<ClientOptions> ResolveClientOptions(const ConfigOptions& config, ClientOptions options,
                                              const ServiceNames& service) {
  auto resolved = ResolveConfig(config, LoadConfigSources(), service);
  if (!resolved.ok()) {
    ApiError e;
    e.kind = ErrorKind::kInvalidArgument;
    e.message = resolved.status().message();
    return e;
  }
  options.config = std::move(resolved.value());
  return options;
}

ApiResult<std::unique_ptr<AwsJsonClient>> AwsJsonClient::Create(ClientOptions options, JsonProtocol protocol) {
  auto endpoint = ParseEndpointUrl(options.config.endpoint_url);
  if (!endpoint.ok()) {
    ApiError e;
    e.kind = ErrorKind::kInvalidArgument;
    e.message = endpoint.status().message();
    return e;
  }
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  auto transport = HttpTransport::Create(std::move(endpoint.value()), options.transport);
  if (!transport.ok()) return transport.error();
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  if (!options.sleep) options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options.random) options.random = DefaultRandom();
  return std::unique_ptr<AwsJsonClient>(
      new AwsJsonClient(std::move(options), std::move(protocol), std::move(transport.value())));
}

AwsJsonClient::AwsJsonClient(ClientOptions options, JsonProtocol protocol, std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)),
      protocol_(std::move(protocol)),
      transport_(std::move(transport)),
      retry_(options_.retry, options_.random) {}

HttpRequest AwsJsonClient::SignedRequest(std::string_view operation, const std::string& body,
                                         const std::string& body_hash) {
  const Endpoint& ep = transport_->endpoint();
  SignableRequest to_sign;
  to_sign.method = "POST";
  to_sign.scheme = ep.scheme;
  to_sign.host = ep.host;
  to_sign.port = ep.port;
  to_sign.path = ep.path.empty() ? "/" : ep.path;
  to_sign.headers = {
      {"Host", transport_->host_header()},
      {"X-Amz-Target", protocol_.target_prefix + "." + std::string(operation)},
      {"Content-Type", "application/x-amz-json-1.1"},
  };
  SigningParams params;
  params.credentials = options_.config.credentials;
  params.region = options_.config.region;
  params.service = protocol_.signing_name;
  params.time = options_.now();
  params.payload_hash = body_hash;
  SignRequest(to_sign, body, params);
  HttpRequest request;
  request.target = to_sign.path;
  request.headers = std::move(to_sign.headers);
  request.body = body;
  return request;
}

ApiResult<std::string> AwsJsonClient::Attempt(std::string_view operation, const std::string& body,
                                              const std::string& body_hash) {
  auto response = transport_->RoundTrip(SignedRequest(operation, body, body_hash));
  if (!response.ok()) return response.error();
  if (response->status >= 200 && response->status < 300) return std::move(response->body);
  return ErrorFromResponse(*response);
}

ApiResult<bool> AwsJsonClient::CallStreaming(std::string_view operation, const std::string& body,
                                             const std::function<bool(std::string_view)>& on_body) {
  auto response = transport_->Stream(SignedRequest(operation, body, Sha256Hex(body)), on_body);
  if (!response.ok()) return response.error();
  if (response->status >= 200 && response->status < 300) return true;
  return ErrorFromResponse(*response);
}

ApiResult<std::string> AwsJsonClient::Call(std::string_view operation, std::string body) {
  const std::string body_hash = Sha256Hex(body);
  RetryPolicy::CallState state;
  while (true) {
    ++state.attempts;
    auto result = Attempt(operation, body, body_hash);
    if (result.ok()) {
      retry_.OnSuccess(state);
      return result;
    }
    auto delay = retry_.OnFailure(result.error(), &state);
    if (!delay) {
      ApiError error = result.error();
      error.attempts = state.attempts;
      return error;
    }
    if (delay->count() > 0) options_.sleep(*delay);
  }
}

}  // namespace sluice::client
