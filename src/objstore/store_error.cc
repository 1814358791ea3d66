#include "objstore/store_error.h"

namespace sluice::objstore {

StoreError StoreError::NoSuchBucket() { return {Code::kNoSuchBucket, "The specified bucket does not exist"}; }

StoreError StoreError::NoSuchKey() { return {Code::kNoSuchKey, "The specified key does not exist."}; }

StoreError StoreError::NoSuchUpload() {
  return {Code::kNoSuchUpload,
          "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or "
          "completed."};
}

StoreError StoreError::FromStatus(const Status& status) {
  return {status.code() == StatusCode::kUnavailable ? Code::kUnavailable : Code::kInternal, status.message()};
}

std::string StoreError::ToString() const { return std::string(CodeName(code)) + ": " + message; }

std::string_view CodeName(StoreError::Code code) {
  using Code = StoreError::Code;
  switch (code) {
    case Code::kNoSuchBucket: return "NoSuchBucket";
    case Code::kNoSuchKey: return "NoSuchKey";
    case Code::kNoSuchUpload: return "NoSuchUpload";
    case Code::kInvalidBucketName: return "InvalidBucketName";
    case Code::kBucketAlreadyOwnedByYou: return "BucketAlreadyOwnedByYou";
    case Code::kBucketNotEmpty: return "BucketNotEmpty";
    case Code::kInvalidKey: return "InvalidKey";
    case Code::kInvalidPartNumber: return "InvalidPartNumber";
    case Code::kNoParts: return "NoParts";
    case Code::kInvalidPart: return "InvalidPart";
    case Code::kInvalidPartOrder: return "InvalidPartOrder";
    case Code::kEntityTooSmall: return "EntityTooSmall";
    case Code::kUnavailable: return "Unavailable";
    case Code::kInternal: return "Internal";
  }
  return "Internal";
}

Status ToStatus(const StoreError& error) {
  using Code = StoreError::Code;
  switch (error.code) {
    case Code::kNoSuchBucket:
    case Code::kNoSuchKey:
    case Code::kNoSuchUpload: return Status::NotFound(error.message);
    case Code::kBucketAlreadyOwnedByYou: return Status::AlreadyExists(error.message);
    case Code::kBucketNotEmpty: return Status::FailedPrecondition(error.message);
    case Code::kUnavailable: return Status::Unavailable(error.message);
    case Code::kInternal: return Status::Internal(error.message);
    case Code::kInvalidBucketName:
    case Code::kInvalidKey:
    case Code::kInvalidPartNumber:
    case Code::kNoParts:
    case Code::kInvalidPart:
    case Code::kInvalidPartOrder:
    case Code::kEntityTooSmall: return Status::InvalidArgument(error.message);
  }
  return Status::Internal(error.message);
}

}  // namespace sluice::objstore
