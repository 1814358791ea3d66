// The Kinesis JSON 1.1 request bodies and response parsing, as pure
// functions (unit-tested without a server). Parsers never trust the body:
// invalid JSON, wrong member types, missing required members or bad base64
// give an ApiError of kind kMalformedResponse.
#pragma once

#include <string>
#include <string_view>

#include "sluice/api_error.h"
#include "sluice/kinesis_types.h"

namespace sluice::client::kinesis::json {

std::string Serialize(const CreateStreamRequest& r);
std::string Serialize(const DeleteStreamRequest& r);
std::string SerializeDescribeStreamSummary(const StreamId& stream);
std::string Serialize(const ListShardsRequest& r);
std::string Serialize(const PutRecordRequest& r);
std::string Serialize(const PutRecordsRequest& r);
std::string Serialize(const GetShardIteratorRequest& r);
std::string Serialize(const GetRecordsRequest& r);
std::string Serialize(const SubscribeToShardRequest& r);
std::string SerializeRegisterStreamConsumer(const std::string& stream_arn, const std::string& name);
std::string SerializeDescribeStreamConsumer(const std::string& stream_arn, const std::string& name);

ApiResult<Empty> ParseEmpty(std::string_view body);
ApiResult<StreamSummary> ParseDescribeStreamSummary(std::string_view body);
ApiResult<ListShardsResult> ParseListShards(std::string_view body);
ApiResult<PutRecordResult> ParsePutRecord(std::string_view body);
ApiResult<PutRecordsResult> ParsePutRecords(std::string_view body);
ApiResult<GetShardIteratorResult> ParseGetShardIterator(std::string_view body);
ApiResult<GetRecordsResult> ParseGetRecords(std::string_view body);
// {"Consumer": {...}} (RegisterStreamConsumer) or {"ConsumerDescription": {...}}.
ApiResult<StreamConsumer> ParseStreamConsumer(std::string_view body);
// The JSON payload of a SubscribeToShardEvent.
ApiResult<SubscribeToShardEvent> ParseSubscribeToShardEvent(std::string_view body);

}  // namespace sluice::client::kinesis::json
