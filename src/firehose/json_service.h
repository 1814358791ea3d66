// The Firehose actions as a JSON service for the router
// (X-Amz-Target: Firehose_20150804.<Operation>).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "firehose/catalog.h"
#include "protocol/api_error.h"
#include "protocol/json_service.h"

namespace sluice::firehose {

// True when `operation` has a handler.
bool Implements(std::string_view operation);
// Runs `operation` (input already validated against the model) against
// `catalog` for `region`.
void Call(DeliveryCatalog& catalog, std::string_view operation, const std::string& region,
          const rapidjson::Value& input, protocol::Reply reply);
// The service for the router (Firehose_20150804.*, signing name "firehose"),
// calling into `catalog`, which must outlive it.
protocol::JsonService Service(DeliveryCatalog& catalog);

}  // namespace sluice::firehose
