#include "kinesis/json_service.h"

#include "kinesis/api/context.h"

namespace sluice::kinesis {

bool Implements(std::string_view operation) { return api::FindHandler(operation) != nullptr; }

void Call(StreamCatalog& catalog, std::string_view operation, const std::string& region, const rapidjson::Value& input,
          protocol::Reply reply) {
  api::Context ctx{catalog, region};
  // Opt-in control-plane transaction rates (kinesis/throughput.h).
  if (!catalog.limiter().AdmitControl(region, operation, catalog.NowMillis()))
    return reply(protocol::ApiError::LimitExceeded("Rate exceeded for " + std::string(operation) + " under account " +
                                                   catalog.options().account + "."));
  api::FindHandler(operation)(ctx, input, std::move(reply));
}

protocol::JsonService Service(StreamCatalog& catalog) {
  protocol::JsonService service;
  service.name = "kinesis";
  service.target_prefix = "Kinesis_20131202";
  service.model = &protocol::ServiceModel::Kinesis();
  service.implements = Implements;
  service.call = [&catalog](std::string_view operation, const std::string& region, const rapidjson::Value& input,
                            protocol::Reply reply) { Call(catalog, operation, region, input, std::move(reply)); };
  return service;
}

}  // namespace sluice::kinesis
