// The multipart upload operations: create, upload a part, complete, abort,
// list parts.
#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response CreateMultipartUpload(Context& c) {
  auto id = c.store.CreateMultipartUpload(c.bucket, c.key, c.PutOptionsFromHeaders());
  if (!id.ok()) return c.FromStoreError(id.error());
  return c.Xml(std::string("<InitiateMultipartUploadResult xmlns=\"") + kNs + "\"><Bucket>" + XmlEscape(c.bucket) +
               "</Bucket><Key>" + XmlEscape(c.key) + "</Key><UploadId>" + *id +
               "</UploadId></InitiateMultipartUploadResult>");
}

wire::Response UploadPart(Context& c) {
  const Target& t = c.target;
  auto pn = ParseInt(t.Get("partNumber").value_or(""));
  if (!pn || *pn < 1 || *pn > 10000)
    return c.Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive",
                   {{"ArgumentName", "partNumber"}, {"ArgumentValue", t.Get("partNumber").value_or("")}});
  std::string body;
  if (auto e = c.ReadPayload(&body)) return *e;
  auto etag = c.store.UploadPart(c.bucket, c.key, t.Get("uploadId").value_or(""), static_cast<int>(*pn), body);
  if (!etag.ok()) return c.FromStoreError(etag.error());
  wire::Response r = c.Empty();
  r.SetHeader("ETag", *etag);
  return r;
}

wire::Response CompleteMultipartUpload(Context& c) {
  std::string body;
  if (auto e = c.ReadPayload(&body)) return *e;
  auto doc = ParseXml(body);
  if (!doc.ok() || doc->name != "CompleteMultipartUpload") return c.Error("MalformedXML", kMalformedXml);
  std::vector<objstore::CompletedPart> parts;
  for (const auto* p : doc->All("Part")) {
    const auto* pn = p->Child("PartNumber");
    const auto* et = p->Child("ETag");
    auto n = pn ? ParseInt(pn->text) : std::nullopt;
    if (!n || !et || *n < 1 || *n > 10000) return c.Error("MalformedXML", kMalformedXml);
    parts.push_back({static_cast<int>(*n), Trim(et->text)});
  }
  auto info = c.store.CompleteMultipartUpload(c.bucket, c.key, c.target.Get("uploadId").value_or(""), parts);
  if (!info.ok()) return c.FromStoreError(info.error());
  std::string host(c.req.Header("Host"));
  return c.Xml(std::string("<CompleteMultipartUploadResult xmlns=\"") + kNs + "\"><Location>http://" + XmlEscape(host) +
               "/" + XmlEscape(c.bucket) + "/" + XmlEscape(UrlEncode(c.key)) + "</Location><Bucket>" +
               XmlEscape(c.bucket) + "</Bucket><Key>" + XmlEscape(c.key) + "</Key><ETag>" + XmlEscape(info->etag) +
               "</ETag></CompleteMultipartUploadResult>");
}

wire::Response AbortMultipartUpload(Context& c) {
  auto st = c.store.AbortMultipartUpload(c.bucket, c.key, c.target.Get("uploadId").value_or(""));
  if (!st.ok()) return c.FromStoreError(st.error());
  return c.Empty(204);
}

wire::Response ListParts(Context& c) {
  std::string upload_id = c.target.Get("uploadId").value_or("");
  auto parts = c.store.ListParts(c.bucket, c.key, upload_id);
  if (!parts.ok()) return c.FromStoreError(parts.error());
  std::string b = std::string("<ListPartsResult xmlns=\"") + kNs + "\"><Bucket>" + XmlEscape(c.bucket) +
                  "</Bucket><Key>" + XmlEscape(c.key) + "</Key><UploadId>" + XmlEscape(upload_id) + "</UploadId>" +
                  c.OwnerXml() +
                  "<StorageClass>STANDARD</StorageClass><PartNumberMarker>0"
                  "</PartNumberMarker><NextPartNumberMarker>" +
                  std::to_string(parts->empty() ? 0 : parts->back().part_number) +
                  "</NextPartNumberMarker><MaxParts>10000</MaxParts><IsTruncated>false</IsTruncated>";
  for (const auto& p : *parts)
    b += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><LastModified>" +
         Iso8601(p.last_modified_ms) + "</LastModified><ETag>" + XmlEscape(p.etag) + "</ETag><Size>" +
         std::to_string(p.size) + "</Size></Part>";
  b += "</ListPartsResult>";
  return c.Xml(std::move(b));
}

}  // namespace sluice::s3api::api
