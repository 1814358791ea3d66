// ApiError formatting.
#include "sluice/api_error.h"

namespace sluice::client {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kService: return "service";
    case ErrorKind::kNetwork: return "network";
    case ErrorKind::kNameResolution: return "name-resolution";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kTls: return "tls";
    case ErrorKind::kMalformedResponse: return "malformed-response";
    case ErrorKind::kInvalidArgument: return "invalid-argument";
  }
  return "unknown";
}

std::string ApiError::ToString() const {
  std::string out = type.empty() ? std::string(ErrorKindName(kind)) : type;
  if (http_status != 0) {
    out.append(" (HTTP ").append(std::to_string(http_status)).append(")");
  }
  if (!message.empty()) out.append(": ").append(message);
  if (!request_id.empty()) out.append(" [request ").append(request_id).append("]");
  if (attempts > 1) out.append(" after ").append(std::to_string(attempts)).append(" attempts");
  return out;
}

}  // namespace sluice::client
