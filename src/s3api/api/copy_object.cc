#include "codec/url.h"
#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

// PUT with x-amz-copy-source: "/bucket/key" (URL-encoded, optional
// ?versionId=), metadata COPY or REPLACE.
wire::Response CopyObject(Context& c) {
  std::string_view copy_source = c.req.Header("x-amz-copy-source");
  std::string src(copy_source);
  if (size_t q = src.find("?versionId="); q != std::string::npos) src = src.substr(0, q);
  bool malformed = false;
  std::string s = codec::UrlDecode(src, codec::UrlPart::kPath, &malformed);
  if (malformed)
    return c.Error("InvalidArgument", "Invalid copy source encoding", {{"ArgumentName", "x-amz-copy-source"}});
  if (!s.empty() && s.front() == '/') s.erase(0, 1);
  size_t slash = s.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == s.size())
    return c.Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                   {{"ArgumentName", "x-amz-copy-source"}, {"ArgumentValue", std::string(copy_source)}});
  std::string sb = s.substr(0, slash), sk = s.substr(slash + 1);
  std::string directive = std::string(c.req.Header("x-amz-metadata-directive"));
  if (directive.empty()) directive = "COPY";
  if (directive != "COPY" && directive != "REPLACE")
    return c.Error("InvalidArgument", "Unknown metadata directive.", {{"ArgumentName", "x-amz-metadata-directive"}});
  if (sb == c.bucket && sk == c.key && directive == "COPY")
    return c.Error("InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to itself without changing "
                   "the object's metadata, storage class, website redirect location or encryption attributes.");
  std::optional<objstore::PutOptions> replace;
  if (directive == "REPLACE") replace = c.PutOptionsFromHeaders();
  auto info = c.store.Copy(sb, sk, c.bucket, c.key, replace);
  if (!info.ok()) return c.FromStoreError(info.error());
  return c.Xml(std::string("<CopyObjectResult xmlns=\"") + kNs + "\"><LastModified>" + Iso8601(info->last_modified_ms) +
               "</LastModified><ETag>" + XmlEscape(info->etag) + "</ETag></CopyObjectResult>");
}

}  // namespace sluice::s3api::api
