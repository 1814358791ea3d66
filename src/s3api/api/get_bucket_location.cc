#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response GetBucketLocation(Context& c) {
  auto b = c.store.GetBucket(c.bucket);
  if (!b.ok()) return c.FromStoreError(b.error());
  std::string region = b->region == "us-east-1" ? "" : b->region;  // us-east-1 is the empty constraint
  return c.Xml(std::string("<LocationConstraint xmlns=\"") + kNs + "\">" + XmlEscape(region) + "</LocationConstraint>");
}

}  // namespace sluice::s3api::api
