// Router: the one HTTP handler of `sluice serve`.
//
// AWS JSON services (JSON 1.0 and 1.1, each in its dialect) are recognised by X-Amz-Target (<Prefix>.<Operation>);
// the router takes the region from the SigV4 credential scope, parses and
// validates the body against the service's botocore model, and calls the
// service. With a verifier (--auth=strict) the SigV4 signature is checked
// first, against the service's signing name and the JSON rules, and a
// failure is answered with AWS's error (auth/wire_errors.h) before the body
// is even parsed. Requests without X-Amz-Target go to the REST handler (the
// S3 API, which verifies its own requests) when one is set. Everything a client can get wrong is answered with an
// AWS-shaped error; nothing throws.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/verifier.h"
#include "protocol/api_error.h"
#include "protocol/json_service.h"
#include "wire/message.h"

namespace sluice::server {

struct RouterOptions {
  std::string default_region = "us-east-1";
  std::shared_ptr<const auth::Verifier> verifier;  // null: signatures are not checked
};

class Router {
 public:
  explicit Router(RouterOptions options);
  // Registers a service (built by its folder: kinesis::Service, ...). Its
  // requests are verified (strict mode) with auth::SigningRules::AwsJson(name),
  // the rules of every JSON-protocol service: a signed payload, a signed
  // x-amz-target, no unsigned x-amz-*.
  void AddJsonService(protocol::JsonService service);
  // For requests without X-Amz-Target (the S3 REST API).
  void SetRestHandler(std::string name, wire::Handler handler);

  void Handle(wire::Request request, wire::Responder respond);

  // Region of a request: its SigV4 credential scope, else the default.
  std::string RegionOf(const wire::Request& request) const;

 private:
  void HandleJson(const protocol::JsonService& service, std::string_view operation, const std::string& region,
                  wire::Request& request, const std::string& request_id, wire::Responder& respond);

  RouterOptions options_;
  std::vector<protocol::JsonService> services_;
  std::vector<auth::SigningRules> signing_;  // signing_[i]: how services_[i] is signed
  std::string rest_name_;
  wire::Handler rest_;
};

}  // namespace sluice::server
