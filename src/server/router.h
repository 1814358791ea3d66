// Router: the one HTTP handler of `sluice serve`. It recognises the AWS JSON
// protocol by X-Amz-Target (<Service_Version>.<Operation>), takes the region
// from the SigV4 credential scope, parses and validates the body against the
// botocore model, and calls the action's handler. Everything a client can
// get wrong is answered with an AWS-shaped error; nothing throws.
#pragma once

#include <string>

#include "http/message.h"
#include "kinesis/catalog.h"

namespace sluice::server {

struct RouterOptions {
  std::string default_region = "us-east-1";
};

class Router {
 public:
  Router(kinesis::StreamCatalog& catalog, RouterOptions options);
  void Handle(http::Request request, http::Responder respond);

 private:
  void HandleKinesis(std::string_view operation, const std::string& region, http::Request& request,
                     const std::string& request_id, http::Responder& respond);
  std::string RegionOf(const http::Request& request) const;

  kinesis::StreamCatalog& catalog_;
  RouterOptions options_;
};

}  // namespace sluice::server
