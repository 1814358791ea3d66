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
void SplitShard(Context&, const rapidjson::Value&, Reply);
void MergeShards(Context&, const rapidjson::Value&, Reply);
void UpdateShardCount(Context&, const rapidjson::Value&, Reply);
void UpdateStreamMode(Context&, const rapidjson::Value&, Reply);
void StartStreamEncryption(Context&, const rapidjson::Value&, Reply);
void StopStreamEncryption(Context&, const rapidjson::Value&, Reply);
void EnableEnhancedMonitoring(Context&, const rapidjson::Value&, Reply);
void DisableEnhancedMonitoring(Context&, const rapidjson::Value&, Reply);
void PutResourcePolicy(Context&, const rapidjson::Value&, Reply);
void GetResourcePolicy(Context&, const rapidjson::Value&, Reply);
void DeleteResourcePolicy(Context&, const rapidjson::Value&, Reply);
void DescribeAccountSettings(Context&, const rapidjson::Value&, Reply);
void UpdateAccountSettings(Context&, const rapidjson::Value&, Reply);
void UpdateStreamWarmThroughput(Context&, const rapidjson::Value&, Reply);
void RegisterStreamConsumer(Context&, const rapidjson::Value&, Reply);
void DeregisterStreamConsumer(Context&, const rapidjson::Value&, Reply);
void DescribeStreamConsumer(Context&, const rapidjson::Value&, Reply);
void ListStreamConsumers(Context&, const rapidjson::Value&, Reply);
void SubscribeToShard(Context&, const rapidjson::Value&, Reply);

// True when the region's MinimumThroughputBillingCommitment is in force.
bool CommitmentEnabled(Context& ctx);

}  // namespace sluice::kinesis::api
