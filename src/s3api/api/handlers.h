// The S3 operations, one function each (chosen by Route in route.cc).
#pragma once

#include "s3api/api/context.h"

namespace sluice::s3api::api {

// Picks the operation for the request's method, bucket, key and
// subresources (NotImplemented for subresources not served,
// MethodNotAllowed for methods a resource does not take) and runs it.
wire::Response Route(Context& ctx);

// service
wire::Response ListBuckets(Context& ctx);
// bucket
wire::Response CreateBucket(Context& ctx);
wire::Response HeadBucket(Context& ctx);
wire::Response DeleteBucket(Context& ctx);
wire::Response DeleteObjects(Context& ctx);
wire::Response GetBucketLocation(Context& ctx);
wire::Response ListMultipartUploads(Context& ctx);
wire::Response ListObjects(Context& ctx);  // v1 and V2
// object
wire::Response PutObject(Context& ctx);
wire::Response CopyObject(Context& ctx);
wire::Response UploadPart(Context& ctx);
wire::Response CreateMultipartUpload(Context& ctx);
wire::Response CompleteMultipartUpload(Context& ctx);
wire::Response AbortMultipartUpload(Context& ctx);
wire::Response DeleteObject(Context& ctx);
wire::Response ListParts(Context& ctx);
wire::Response GetObject(Context& ctx);  // GET and HEAD

}  // namespace sluice::s3api::api
