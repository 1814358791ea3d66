// Record framing: Firehose concatenates records as raw bytes ("By default,
// Firehose concatenates data without any delimiters"); the
// AppendDelimiterToRecord processor adds a delimiter after every record
// (docs: API_Processor, dynamic-partitioning "new line delimiter").
//
// The Delimiter parameter is optional (default: a newline). Configurations
// write it escaped, the way it looks in JSON/HCL source: the parameter value
// is the two characters "\n" (ParameterValue "\\n" in CloudFormation/
// Terraform). ParseDelimiter turns such a value into bytes: \n \r \t \\ \0 and
// \xHH escapes are decoded, other characters are taken literally.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "firehose/delivery_stream.h"

namespace sluice::firehose::format {

// "" -> "\n". InvalidArgument for a dangling or unknown escape.
Result<std::string> ParseDelimiter(std::string_view parameter_value);

// The delimiter the processors in `config` ask for: the bytes of
// AppendDelimiterToRecord's Delimiter (sets *append = true), or "" with
// *append = false when processing is disabled or the processor is absent.
Result<std::string> DelimiterFor(const S3DestinationConfig& config, bool* append);

// Appends one record (and the delimiter, if any) to an object payload.
inline void AppendRecord(std::string* payload, std::string_view record, std::string_view delimiter) {
  payload->append(record);
  payload->append(delimiter);
}

// The object payload for `records`, each followed by `delimiter` (may be "").
std::string AssemblePayload(const std::vector<std::string>& records, std::string_view delimiter);

}  // namespace sluice::firehose::format
