// ApiError: an error answer of an AWS JSON service — the `__type` clients
// switch on, a human message, and the HTTP status.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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

// The outcome of a step of an action that can fail with the AWS error to
// answer: ApiStatus carries no value, ApiResult<T> a T. They are to handlers
// what Status and Result<T> are to the layers below (which know no AWS error
// types); like those they must not be dropped.
class [[nodiscard]] ApiStatus {
 public:
  ApiStatus() = default;
  ApiStatus(ApiError error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static ApiStatus Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  const ApiError& error() const { return *error_; }  // only when !ok()

 private:
  std::optional<ApiError> error_;
};

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  const ApiError& error() const { return std::get<1>(v_); }  // only when !ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, ApiError> v_;
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
