// The S3 operations, one function each (chosen by Route in route.cc).
#pragma once

#include "s3api/api/context.h"

namespace sluice::s3api::api {

// Picks the operation for the request's method, bucket, key and
// subresources (NotImplemented for subresources not served,
// MethodNotAllowed for methods a resource does not take) and runs it.
http::Response Route(Context& ctx);

// service
http::Response ListBuckets(Context& ctx);
// bucket
http::Response CreateBucket(Context& ctx);
http::Response HeadBucket(Context& ctx);
http::Response DeleteBucket(Context& ctx);
http::Response DeleteObjects(Context& ctx);
http::Response GetBucketLocation(Context& ctx);
http::Response ListMultipartUploads(Context& ctx);
http::Response ListObjects(Context& ctx);  // v1 and V2
// object
http::Response PutObject(Context& ctx);
http::Response CopyObject(Context& ctx);
http::Response UploadPart(Context& ctx);
http::Response CreateMultipartUpload(Context& ctx);
http::Response CompleteMultipartUpload(Context& ctx);
http::Response AbortMultipartUpload(Context& ctx);
http::Response DeleteObject(Context& ctx);
http::Response ListParts(Context& ctx);
http::Response GetObject(Context& ctx);  // GET and HEAD

}  // namespace sluice::s3api::api
