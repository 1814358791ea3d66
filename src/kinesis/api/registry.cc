#include <map>

#include "kinesis/api/handlers.h"

namespace sluice::kinesis::api {

Handler FindHandler(std::string_view operation) {
  static const std::map<std::string_view, Handler> kHandlers = {
      {"AddTagsToStream", AddTagsToStream},
      {"CreateStream", CreateStream},
      {"DecreaseStreamRetentionPeriod", DecreaseStreamRetentionPeriod},
      {"DeleteStream", DeleteStream},
      {"DescribeLimits", DescribeLimits},
      {"DescribeStream", DescribeStream},
      {"DescribeStreamSummary", DescribeStreamSummary},
      {"GetRecords", GetRecords},
      {"GetShardIterator", GetShardIterator},
      {"IncreaseStreamRetentionPeriod", IncreaseStreamRetentionPeriod},
      {"ListShards", ListShards},
      {"ListStreams", ListStreams},
      {"ListTagsForResource", ListTagsForResource},
      {"ListTagsForStream", ListTagsForStream},
      {"PutRecord", PutRecord},
      {"PutRecords", PutRecords},
      {"RemoveTagsFromStream", RemoveTagsFromStream},
      {"TagResource", TagResource},
      {"UntagResource", UntagResource},
      {"UpdateMaxRecordSize", UpdateMaxRecordSize},
  };
  auto it = kHandlers.find(operation);
  return it == kHandlers.end() ? nullptr : it->second;
}

}  // namespace sluice::kinesis::api
