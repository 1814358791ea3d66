// The Firehose actions, one function each (see FindHandler in registry.cc).
#pragma once

#include "firehose/api/context.h"

namespace sluice::firehose::api {

void CreateDeliveryStream(Context&, const rapidjson::Value&, Reply);
void DeleteDeliveryStream(Context&, const rapidjson::Value&, Reply);
void DescribeDeliveryStream(Context&, const rapidjson::Value&, Reply);
void ListDeliveryStreams(Context&, const rapidjson::Value&, Reply);
void PutRecord(Context&, const rapidjson::Value&, Reply);
void PutRecordBatch(Context&, const rapidjson::Value&, Reply);
void UpdateDestination(Context&, const rapidjson::Value&, Reply);
void TagDeliveryStream(Context&, const rapidjson::Value&, Reply);
void UntagDeliveryStream(Context&, const rapidjson::Value&, Reply);
void ListTagsForDeliveryStream(Context&, const rapidjson::Value&, Reply);
void StartDeliveryStreamEncryption(Context&, const rapidjson::Value&, Reply);
void StopDeliveryStreamEncryption(Context&, const rapidjson::Value&, Reply);

}  // namespace sluice::firehose::api
