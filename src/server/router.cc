#include "server/router.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <exception>
#include <iostream>

#include "auth/wire_errors.h"
#include "codec/url.h"
#include "model/region.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_reply.h"
#include "protocol/service_model.h"
#include "protocol/sigv4_scope.h"
#include "protocol/validator.h"
#include "storage/fault_stats.h"

namespace sluice::server {

using protocol::ApiError;

namespace {

bool IsJsonContentType(std::string_view ct) {
  if (ct.empty()) return true;
  return ct.find("application/x-amz-json-1.1") != std::string_view::npos ||
         ct.find("application/x-amz-json-1.0") != std::string_view::npos ||
         ct.find("application/json") != std::string_view::npos;
}

}  // namespace

Router::Router(RouterOptions options) : options_(std::move(options)) {}

void Router::AddJsonService(protocol::JsonService service) {
  signing_.push_back(auth::SigningRules::AwsJson(service.name));
  services_.push_back(std::move(service));
}

void Router::SetRestHandler(std::string name, wire::Handler handler) {
  rest_name_ = std::move(name);
  rest_ = std::move(handler);
}

std::string Router::RegionOf(const wire::Request& request) const {
  if (auto scope = protocol::ParseAuthorizationScope(request.Header("Authorization"))) return scope->region;
  constexpr std::string_view kParam = "X-Amz-Credential=";
  if (size_t at = request.target.find(kParam); at != std::string::npos) {
    std::string_view rest = std::string_view(request.target).substr(at + kParam.size());
    if (auto scope =
            protocol::ParseCredential(codec::UrlDecode(rest.substr(0, rest.find('&')), codec::UrlPart::kQuery)))
      return scope->region;
  }
  return options_.default_region;
}

void Router::Handle(wire::Request request, wire::Responder respond) {
  std::string request_id = protocol::NewRequestId();
  try {
    if (request.method == "GET" && request.target == "/_sluice/health") {
      wire::Response r;
      r.SetHeader("Content-Type", "application/json");
      std::string services;
      for (const auto& s : services_) services += (services.empty() ? "\"" : ",\"") + s.name + "\":\"running\"";
      if (rest_) services += (services.empty() ? "\"" : ",\"") + rest_name_ + "\":\"running\"";
      r.body = "{\"status\":\"ok\",\"services\":{" + services + "},\"storage_faults\":" + storage::FaultCountersJson() +
               ",\"storage_resources\":" + storage::StorageResourcesJson() + "}";
      return respond(std::move(r));
    }
    std::string_view target = request.Header("X-Amz-Target");
    if (target.empty()) {
      // A JSON-protocol request without a target is a malformed AWS JSON
      // call, not an S3 request.
      bool json = request.Header("Content-Type").find("x-amz-json") != std::string_view::npos;
      if (rest_ && !json) return rest_(std::move(request), std::move(respond));
      return respond(protocol::JsonError(ApiError::UnknownOperation(), request_id));
    }
    const protocol::JsonService* service = nullptr;
    const auth::SigningRules* signing = nullptr;
    size_t dot = target.find('.');
    if (dot != std::string_view::npos) {
      for (size_t i = 0; i < services_.size(); ++i) {
        if (services_[i].target_prefix != target.substr(0, dot)) continue;
        service = &services_[i];
        signing = &signing_[i];
      }
    }
    // Authentication comes first, before anything about the request is
    // looked at beyond which service it addresses.
    if (service && options_.verifier) {
      auto outcome =
          options_.verifier->Verify({request.method, request.target, &request.headers, request.body}, *signing);
      if (auto* failure = std::get_if<auth::Failure>(&outcome)) {
        auth::WireError e = auth::JsonWireError(*failure);
        return respond(protocol::JsonError(ApiError{e.code, e.message, e.status}, request_id, service->dialect));
      }
    }
    if (request.method != "POST")
      return respond(protocol::JsonError(ApiError::Serialization("Only POST is supported for " + std::string(target)),
                                         request_id, service ? service->dialect : protocol::kJson11Dialect));
    if (service) {
      // The region namespaces resources (and names directories): only AWS's
      // region syntax, answered as AWS answers a scope it does not serve.
      std::string region = RegionOf(request);
      if (!model::IsValidRegion(region))
        return respond(
            protocol::JsonError(ApiError{"InvalidSignatureException",
                                         "Credential should be scoped to a valid region, not '" + region + "'. ", 400},
                                request_id, service->dialect));
      return HandleJson(*service, target.substr(dot + 1), region, request, request_id, respond);
    }
    respond(protocol::JsonError(ApiError::UnknownOperation(), request_id));
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error serving " << request.Header("X-Amz-Target") << ": " << e.what() << "\n";
    respond(protocol::JsonError(ApiError::InternalFailure("Internal service failure."), request_id));
  }
}

void Router::HandleJson(const protocol::JsonService& service, std::string_view operation, const std::string& region,
                        wire::Request& request, const std::string& request_id, wire::Responder& respond) {
  // AWS JSON 1.1, or the same documents in CBOR (Java SDKs, KCL, KPL).
  bool cbor = protocol::IsCborContentType(request.Header("Content-Type"));
  auto error = [&](const ApiError& e) {
    return cbor ? protocol::CborError(e, request_id) : protocol::JsonError(e, request_id, service.dialect);
  };
  const protocol::Shape* shape = service.model->InputShape(operation);
  if (!shape || !service.implements(operation)) return respond(error(ApiError::UnknownOperation()));
  if (!cbor && !IsJsonContentType(request.Header("Content-Type")))
    return respond(
        error(ApiError::Serialization("Unsupported Content-Type: " + std::string(request.Header("Content-Type")))));

  // The document's first pool chunk lives on the stack: a small request
  // then costs no heap block (the default first chunk is a 64 KiB malloc).
  alignas(16) char pool[16 << 10];
  rapidjson::MemoryPoolAllocator<> allocator(pool, sizeof pool);
  rapidjson::Document doc(&allocator);
  if (cbor) {
    if (Status failure = protocol::CborToJson(*shape, request.body, doc); !failure.ok())
      return respond(error(ApiError::Serialization(failure.message())));
  } else if (request.body.empty()) {
    doc.SetObject();
  } else {
    // In place (strings point into the body, no copies) and iterative (no
    // recursion, so deeply nested hostile input cannot overflow the stack).
    // UTF-8 is checked by the validator, on string members only: validating
    // every byte here would triple the cost of parsing base64 blobs.
    doc.ParseInsitu<rapidjson::kParseIterativeFlag>(request.body.data());
    if (doc.HasParseError())
      return respond(error(ApiError::Serialization(std::string("Malformed JSON: ") +
                                                   rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                                                   std::to_string(doc.GetErrorOffset()))));
  }
  if (protocol::ApiStatus valid = protocol::ValidateRequest(*shape, doc); !valid.ok())
    return respond(error(valid.error()));
  const protocol::Shape* output = cbor ? service.model->OutputShape(operation) : nullptr;
  const protocol::JsonDialect* dialect = &service.dialect;  // services_ outlives every request
  service.call(operation, region, doc, [respond, request_id, cbor, output, dialect](protocol::Outcome outcome) {
    if (auto* body = std::get_if<std::string>(&outcome))
      return respond(cbor ? protocol::CborSuccess(output, *body, request_id)
                          : protocol::JsonSuccess(std::move(*body), request_id, *dialect));
    if (auto* streamed = std::get_if<protocol::StreamingAnswer>(&outcome)) {
      if (cbor) streamed->source = protocol::CborEventStream(std::move(streamed->source), output);
      return respond(protocol::StreamedSuccess(std::move(*streamed), request_id));
    }
    const ApiError& e = std::get<ApiError>(outcome);
    respond(cbor ? protocol::CborError(e, request_id) : protocol::JsonError(e, request_id, *dialect));
  });
}

}  // namespace sluice::server
