// Answers to requests the HTTP server refuses at the transport level (bad
// HTTP, headers or body too large, too slow), shaped like the service the
// request was meant for: an AWS JSON error for requests with X-Amz-Target
// (Kinesis, Firehose), an S3 XML error document otherwise.
#pragma once

#include "http/server.h"
#include "wire/message.h"

namespace sluice::server {

// JSON services: 400 SerializationException, 431 RequestHeaderFieldsTooLargeException,
// 413 RequestEntityTooLargeException, 408 RequestTimeoutException,
// 503 ServiceUnavailableException.
// S3 (as S3 answers them, all 400): BadRequest, RequestHeaderSectionTooLarge,
// EntityTooLarge, RequestTimeout; and 503 ServiceUnavailable.
// A 503 carries Retry-After: 1.
wire::Response TransportErrorResponse(http::TransportError error, const wire::Request& head);

}  // namespace sluice::server
