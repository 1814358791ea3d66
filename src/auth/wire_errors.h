// The error AWS answers for each verification failure, for the two wire
// protocols (the table is in docs/auth.md):
//  * AWS JSON services (Kinesis, Firehose): `__type` and message, HTTP 400;
//  * S3: the XML Code, message, extra elements and HTTP status.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "auth/verifier.h"

namespace sluice::auth {

struct WireError {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  WireError(std::string code, std::string message, unsigned status = 400, Fields fields = {})
      : code(std::move(code)), message(std::move(message)), status(status), fields(std::move(fields)) {}

  std::string code;  // __type or S3 Code
  std::string message;
  unsigned status = 400;
  Fields fields;  // S3 only: extra XML elements
};

WireError JsonWireError(const Failure& failure);
WireError S3WireError(const Failure& failure);

}  // namespace sluice::auth
