#include <map>

#include "kinesis/api/handlers.h"

namespace sluice::kinesis::api {

Handler FindHandler(std::string_view operation) {
  static const std::map<std::string_view, Handler> kHandlers = {
      {"AddTagsToStream", AddTagsToStream},
      {"CreateStream", CreateStream},
      {"DecreaseStreamRetentionPeriod", DecreaseStreamRetentionPeriod},
      {"DeleteResourcePolicy", DeleteResourcePolicy},
      {"DeleteStream", DeleteStream},
      {"DeregisterStreamConsumer", DeregisterStreamConsumer},
      {"DescribeAccountSettings", DescribeAccountSettings},
      {"DescribeLimits", DescribeLimits},
      {"DescribeStream", DescribeStream},
      {"DescribeStreamConsumer", DescribeStreamConsumer},
      {"DescribeStreamSummary", DescribeStreamSummary},
      {"DisableEnhancedMonitoring", DisableEnhancedMonitoring},
      {"EnableEnhancedMonitoring", EnableEnhancedMonitoring},
      {"GetRecords", GetRecords},
      {"GetResourcePolicy", GetResourcePolicy},
      {"GetShardIterator", GetShardIterator},
      {"IncreaseStreamRetentionPeriod", IncreaseStreamRetentionPeriod},
      {"ListShards", ListShards},
      {"ListStreamConsumers", ListStreamConsumers},
      {"SubscribeToShard", SubscribeToShard},
      {"ListStreams", ListStreams},
      {"ListTagsForResource", ListTagsForResource},
      {"ListTagsForStream", ListTagsForStream},
      {"MergeShards", MergeShards},
      {"PutRecord", PutRecord},
      {"PutRecords", PutRecords},
      {"PutResourcePolicy", PutResourcePolicy},
      {"RegisterStreamConsumer", RegisterStreamConsumer},
      {"RemoveTagsFromStream", RemoveTagsFromStream},
      {"SplitShard", SplitShard},
      {"StartStreamEncryption", StartStreamEncryption},
      {"StopStreamEncryption", StopStreamEncryption},
      {"TagResource", TagResource},
      {"UntagResource", UntagResource},
      {"UpdateAccountSettings", UpdateAccountSettings},
      {"UpdateMaxRecordSize", UpdateMaxRecordSize},
      {"UpdateShardCount", UpdateShardCount},
      {"UpdateStreamMode", UpdateStreamMode},
      {"UpdateStreamWarmThroughput", UpdateStreamWarmThroughput},
  };
  auto it = kHandlers.find(operation);
  return it == kHandlers.end() ? nullptr : it->second;
}

}  // namespace sluice::kinesis::api
