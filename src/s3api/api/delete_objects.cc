#include "s3api/api/handlers.h"
#include "s3api/api/store_errors.h"

namespace sluice::s3api::api {

// POST /bucket?delete: up to 1000 keys; each key's outcome in the result.
wire::Response DeleteObjects(Context& c) {
  std::string body;
  if (auto e = c.ReadPayload(&body)) return *e;
  auto doc = ParseXml(body);
  if (!doc.ok() || doc->name != "Delete") return c.Error("MalformedXML", kMalformedXml);
  bool quiet = false;
  if (const auto* q = doc->Child("Quiet")) quiet = Lower(Trim(q->text)) == "true";
  std::vector<std::string> keys;
  for (const auto* o : doc->All("Object")) {
    const auto* k = o->Child("Key");
    if (!k) return c.Error("MalformedXML", kMalformedXml);
    keys.push_back(k->text);
  }
  if (keys.empty() || keys.size() > 1000) return c.Error("MalformedXML", kMalformedXml);
  if (auto bucket = c.store.GetBucket(c.bucket); !bucket.ok()) return c.FromStoreError(bucket.error());
  std::string b = std::string("<DeleteResult xmlns=\"") + kNs + "\">";
  for (const auto& k : keys) {
    // A key S3 would refuse cannot exist: deleting it succeeds, as S3's does.
    auto st = objstore::IsValidKey(k) ? c.store.Delete(c.bucket, k) : objstore::StoreStatus();
    if (st.ok()) {
      if (!quiet) b += "<Deleted><Key>" + XmlEscape(k) + "</Key></Deleted>";
    } else {
      b += "<Error><Key>" + XmlEscape(k) + "</Key><Code>" + std::string(S3ErrorCode(st.error().code)) +
           "</Code><Message>" + XmlEscape(st.error().message) + "</Message></Error>";
    }
  }
  b += "</DeleteResult>";
  return c.Xml(std::move(b));
}

}  // namespace sluice::s3api::api
