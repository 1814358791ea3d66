#include "firehose/json_service.h"

#include "firehose/api/context.h"

namespace sluice::firehose {

bool Implements(std::string_view operation) { return api::FindHandler(operation) != nullptr; }

void Call(DeliveryCatalog& catalog, std::string_view operation, const std::string& region,
          const rapidjson::Value& input, protocol::Reply reply) {
  api::Context ctx{catalog, region};
  api::FindHandler(operation)(ctx, input, std::move(reply));
}

protocol::JsonService Service(DeliveryCatalog& catalog) {
  protocol::JsonService service;
  service.name = "firehose";
  service.target_prefix = "Firehose_20150804";
  service.model = &protocol::ServiceModel::Firehose();
  service.implements = Implements;
  service.call = [&catalog](std::string_view operation, const std::string& region, const rapidjson::Value& input,
                            protocol::Reply reply) { Call(catalog, operation, region, input, std::move(reply)); };
  return service;
}

}  // namespace sluice::firehose
