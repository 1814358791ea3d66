// StoreError: why a LocalStore operation failed, as a value the caller can
// switch on (s3api maps each code to its S3 error in one place,
// s3api/api/store_errors.cc). StoreResult<T> carries a T or a StoreError;
// StoreStatus (StoreResult<void>) only the error.
//
// The codes are the store's own words; the messages are S3's, ready to be
// shown. I/O and index failures are kInternal, refusals the caller may retry
// (the data quota is full, an object kept changing under a read) kUnavailable.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/status.h"

namespace sluice::objstore {

struct StoreError {
  enum class Code {
    kNoSuchBucket,
    kNoSuchKey,
    kNoSuchUpload,
    kInvalidBucketName,        // not a name AWS allows (IsValidBucketName)
    kBucketAlreadyOwnedByYou,  // CreateBucket of an existing bucket
    kBucketNotEmpty,           // DeleteBucket of a bucket with objects
    kInvalidKey,               // empty, over 1024 bytes, not UTF-8 or holds NUL
    kInvalidPartNumber,        // outside 1..10000
    kNoParts,                  // CompleteMultipartUpload with an empty part list
    kInvalidPart,              // a listed part is not stored, or its ETag differs
    kInvalidPartOrder,         // part numbers not ascending
    kEntityTooSmall,           // a part other than the last under min_part_size
    kUnavailable,              // try again later
    kInternal,                 // I/O or index failure
  };

  Code code = Code::kInternal;
  std::string message;

  // The store's refusals, with S3's messages.
  static StoreError NoSuchBucket();
  static StoreError NoSuchKey();
  static StoreError NoSuchUpload();
  // A Status from below (files, index): kUnavailable when it is Unavailable,
  // else kInternal; the message is kept.
  static StoreError FromStatus(const Status& status);

  // "NoSuchKey: The specified key does not exist." (logs and test output).
  std::string ToString() const;
};

// The code's name without the k ("NoSuchKey", "InvalidPartNumber").
std::string_view CodeName(StoreError::Code code);

// The error as a Status for the ObjectStore interface: NotFound for the
// NoSuch* codes, AlreadyExists, FailedPrecondition (BucketNotEmpty),
// Unavailable, Internal, InvalidArgument for the rest; the message is kept.
Status ToStatus(const StoreError& error);

// A T or the StoreError that prevented it.
template <typename T>
class [[nodiscard]] StoreResult {
 public:
  StoreResult(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  StoreResult(StoreError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  // Only when !ok().
  const StoreError& error() const { return std::get<StoreError>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, StoreError> v_;
};

// Success (default-constructed, `return {};`) or a StoreError.
template <>
class [[nodiscard]] StoreResult<void> {
 public:
  StoreResult() = default;
  StoreResult(StoreError error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  // Only when !ok().
  const StoreError& error() const {
    assert(error_.has_value());
    return *error_;
  }

 private:
  std::optional<StoreError> error_;
};

using StoreStatus = StoreResult<void>;

}  // namespace sluice::objstore
