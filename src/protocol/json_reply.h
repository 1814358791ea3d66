// Building AWS JSON responses: success bodies and error bodies, with the
// headers every AWS JSON answer carries (x-amzn-RequestId, x-amz-id-2), in a
// service's dialect (JSON 1.0 or 1.1, error type names, checksum header).
#pragma once

#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "protocol/json_dialect.h"
#include "wire/message.h"

namespace sluice::protocol {

// A fresh request id in AWS's UUID form.
std::string NewRequestId();

wire::Response JsonSuccess(std::string body, const std::string& request_id,
                           const JsonDialect& dialect = kJson11Dialect);
wire::Response JsonError(const ApiError& error, const std::string& request_id,
                         const JsonDialect& dialect = kJson11Dialect);
// A 200 whose body comes from answer.source, with the usual AWS headers.
wire::Response StreamedSuccess(StreamingAnswer answer, const std::string& request_id);

}  // namespace sluice::protocol
