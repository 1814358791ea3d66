// Building AWS JSON 1.1 responses: success bodies and error bodies, with the
// headers every AWS JSON answer carries (x-amzn-RequestId, x-amz-id-2).
#pragma once

#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "wire/message.h"

namespace sluice::protocol {

inline constexpr std::string_view kJson11ContentType = "application/x-amz-json-1.1";

// A fresh request id in AWS's UUID form.
std::string NewRequestId();

wire::Response JsonSuccess(std::string body, const std::string& request_id);
wire::Response JsonError(const ApiError& error, const std::string& request_id);
// A 200 whose body comes from answer.source, with the usual AWS headers.
wire::Response StreamedSuccess(StreamingAnswer answer, const std::string& request_id);

}  // namespace sluice::protocol
