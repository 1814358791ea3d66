// JsonDialect: how one AWS JSON service writes its answers. Kinesis and
// Firehose speak JSON 1.1 with bare error types; DynamoDB speaks JSON 1.0,
// qualifies error types with the namespace of the layer that raised them
// ("com.amazon.coral.validate#ValidationException",
// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException") and signs
// every body with an x-amz-crc32 header that boto3 checks.
#pragma once

#include <string>
#include <string_view>

namespace sluice::protocol {

inline constexpr std::string_view kJson10ContentType = "application/x-amz-json-1.0";
inline constexpr std::string_view kJson11ContentType = "application/x-amz-json-1.1";

struct JsonDialect {
  std::string_view content_type = kJson11ContentType;
  // The `__type` written for an error type: the type itself when null.
  std::string (*qualify_error_type)(std::string_view type) = nullptr;
  bool crc32_header = false;  // x-amz-crc32: the CRC-32 (zlib) of the body, in decimal

  std::string ErrorType(std::string_view type) const {
    return qualify_error_type ? qualify_error_type(type) : std::string(type);
  }
};

// JSON 1.1, bare error types: Kinesis, Firehose.
inline const JsonDialect kJson11Dialect{};

}  // namespace sluice::protocol
