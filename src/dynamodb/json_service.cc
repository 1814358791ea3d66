#include "dynamodb/json_service.h"

#include "dynamodb/api/handlers.h"

namespace sluice::dynamodb {

namespace {

std::string QualifyErrorType(std::string_view type) {
  // Errors of AWS's request layer carry its namespaces; the service's own
  // errors carry DynamoDB's.
  static constexpr std::string_view kCoralService[] = {"SerializationException",
                                                       "UnknownOperationException",
                                                       "UnrecognizedClientException",
                                                       "InvalidSignatureException",
                                                       "MissingAuthenticationTokenException",
                                                       "IncompleteSignatureException",
                                                       "AccessDeniedException",
                                                       "InternalFailure",
                                                       "ServiceUnavailableException",
                                                       "ExpiredTokenException",
                                                       "RequestEntityTooLargeException",
                                                       "InvalidClientTokenId"};
  if (type == "ValidationException") return "com.amazon.coral.validate#ValidationException";
  for (auto t : kCoralService)
    if (type == t) return "com.amazon.coral.service#" + std::string(type);
  return "com.amazonaws.dynamodb.v20120810#" + std::string(type);
}

}  // namespace

bool Implements(std::string_view operation) { return api::FindHandler(operation) != nullptr; }

void Call(TableCatalog& catalog, std::string_view operation, const std::string& region, const rapidjson::Value& input,
          protocol::Reply reply) {
  api::Context ctx{catalog, region};
  api::FindHandler(operation)(ctx, input, std::move(reply));
}

const protocol::JsonDialect& Dialect() {
  static const protocol::JsonDialect dialect{protocol::kJson10ContentType, QualifyErrorType, true};
  return dialect;
}

protocol::JsonService Service(TableCatalog& catalog) {
  protocol::JsonService service;
  service.name = "dynamodb";
  service.target_prefix = "DynamoDB_20120810";
  service.model = &protocol::ServiceModel::DynamoDB();
  service.dialect = Dialect();
  service.implements = Implements;
  service.call = [&catalog](std::string_view operation, const std::string& region, const rapidjson::Value& input,
                            protocol::Reply reply) { Call(catalog, operation, region, input, std::move(reply)); };
  return service;
}

}  // namespace sluice::dynamodb
