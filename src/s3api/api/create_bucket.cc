#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response CreateBucket(Context& c) {
  std::string region;
  if (!Trim(c.req.body).empty()) {
    auto doc = ParseXml(c.req.body);
    if (!doc.ok() || doc->name != "CreateBucketConfiguration") return c.Error("MalformedXML", kMalformedXml);
    if (const auto* lc = doc->Child("LocationConstraint")) region = Trim(lc->text);
  }
  if (!objstore::IsValidBucketName(c.bucket))
    return c.Error("InvalidBucketName", "The specified bucket is not valid.", {{"BucketName", c.bucket}});
  auto st = c.store.CreateBucket(c.bucket, region.empty() ? "us-east-1" : region);
  if (!st.ok()) return c.FromStoreError(st.error());
  wire::Response r = c.Empty();
  r.SetHeader("Location", "/" + c.bucket);
  return r;
}

}  // namespace sluice::s3api::api
