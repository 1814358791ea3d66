#include <map>

#include "firehose/api/handlers.h"

namespace sluice::firehose::api {

Handler FindHandler(std::string_view operation) {
  static const std::map<std::string_view, Handler> kHandlers = {
      {"CreateDeliveryStream", CreateDeliveryStream},
      {"DeleteDeliveryStream", DeleteDeliveryStream},
      {"DescribeDeliveryStream", DescribeDeliveryStream},
      {"ListDeliveryStreams", ListDeliveryStreams},
      {"ListTagsForDeliveryStream", ListTagsForDeliveryStream},
      {"PutRecord", PutRecord},
      {"PutRecordBatch", PutRecordBatch},
      {"StartDeliveryStreamEncryption", StartDeliveryStreamEncryption},
      {"StopDeliveryStreamEncryption", StopDeliveryStreamEncryption},
      {"TagDeliveryStream", TagDeliveryStream},
      {"UntagDeliveryStream", UntagDeliveryStream},
      {"UpdateDestination", UpdateDestination},
  };
  auto it = kHandlers.find(operation);
  return it == kHandlers.end() ? nullptr : it->second;
}

}  // namespace sluice::firehose::api
