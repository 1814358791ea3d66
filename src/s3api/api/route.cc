#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

namespace {

// The query parameters of a presigned URL (SigV4 X-Amz-*, SigV2 below).
bool IsAuthParam(std::string_view k) {
  return k.substr(0, 6) == "X-Amz-" || k.substr(0, 6) == "x-amz-" || k == "AWSAccessKeyId" || k == "Signature" ||
         k == "Expires";
}

// Parameters of the listing operations (not subresources).
bool IsListParam(std::string_view k) {
  static const char* kParams[] = {"prefix",
                                  "delimiter",
                                  "marker",
                                  "max-keys",
                                  "encoding-type",
                                  "list-type",
                                  "start-after",
                                  "fetch-owner",
                                  "continuation-token",
                                  "x-id",
                                  "optional-object-attributes"};
  for (const char* p : kParams)
    if (k == p) return true;
  return IsAuthParam(k);
}

bool IsIgnorableParam(std::string_view k) { return k == "x-id" || k == "versionId" || IsAuthParam(k); }

wire::Response RouteBucket(Context& c) {
  const std::string& m = c.method();
  const Target& t = c.target;
  // Subresources we do not implement.
  for (const auto& [k, v] : t.query) {
    if (IsListParam(k) || k == "location" || k == "delete" || k == "uploads") continue;
    if (m == "GET" || m == "PUT" || m == "DELETE" || m == "POST" || m == "HEAD") {
      if (k == "versionId") continue;
      return c.NotImplemented("?" + k);
    }
  }
  if (m == "PUT") return CreateBucket(c);
  if (m == "HEAD") return HeadBucket(c);
  if (m == "DELETE") return DeleteBucket(c);
  if (m == "POST") return t.Has("delete") ? DeleteObjects(c) : c.MethodNotAllowed("BUCKET");
  if (m != "GET") return c.MethodNotAllowed("BUCKET");
  if (t.Has("location")) return GetBucketLocation(c);
  if (t.Has("uploads")) return ListMultipartUploads(c);
  return ListObjects(c);
}

wire::Response RouteObject(Context& c) {
  const std::string& m = c.method();
  const Target& t = c.target;
  for (const auto& [k, v] : t.query) {
    if (IsIgnorableParam(k) || k == "uploads" || k == "uploadId" || k == "partNumber" ||
        k.compare(0, 9, "response-") == 0 || k == "max-parts" || k == "part-number-marker" || k == "encoding-type")
      continue;
    return c.NotImplemented("?" + k);
  }
  if (auto e = c.CheckKey()) return *e;
  bool upload = t.Has("uploadId");
  if (m == "PUT") {
    bool copy = !c.req.Header("x-amz-copy-source").empty();
    if (upload) return copy ? c.NotImplemented("UploadPartCopy") : UploadPart(c);
    return copy ? CopyObject(c) : PutObject(c);
  }
  if (m == "POST") {
    if (t.Has("uploads")) return CreateMultipartUpload(c);
    if (upload) return CompleteMultipartUpload(c);
    return c.MethodNotAllowed("OBJECT");
  }
  if (m == "DELETE") return upload ? AbortMultipartUpload(c) : DeleteObject(c);
  if (m == "GET" && upload) return ListParts(c);
  if (m == "GET" || m == "HEAD") return GetObject(c);
  return c.MethodNotAllowed("OBJECT");
}

}  // namespace

wire::Response Route(Context& c) {
  if (!c.has_bucket) return c.method() == "GET" ? ListBuckets(c) : c.MethodNotAllowed("SERVICE");
  if (!c.has_key) return RouteBucket(c);
  return RouteObject(c);
}

}  // namespace sluice::s3api::api
