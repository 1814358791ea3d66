// The Kinesis actions, one function each (see FindHandler in registry.cc).
#pragma once

#include "kinesis/api/context.h"

namespace sluice::kinesis::api {

void CreateStream(Context&, const rapidjson::Value&, Reply);
void DeleteStream(Context&, const rapidjson::Value&, Reply);
void DescribeStream(Context&, const rapidjson::Value&, Reply);
void DescribeStreamSummary(Context&, const rapidjson::Value&, Reply);
void ListStreams(Context&, const rapidjson::Value&, Reply);
void ListShards(Context&, const rapidjson::Value&, Reply);
void PutRecord(Context&, const rapidjson::Value&, Reply);
void PutRecords(Context&, const rapidjson::Value&, Reply);
void GetShardIterator(Context&, const rapidjson::Value&, Reply);
void GetRecords(Context&, const rapidjson::Value&, Reply);
void IncreaseStreamRetentionPeriod(Context&, const rapidjson::Value&, Reply);
void DecreaseStreamRetentionPeriod(Context&, const rapidjson::Value&, Reply);
void AddTagsToStream(Context&, const rapidjson::Value&, Reply);
void RemoveTagsFromStream(Context&, const rapidjson::Value&, Reply);
void ListTagsForStream(Context&, const rapidjson::Value&, Reply);
void TagResource(Context&, const rapidjson::Value&, Reply);
void UntagResource(Context&, const rapidjson::Value&, Reply);
void ListTagsForResource(Context&, const rapidjson::Value&, Reply);
void DescribeLimits(Context&, const rapidjson::Value&, Reply);
void UpdateMaxRecordSize(Context&, const rapidjson::Value&, Reply);

}  // namespace sluice::kinesis::api
