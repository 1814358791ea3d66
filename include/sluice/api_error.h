// Errors as values for AWS calls: ApiError says what failed and whether the
// service or the network said so; ApiResult<T> holds a T or an ApiError.
// Nothing in the client API throws.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sluice::client {

enum class ErrorKind {
  kService,            // the service answered with an error (`type`, `http_status` set)
  kNetwork,            // connect/read/write failed or the connection closed
  kNameResolution,     // the endpoint's host name does not resolve (no such host)
  kTimeout,            // connect or request timeout
  kTls,                // TLS handshake or certificate verification failed
  kMalformedResponse,  // a response that is not valid HTTP or not the expected JSON
  kInvalidArgument,    // rejected before sending (bad endpoint URL, bad request)
};

const char* ErrorKindName(ErrorKind kind);

struct ApiError {
  ErrorKind kind = ErrorKind::kService;
  std::string type;        // AWS error code, "ResourceNotFoundException" (`__type` after any '#')
  std::string message;     // AWS `message`, or a description of the local failure
  int http_status = 0;     // 0 when no HTTP response was received
  std::string request_id;  // x-amzn-RequestId, when the service sent one
  int attempts = 1;        // attempts made, including retries

  bool is_service_error() const { return kind == ErrorKind::kService; }
  // "ResourceNotFoundException (HTTP 400): Stream s not found [request 1234]".
  std::string ToString() const;
};

// A value or an ApiError. [[nodiscard]] like sluice::Result: a call's
// failure is handled, not dropped.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const ApiError& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Drops this result on purpose; say why in a comment where it is called.
  void IgnoreError() const {}

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace sluice::client
