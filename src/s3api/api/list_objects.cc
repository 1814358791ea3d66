#include <algorithm>

#include "codec/base64.h"
#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

// ListObjects (v1) and ListObjectsV2 (list-type=2): prefix, delimiter,
// max-keys, encoding-type=url, markers and continuation tokens.
wire::Response ListObjects(Context& c) {
  const Target& t = c.target;
  bool v2 = t.Get("list-type").value_or("") == "2";
  if (auto lt = t.Get("list-type"); lt && *lt != "2")
    return c.Error("InvalidArgument", "Invalid List Type specified",
                   {{"ArgumentName", "list-type"}, {"ArgumentValue", *lt}});
  objstore::ListOptions lo;
  lo.prefix = t.Get("prefix").value_or("");
  lo.delimiter = t.Get("delimiter").value_or("");
  int max_keys = 1000;
  if (auto mk = t.Get("max-keys")) {
    auto v = ParseInt(*mk);
    if (!v || *v < 0)
      return c.Error("InvalidArgument", "Provided max-keys not an integer or within integer range",
                     {{"ArgumentName", "max-keys"}, {"ArgumentValue", *mk}});
    max_keys = static_cast<int>(std::min<int64_t>(*v, 1000));
  }
  lo.max_keys = max_keys;
  std::string encoding = t.Get("encoding-type").value_or("");
  if (!encoding.empty() && encoding != "url")
    return c.Error("InvalidArgument", "Invalid Encoding Method specified in Request",
                   {{"ArgumentName", "encoding-type"}, {"ArgumentValue", encoding}});
  bool url = encoding == "url";
  auto enc = [&](const std::string& s) { return XmlEscape(url ? UrlEncode(s) : s); };
  std::string token = t.Get("continuation-token").value_or("");
  std::string start_after = t.Get("start-after").value_or("");
  std::string marker = t.Get("marker").value_or("");
  if (v2) {
    if (t.Has("continuation-token")) {
      auto raw = codec::Base64Decode(token);
      if (token.empty() || !raw.ok() || raw->substr(0, 2) != "1\n")
        return c.Error("InvalidArgument", "The continuation token provided is incorrect",
                       {{"ArgumentName", "continuation-token"}});
      lo.start_after = raw->substr(2);
    } else {
      lo.start_after = start_after;
    }
  } else {
    lo.start_after = marker;
  }
  auto res = c.store.List(c.bucket, lo);
  if (!res.ok()) return c.FromStoreError(res.error());
  bool fetch_owner = !v2 || Lower(t.Get("fetch-owner").value_or("")) == "true";
  std::string b = std::string("<ListBucketResult xmlns=\"") + kNs + "\"><Name>" + XmlEscape(c.bucket) +
                  "</Name><Prefix>" + enc(lo.prefix) + "</Prefix>";
  if (v2) {
    if (t.Has("continuation-token")) b += "<ContinuationToken>" + XmlEscape(token) + "</ContinuationToken>";
    if (!start_after.empty()) b += "<StartAfter>" + enc(start_after) + "</StartAfter>";
    b += "<KeyCount>" + std::to_string(res->objects.size() + res->common_prefixes.size()) + "</KeyCount>";
  } else {
    b += "<Marker>" + enc(marker) + "</Marker>";
  }
  b += "<MaxKeys>" + std::to_string(max_keys) + "</MaxKeys>";
  if (!lo.delimiter.empty()) b += "<Delimiter>" + enc(lo.delimiter) + "</Delimiter>";
  if (url) b += "<EncodingType>url</EncodingType>";
  b += std::string("<IsTruncated>") + (res->truncated ? "true" : "false") + "</IsTruncated>";
  if (res->truncated) {
    if (v2) b += "<NextContinuationToken>" + codec::Base64Encode("1\n" + res->last) + "</NextContinuationToken>";
    else b += "<NextMarker>" + enc(res->last) + "</NextMarker>";
  }
  for (const auto& o : res->objects) {
    b += "<Contents><Key>" + enc(o.key) + "</Key><LastModified>" + Iso8601(o.last_modified_ms) +
         "</LastModified><ETag>" + XmlEscape(o.etag) + "</ETag><Size>" + std::to_string(o.size) + "</Size>";
    if (fetch_owner) b += c.OwnerXml();
    b += "<StorageClass>STANDARD</StorageClass></Contents>";
  }
  for (const auto& p : res->common_prefixes) b += "<CommonPrefixes><Prefix>" + enc(p) + "</Prefix></CommonPrefixes>";
  b += "</ListBucketResult>";
  return c.Xml(std::move(b));
}

}  // namespace sluice::s3api::api
