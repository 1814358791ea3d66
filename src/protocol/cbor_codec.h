// The AWS CBOR protocol (`application/x-amz-cbor-1.1`), the default of the
// Java SDKs, the KCL and the KPL for Kinesis. It carries the same documents
// as AWS JSON 1.1 with two differences that need the service model:
//   - blobs are CBOR byte strings (base64 strings in JSON);
//   - timestamps are epoch MILLISECONDS, usually under tag 1 (JSON uses
//     epoch seconds). AWS departs from RFC 8949 here, which says tag 1 counts
//     seconds; the Java SDKs send and expect milliseconds.
// The router converts requests to the JSON form the handlers read and their
// JSON answers back to CBOR, so handlers know one protocol.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "protocol/api_error.h"
#include "protocol/service_model.h"
#include "wire/message.h"

namespace sluice::protocol {

inline constexpr std::string_view kCborContentType = "application/x-amz-cbor-1.1";

bool IsCborContentType(std::string_view content_type);

// Decodes a CBOR request body into `out` (JSON form: blobs as base64 strings,
// timestamps as epoch seconds) following `shape` where it knows the members.
// Returns InvalidArgument (its message is for a SerializationException) when
// the body is not one well-formed CBOR item, nests deeper than 64 levels, or
// has non-string map keys.
Status CborToJson(const Shape& shape, std::string_view body, rapidjson::Document& out);

// Encodes a JSON document (a handler's answer) as CBOR, guided by `shape`
// (nullptr: no member types known, strings stay strings, numbers stay numbers).
// Returns InvalidArgument when `json` does not parse.
Result<std::string> JsonToCbor(const Shape* shape, std::string_view json);

// A CBOR answer: the JSON success body converted with the output shape, or an
// error as a CBOR map {__type, message}, with the usual AWS headers.
wire::Response CborSuccess(const Shape* output, std::string_view json_body, const std::string& request_id);
wire::Response CborError(const ApiError& error, const std::string& request_id);

// An event stream answered to a CBOR request (SubscribeToShard from the Java
// SDK / KCL): every message's JSON payload re-encoded as CBOR with the event
// shapes of `output` (the operation's output shape, whose event-stream member
// names the event types) and its :content-type set accordingly. Expects each
// piece `source` delivers to be whole messages, as the Kinesis event streams
// deliver them.
std::shared_ptr<wire::BodySource> CborEventStream(std::shared_ptr<wire::BodySource> source, const Shape* output);

}  // namespace sluice::protocol
