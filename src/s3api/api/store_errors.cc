#include "s3api/api/store_errors.h"

#include <iostream>

#include "s3api/api/context.h"

namespace sluice::s3api::api {

std::string_view S3ErrorCode(objstore::StoreError::Code code) {
  using Code = objstore::StoreError::Code;
  switch (code) {
    case Code::kNoSuchBucket: return "NoSuchBucket";
    case Code::kNoSuchKey: return "NoSuchKey";
    case Code::kNoSuchUpload: return "NoSuchUpload";
    case Code::kInvalidBucketName: return "InvalidBucketName";
    case Code::kBucketAlreadyOwnedByYou: return "BucketAlreadyOwnedByYou";
    case Code::kBucketNotEmpty: return "BucketNotEmpty";
    case Code::kInvalidKey: return "KeyTooLongError";
    case Code::kInvalidPartNumber: return "InvalidArgument";
    case Code::kNoParts: return "MalformedXML";
    case Code::kInvalidPart: return "InvalidPart";
    case Code::kInvalidPartOrder: return "InvalidPartOrder";
    case Code::kEntityTooSmall: return "EntityTooSmall";
    case Code::kUnavailable: return "ServiceUnavailable";
    case Code::kInternal: return "InternalError";
  }
  return "InternalError";
}

wire::Response Context::FromStoreError(const objstore::StoreError& error) const {
  using Code = objstore::StoreError::Code;
  Extra extra;
  switch (error.code) {
    case Code::kNoSuchBucket:
    case Code::kBucketNotEmpty:
    case Code::kBucketAlreadyOwnedByYou:
    case Code::kInvalidBucketName: extra.emplace_back("BucketName", bucket); break;
    case Code::kNoSuchKey: extra.emplace_back("Key", key); break;
    case Code::kNoSuchUpload: extra.emplace_back("UploadId", target.Get("uploadId").value_or("")); break;
    case Code::kInternal:
      std::cerr << "sluice: S3 " << method() << " " << resource << ": " << error.message << "\n";
      break;
    default: break;
  }
  return Error(S3ErrorCode(error.code), error.message, extra);
}

}  // namespace sluice::s3api::api
