#include "sluice/kinesis_client.h"

#include "client/aws_json_client.h"
#include "client/http_transport.h"
#include "client/kinesis_json.h"
#include "codec/event_stream.h"

namespace sluice::client {

namespace json = kinesis::json;

namespace {

const JsonProtocol kKinesisProtocol{"Kinesis_20131202", "kinesis"};

// Calls `op` with `body` and parses a 2xx body with `parse`.
template <typename Parse>
auto Invoke(AwsJsonClient& rpc, std::string_view op, std::string body, Parse parse)
    -> decltype(parse(std::string_view())) {
  auto response = rpc.Call(op, std::move(body));
  if (!response.ok()) return response.error();
  return parse(*response);
}

}  // namespace

namespace kinesis {
const char* ShardIteratorTypeName(ShardIteratorType type) {
  switch (type) {
    case ShardIteratorType::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case ShardIteratorType::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
    case ShardIteratorType::kAtTimestamp: return "AT_TIMESTAMP";
    case ShardIteratorType::kTrimHorizon: return "TRIM_HORIZON";
    case ShardIteratorType::kLatest: return "LATEST";
  }
  return "TRIM_HORIZON";
}
}  // namespace kinesis

ApiResult<std::unique_ptr<KinesisClient>> KinesisClient::Create(ClientOptions options) {
  auto rpc = AwsJsonClient::Create(std::move(options), kKinesisProtocol);
  if (!rpc.ok()) return rpc.error();
  return std::unique_ptr<KinesisClient>(new KinesisClient(std::move(rpc.value())));
}

ApiResult<std::unique_ptr<KinesisClient>> KinesisClient::FromEnvironment(const ConfigOptions& config,
                                                                         ClientOptions options) {
  auto resolved = ResolveClientOptions(config, std::move(options), ServiceNames{"Kinesis", "kinesis"});
  if (!resolved.ok()) return resolved.error();
  return Create(std::move(resolved.value()));
}

KinesisClient::KinesisClient(std::unique_ptr<AwsJsonClient> rpc) : rpc_(std::move(rpc)) {}
KinesisClient::~KinesisClient() = default;

const ClientOptions& KinesisClient::options() const { return rpc_->options(); }
size_t KinesisClient::connections_opened() const { return rpc_->transport().connections_opened(); }

ApiResult<kinesis::Empty> KinesisClient::CreateStream(const kinesis::CreateStreamRequest& r) {
  return Invoke(*rpc_, "CreateStream", json::Serialize(r), json::ParseEmpty);
}

ApiResult<kinesis::Empty> KinesisClient::DeleteStream(const kinesis::DeleteStreamRequest& r) {
  return Invoke(*rpc_, "DeleteStream", json::Serialize(r), json::ParseEmpty);
}

ApiResult<kinesis::StreamSummary> KinesisClient::DescribeStreamSummary(const kinesis::StreamId& stream) {
  return Invoke(*rpc_, "DescribeStreamSummary", json::SerializeDescribeStreamSummary(stream),
                json::ParseDescribeStreamSummary);
}

ApiResult<kinesis::ListShardsResult> KinesisClient::ListShards(const kinesis::ListShardsRequest& r) {
  return Invoke(*rpc_, "ListShards", json::Serialize(r), json::ParseListShards);
}

ApiResult<kinesis::ListShardsResult> KinesisClient::ListAllShards(const kinesis::ListShardsRequest& request) {
  kinesis::ListShardsResult all;
  kinesis::ListShardsRequest page = request;
  for (int pages = 0;; ++pages) {
    auto result = ListShards(page);
    if (!result.ok()) return result.error();
    for (auto& s : result->shards) all.shards.push_back(std::move(s));
    if (!result->next_token || result->next_token->empty()) return all;
    if (pages > 100000) {  // a server that never stops paging
      ApiError e;
      e.kind = ErrorKind::kMalformedResponse;
      e.message = "ListShards: NextToken never ended";
      return e;
    }
    page.next_token = result->next_token;
  }
}

ApiResult<kinesis::PutRecordResult> KinesisClient::PutRecord(const kinesis::PutRecordRequest& r) {
  return Invoke(*rpc_, "PutRecord", json::Serialize(r), json::ParsePutRecord);
}

ApiResult<kinesis::PutRecordsResult> KinesisClient::PutRecords(const kinesis::PutRecordsRequest& r) {
  auto result = Invoke(*rpc_, "PutRecords", json::Serialize(r), json::ParsePutRecords);
  if (result.ok() && result->records.size() != r.records.size()) {
    ApiError e;
    e.kind = ErrorKind::kMalformedResponse;
    e.message = "PutRecords: " + std::to_string(result->records.size()) + " results for " +
                std::to_string(r.records.size()) + " records";
    return e;
  }
  return result;
}

ApiResult<kinesis::GetShardIteratorResult> KinesisClient::GetShardIterator(const kinesis::GetShardIteratorRequest& r) {
  return Invoke(*rpc_, "GetShardIterator", json::Serialize(r), json::ParseGetShardIterator);
}

ApiResult<kinesis::GetRecordsResult> KinesisClient::GetRecords(const kinesis::GetRecordsRequest& r) {
  return Invoke(*rpc_, "GetRecords", json::Serialize(r), json::ParseGetRecords);
}

ApiResult<kinesis::StreamConsumer> KinesisClient::RegisterStreamConsumer(const std::string& stream_arn,
                                                                         const std::string& name) {
  return Invoke(*rpc_, "RegisterStreamConsumer", json::SerializeRegisterStreamConsumer(stream_arn, name),
                json::ParseStreamConsumer);
}

ApiResult<kinesis::StreamConsumer> KinesisClient::DescribeStreamConsumer(const std::string& stream_arn,
                                                                         const std::string& name) {
  return Invoke(*rpc_, "DescribeStreamConsumer", json::SerializeDescribeStreamConsumer(stream_arn, name),
                json::ParseStreamConsumer);
}

ApiResult<kinesis::Empty> KinesisClient::SubscribeToShard(
    const kinesis::SubscribeToShardRequest& request,
    const std::function<bool(kinesis::SubscribeToShardEvent&)>& on_event) {
  std::string pending;  // bytes of an incomplete event-stream message
  std::optional<ApiError> failure;
  bool stopped = false;
  auto on_body = [&](std::string_view bytes) {
    pending.append(bytes);
    size_t at = 0;
    for (;;) {
      size_t used = 0;
      auto message = codec::DecodeEventMessage(std::string_view(pending).substr(at), &used);
      if (!message) {
        if (used == SIZE_MAX) {
          failure = ApiError{};
          failure->kind = ErrorKind::kMalformedResponse;
          failure->message = "SubscribeToShard: a damaged event-stream message";
          return false;
        }
        break;  // incomplete: wait for more bytes
      }
      at += used;
      std::string_view type = message->Header(":message-type");
      if (type == "exception" || type == "error") {
        auto error = ErrorFromResponse(HttpResponse{400, {}, message->payload});
        error.type =
            std::string(type == "exception" ? message->Header(":exception-type") : message->Header(":error-code"));
        failure = std::move(error);
        return false;
      }
      if (message->Header(":event-type") != "SubscribeToShardEvent") continue;  // initial-response
      auto event = json::ParseSubscribeToShardEvent(message->payload);
      if (!event.ok()) {
        failure = event.error();
        return false;
      }
      if (!on_event(*event)) {
        stopped = true;
        return false;
      }
    }
    pending.erase(0, at);
    return true;
  };
  auto streamed = rpc_->CallStreaming("SubscribeToShard", json::Serialize(request), on_body);
  if (!streamed.ok()) return streamed.error();
  if (failure) return *failure;
  (void)stopped;
  return kinesis::Empty{};
}

ApiResult<kinesis::StreamSummary> KinesisClient::WaitForActive(const kinesis::StreamId& stream,
                                                               std::chrono::milliseconds timeout,
                                                               std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto summary = DescribeStreamSummary(stream);
    bool not_found = !summary.ok() && summary.error().type == "ResourceNotFoundException";
    if (!summary.ok() && !not_found) return summary;
    if (summary.ok() && summary->stream_status == "ACTIVE") return summary;
    if (std::chrono::steady_clock::now() + poll > deadline) {
      ApiError e;
      e.kind = ErrorKind::kTimeout;
      e.message = "stream " + (stream.arn.empty() ? stream.name : stream.arn) + " not ACTIVE within " +
                  std::to_string(timeout.count()) + " ms";
      return e;
    }
    rpc_->options().sleep(poll);
  }
}

}  // namespace sluice::client
