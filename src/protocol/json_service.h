// JsonService: what a service folder hands the router so that its requests
// (X-Amz-Target: <target_prefix>.<Operation>) reach it. Each service builds
// its own (kinesis::Service, firehose::Service, dynamodb::Service); the
// router only knows this descriptor, so adding a service adds a folder and
// one registration line in server/serve.cc.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "protocol/json_dialect.h"
#include "protocol/service_model.h"

namespace sluice::protocol {

struct JsonService {
  std::string name;           // "kinesis": the SigV4 signing name, also shown by the health endpoint
  std::string target_prefix;  // "Kinesis_20131202"
  const ServiceModel* model = nullptr;
  JsonDialect dialect;  // JSON 1.1 unless the service says otherwise
  // Whether `operation` is implemented (else UnknownOperationException).
  std::function<bool(std::string_view operation)> implements;
  // Runs an implemented operation on a request that passed model validation.
  std::function<void(std::string_view operation, const std::string& region, const rapidjson::Value& input, Reply reply)>
      call;
};

}  // namespace sluice::protocol
