// The one mapping from the embedded store's errors to S3's: each code's S3
// error code and the HTTP status its document is answered with.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "s3api/api/context.h"
#include "s3api/api/store_errors.h"

namespace sluice::s3api::api {
namespace {

using Code = objstore::StoreError::Code;

TEST(S3StoreErrors, EachStoreErrorAnswersWithItsS3CodeAndStatus) {
  const std::vector<std::tuple<Code, std::string, unsigned>> expected = {
      {Code::kNoSuchBucket, "NoSuchBucket", 404},
      {Code::kNoSuchKey, "NoSuchKey", 404},
      {Code::kNoSuchUpload, "NoSuchUpload", 404},
      {Code::kInvalidBucketName, "InvalidBucketName", 400},
      {Code::kBucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409},
      {Code::kBucketNotEmpty, "BucketNotEmpty", 409},
      {Code::kInvalidKey, "KeyTooLongError", 400},
      {Code::kInvalidPartNumber, "InvalidArgument", 400},
      {Code::kNoParts, "MalformedXML", 400},
      {Code::kInvalidPart, "InvalidPart", 400},
      {Code::kInvalidPartOrder, "InvalidPartOrder", 400},
      {Code::kEntityTooSmall, "EntityTooSmall", 400},
      {Code::kUnavailable, "ServiceUnavailable", 503},
      {Code::kInternal, "InternalError", 500},
  };
  for (const auto& [code, s3_code, status] : expected) {
    EXPECT_EQ(S3ErrorCode(code), s3_code) << objstore::CodeName(code);
    wire::Response r = ErrorResponse("req", /*head=*/false, S3ErrorCode(code), "m", "/b");
    EXPECT_EQ(r.status, status) << s3_code;
    EXPECT_NE(r.body.find("<Code>" + s3_code + "</Code>"), std::string::npos) << r.body;
  }
}

TEST(S3StoreErrors, StoreErrorsBecomeStatusesForTheObjectStoreInterface) {
  EXPECT_EQ(objstore::ToStatus(objstore::StoreError::NoSuchBucket()).code(), StatusCode::kNotFound);
  EXPECT_EQ(objstore::ToStatus({Code::kUnavailable, "quota"}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(objstore::ToStatus({Code::kBucketNotEmpty, "x"}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(objstore::ToStatus({Code::kInvalidKey, "x"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(objstore::StoreError::FromStatus(Status::Unavailable("later")).code, Code::kUnavailable);
  EXPECT_EQ(objstore::StoreError::FromStatus(Status::IoError("disk")).code, Code::kInternal);
  EXPECT_EQ(objstore::StoreError::FromStatus(Status::IoError("disk")).message, "disk");
}

}  // namespace
}  // namespace sluice::s3api::api
