// ApiError: an error answer of an AWS JSON service — the `__type` clients
// switch on, a human message, and the HTTP status.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "wire/message.h"

namespace sluice::protocol {

struct ApiError {
  ApiError() = default;
  ApiError(std::string type, std::string message, unsigned http_status = 400)
      : type(std::move(type)), message(std::move(message)), http_status(http_status) {}

  std::string type;
  std::string message;
  unsigned http_status = 400;
  // Further members of the JSON error body, as raw JSON text without braces
  // ("\"Item\":{...}" for DynamoDB's ConditionalCheckFailedException, or
  // its CancellationReasons); empty for most errors.
  std::string extra_members;

  static ApiError Serialization(std::string m) { return {"SerializationException", std::move(m)}; }
  static ApiError Validation(std::string m) { return {"ValidationException", std::move(m)}; }
  static ApiError UnknownOperation(std::string m = "") { return {"UnknownOperationException", std::move(m)}; }
  static ApiError ResourceNotFound(std::string m) { return {"ResourceNotFoundException", std::move(m)}; }
  static ApiError ResourceInUse(std::string m) { return {"ResourceInUseException", std::move(m)}; }
  static ApiError InvalidArgument(std::string m) { return {"InvalidArgumentException", std::move(m)}; }
  static ApiError LimitExceeded(std::string m) { return {"LimitExceededException", std::move(m)}; }
  static ApiError ExpiredIterator(std::string m) { return {"ExpiredIteratorException", std::move(m)}; }
  static ApiError ExpiredNextToken(std::string m) { return {"ExpiredNextTokenException", std::move(m)}; }
  static ApiError InternalFailure(std::string m) { return {"InternalFailure", std::move(m), 500}; }
  static ApiError ServiceUnavailable(std::string m) { return {"ServiceUnavailableException", std::move(m), 503}; }
};

// A success answered as a stream of bytes produced over time (the event
// stream of SubscribeToShard): its content type and where the bytes come from.
struct StreamingAnswer {
  std::string content_type;
  std::shared_ptr<wire::BodySource> source;
};

// What an action answers: a JSON body on success, a streamed success, or an
// AWS error.
using Outcome = std::variant<std::string, ApiError, StreamingAnswer>;
// Completes an action. Call exactly once, from any thread.
using Reply = std::function<void(Outcome)>;

}  // namespace sluice::protocol
