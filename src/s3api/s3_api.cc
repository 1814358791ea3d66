#include "s3api/s3_api.h"

#include <exception>
#include <iostream>

#include "auth/wire_errors.h"
#include "s3api/api/handlers.h"
#include "s3api/wire.h"

namespace sluice::s3api {

using api::ErrorResponse;
using api::Lower;
using api::RandomHex;
using api::Trim;

namespace {

// The request an aws-chunked upload becomes once the verifier has checked and
// decoded its body: a plain unsigned-payload request.
wire::Request WithDecodedBody(const wire::Request& request, std::string body) {
  wire::Request plain{request.method, request.target, {}, std::move(body), request.remote_address};
  for (const auto& [name, value] : request.headers) {
    std::string lname = Lower(name);
    if (lname == "x-amz-content-sha256") continue;
    if (lname == "content-encoding") {
      std::string rest;  // the encodings other than aws-chunked
      size_t pos = 0;
      while (pos <= value.size()) {
        size_t comma = value.find(',', pos);
        if (comma == std::string::npos) comma = value.size();
        std::string part = Trim(std::string_view(value).substr(pos, comma - pos));
        if (!part.empty() && Lower(part) != "aws-chunked") rest += (rest.empty() ? "" : ",") + part;
        pos = comma + 1;
      }
      if (!rest.empty()) plain.headers.emplace_back(name, rest);
      continue;
    }
    plain.headers.emplace_back(name, value);
  }
  plain.headers.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  return plain;
}

wire::Response AuthErrorResponse(const wire::Request& request, const auth::Failure& failure) {
  auth::WireError e = auth::S3WireError(failure);
  auto target = ParseTarget(request.target);
  wire::Response r = ErrorResponse(RandomHex(8, true), request.method == "HEAD", e.code, e.message,
                                   target.ok() ? target->path : request.target, e.fields);
  r.status = e.status;
  return r;
}

}  // namespace

wire::Response ErrorDocument(std::string_view code, std::string_view message, const std::string& resource, bool head) {
  return ErrorResponse(RandomHex(8, true), head, code, message, resource);
}

S3Api::S3Api(std::shared_ptr<objstore::LocalStore> store, S3ApiOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

void S3Api::Handle(wire::Request request, wire::Responder respond) { respond(Serve(request)); }

wire::Response S3Api::Serve(const wire::Request& request) {
  if (!options_.verifier) return ServeRequest(request);
  static const auth::SigningRules kRules = auth::SigningRules::S3();
  auto outcome = options_.verifier->Verify({request.method, request.target, &request.headers, request.body}, kRules);
  if (auto* failure = std::get_if<auth::Failure>(&outcome)) return AuthErrorResponse(request, *failure);
  if (auto& decoded = std::get<auth::Verified>(outcome).decoded_body)
    return ServeRequest(WithDecodedBody(request, std::move(*decoded)));
  return ServeRequest(request);
}

wire::Response S3Api::ServeRequest(const wire::Request& request) {
  api::Context c{request, *store_, options_};
  c.request_id = RandomHex(8, true);
  c.head = request.method == "HEAD";
  try {
    auto target = ParseTarget(request.target);
    if (!target.ok()) {
      c.resource = request.target;
      return c.Error("InvalidURI", "Couldn't parse the specified URI.");
    }
    c.target = std::move(*target);
    const std::string& path = c.target.path;  // starts with '/'
    c.resource = path;
    if (auto vh = VirtualHostBucket(request.Header("Host"), options_.hosts)) {
      c.bucket = *vh;
      c.has_bucket = true;
      c.key = path.substr(1);
      c.has_key = !c.key.empty();
      c.resource = "/" + c.bucket + path;
    } else if (path.size() > 1) {
      size_t slash = path.find('/', 1);
      c.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
      c.has_bucket = !c.bucket.empty();
      if (slash != std::string::npos) {
        c.key = path.substr(slash + 1);
        c.has_key = !c.key.empty();
      }
    }
    return api::Route(c);
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error serving S3 " << request.method << " " << request.target << ": " << e.what()
              << "\n";
    return c.Error("InternalError", "We encountered an internal error. Please try again.");
  }
}

}  // namespace sluice::s3api
