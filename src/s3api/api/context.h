// What every S3 operation handler receives, and the helpers they share.
// The router (route.cc) has already split the target into bucket and key and
// picked the handler from the method and subresources; a handler validates
// the rest, acts on the LocalStore and returns the whole response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "objstore/digest.h"
#include "objstore/local_store.h"
#include "objstore/names.h"
#include "objstore/store_error.h"
#include "s3api/s3_api.h"
#include "s3api/wire.h"
#include "wire/message.h"

namespace sluice::s3api::api {

using objstore::ObjectInfo;
using Extra = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* kNs = "http://s3.amazonaws.com/doc/2006-03-01/";
inline constexpr const char* kMalformedXml =
    "The XML you provided was not well-formed or did not validate against our published schema";

struct Context {
  const wire::Request& req;
  objstore::LocalStore& store;
  const S3ApiOptions& options;
  Target target;
  std::string bucket;
  std::string key;
  bool has_bucket = false;
  bool has_key = false;
  std::string request_id;
  std::string resource = "/";  // the <Resource> of error documents
  bool head = false;           // HEAD: errors carry no body

  const std::string& method() const { return req.method; }

  // An S3 error document for this request (status from the code).
  wire::Response Error(std::string_view code, std::string_view message, const Extra& extra = {}) const;
  // The S3 error for a store failure (store_errors.cc), with the elements
  // S3 adds for it (BucketName, Key, UploadId); InternalError is logged.
  wire::Response FromStoreError(const objstore::StoreError& error) const;
  wire::Response NotImplemented(std::string_view what) const;
  wire::Response MethodNotAllowed(std::string_view resource_type) const;
  // 200 (or `status`) with an XML document (the declaration is added).
  wire::Response Xml(std::string body, unsigned status = 200) const;
  // An answer without a body.
  wire::Response Empty(unsigned status = 200) const;

  std::string OwnerXml() const;
  // The request body with aws-chunked framing removed and Content-MD5
  // checked, into *out; or the error to answer.
  std::optional<wire::Response> ReadPayload(std::string* out) const;
  // Content-Type, Content-Encoding (without aws-chunked) and x-amz-meta-*.
  objstore::PutOptions PutOptionsFromHeaders() const;
  // KeyTooLongError / InvalidURI for a key S3 refuses.
  std::optional<wire::Response> CheckKey() const;
  // ETag, Last-Modified, Content-Type, Content-Encoding, x-amz-meta-*.
  static void SetObjectHeaders(wire::Response& r, const ObjectInfo& info);
};

using Handler = wire::Response (*)(Context& ctx);

// ---- shared by the handlers and S3Api
std::string Lower(std::string_view s);
std::string Trim(std::string_view s);
std::optional<int64_t> ParseInt(std::string_view s);
std::string RandomHex(size_t bytes, bool upper);
// x-amz-request-id, x-amz-id-2, Date, Server.
void SetCommonHeaders(wire::Response& r, const std::string& request_id);
wire::Response ErrorResponse(const std::string& request_id, bool head, std::string_view code, std::string_view message,
                             const std::string& resource, const Extra& extra = {});

}  // namespace sluice::s3api::api
