#include "server/transport_errors.h"

#include "protocol/json_reply.h"
#include "s3api/s3_api.h"

namespace sluice::server {

namespace {

protocol::ApiError JsonErrorFor(http::TransportError error) {
  switch (error) {
    case http::TransportError::kHeaderTooLarge:
      return {"RequestHeaderFieldsTooLargeException", "Request header fields too large", 431};
    case http::TransportError::kBodyTooLarge:
      return {"RequestEntityTooLargeException", "Request entity too large", 413};
    case http::TransportError::kTimeout:
      return {"RequestTimeoutException", "The request was not received within the time allowed", 408};
    case http::TransportError::kUnavailable:
      return {"ServiceUnavailableException", "The server is busy; retry the request", 503};
    case http::TransportError::kBadRequest: break;
  }
  return protocol::ApiError::Serialization("Malformed HTTP request");
}

wire::Response S3ErrorFor(http::TransportError error, const wire::Request& head) {
  std::string resource = head.target.substr(0, head.target.find('?'));
  bool is_head = head.method == "HEAD";
  switch (error) {
    case http::TransportError::kHeaderTooLarge:
      return s3api::ErrorDocument("RequestHeaderSectionTooLarge",
                                  "Your request header section exceeds the maximum allowed size.", resource, is_head);
    case http::TransportError::kBodyTooLarge:
      return s3api::ErrorDocument("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", resource,
                                  is_head);
    case http::TransportError::kTimeout:
      return s3api::ErrorDocument("RequestTimeout",
                                  "Your socket connection to the server was not read from or written to within the "
                                  "timeout period. Idle connections will be closed.",
                                  resource, is_head);
    case http::TransportError::kUnavailable:
      return s3api::ErrorDocument("ServiceUnavailable", "Reduce your request rate.", resource, is_head);
    case http::TransportError::kBadRequest: break;
  }
  return s3api::ErrorDocument("BadRequest", "An error occurred when parsing the HTTP request.", resource, is_head);
}

}  // namespace

wire::Response TransportErrorResponse(http::TransportError error, const wire::Request& head) {
  wire::Response r = !head.Header("X-Amz-Target").empty()
                         ? protocol::JsonError(JsonErrorFor(error), protocol::NewRequestId())
                         : S3ErrorFor(error, head);
  if (error == http::TransportError::kUnavailable) r.SetHeader("Retry-After", "1");
  return r;
}

}  // namespace sluice::server
