#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response ListBuckets(Context& c) {
  auto buckets = c.store.ListBuckets();
  if (!buckets.ok()) return c.FromStoreError(buckets.error());
  std::string b = std::string("<ListAllMyBucketsResult xmlns=\"") + kNs + "\">" + c.OwnerXml() + "<Buckets>";
  for (const auto& bk : *buckets)
    b += "<Bucket><Name>" + XmlEscape(bk.name) + "</Name><CreationDate>" + Iso8601(bk.created_ms) +
         "</CreationDate></Bucket>";
  b += "</Buckets></ListAllMyBucketsResult>";
  return c.Xml(std::move(b));
}

}  // namespace sluice::s3api::api
