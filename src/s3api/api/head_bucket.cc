#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response HeadBucket(Context& c) {
  auto b = c.store.GetBucket(c.bucket);
  if (!b.ok()) return c.FromStoreError(b.error());
  wire::Response r = c.Empty();
  r.SetHeader("x-amz-bucket-region", b->region);
  r.SetHeader("Content-Type", "application/xml");
  return r;
}

}  // namespace sluice::s3api::api
