// Status and Result<T>: errors as values. Disk, network and parse failures
// are returned, never asserted. A Status is cheap to copy when ok().
// Both are [[nodiscard]]: a caller handles an error (propagates, logs,
// counts) or says why not with IgnoreError().
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

enum class StatusCode {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kInvalidArgument,
  kFailedPrecondition,
  kCorruption,
  kIoError,
  kResourceExhausted,
  kUnavailable,
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Drops this status on purpose. Call it only where the failure changes
  // nothing (best-effort cleanup, a reply to a peer that already left), with
  // a comment saying why.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  // Drops this result on purpose (see Status::IgnoreError).
  void IgnoreError() const {}

 private:
  std::variant<T, Status> v_;
};

namespace internal {
// The Status inside either a Status or a Result<T> (for the macros below).
inline const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}
}  // namespace internal

}  // namespace sluice

// Error propagation. Both macros evaluate `expr` exactly once and return its
// Status from the enclosing function when it is not ok; the enclosing
// function must return Status or some Result<U> (a Status converts to both).
//
// SLUICE_RETURN_IF_ERROR(expr): `expr` is a Status or a Result<T>; its value,
// if any, is dropped.
//
// SLUICE_ASSIGN_OR_RETURN(lhs, expr): `expr` is a Result<T>; on success its
// value is moved into `lhs`, a declaration (`auto x`) or an existing lvalue.
// It expands to more than one statement: do not use it as the body of an
// unbraced if/else.
#define SLUICE_RETURN_IF_ERROR(expr)                                 \
  do {                                                               \
    auto&& sluice_status_or_result_ = (expr);                        \
    if (!sluice_status_or_result_.ok()) {                            \
      return ::sluice::internal::StatusOf(sluice_status_or_result_); \
    }                                                                \
  } while (0)

#define SLUICE_STATUS_CONCAT_INNER_(a, b) a##b
#define SLUICE_STATUS_CONCAT_(a, b) SLUICE_STATUS_CONCAT_INNER_(a, b)

#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) \
  SLUICE_ASSIGN_OR_RETURN_IMPL_(SLUICE_STATUS_CONCAT_(sluice_result_, __COUNTER__), lhs, expr)

#define SLUICE_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return result.status();              \
  lhs = std::move(result).value()
