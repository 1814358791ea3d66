#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response ListMultipartUploads(Context& c) {
  auto ups = c.store.ListUploads(c.bucket);
  if (!ups.ok()) return c.FromStoreError(ups.error());
  std::string b = std::string("<ListMultipartUploadsResult xmlns=\"") + kNs + "\"><Bucket>" + XmlEscape(c.bucket) +
                  "</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads>"
                  "<IsTruncated>false</IsTruncated>";
  for (const auto& u : *ups)
    b += "<Upload><Key>" + XmlEscape(u.key) + "</Key><UploadId>" + u.upload_id + "</UploadId>" + c.OwnerXml() +
         "<StorageClass>STANDARD</StorageClass><Initiated>" + Iso8601(u.initiated_ms) + "</Initiated></Upload>";
  b += "</ListMultipartUploadsResult>";
  return c.Xml(std::move(b));
}

}  // namespace sluice::s3api::api
