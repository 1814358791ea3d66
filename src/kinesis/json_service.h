// The Kinesis actions as a JSON service for the router.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "kinesis/catalog.h"
#include "protocol/api_error.h"
#include "protocol/json_service.h"

namespace sluice::kinesis {

// True when `operation` has a handler.
bool Implements(std::string_view operation);
// Runs `operation` (validated input) against `catalog` for `region`.
void Call(StreamCatalog& catalog, std::string_view operation, const std::string& region, const rapidjson::Value& input,
          protocol::Reply reply);
// The service for the router (Kinesis_20131202.*, signing name "kinesis"),
// calling into `catalog`, which must outlive it.
protocol::JsonService Service(StreamCatalog& catalog);

}  // namespace sluice::kinesis
