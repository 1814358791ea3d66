#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response DeleteBucket(Context& c) {
  auto st = c.store.DeleteBucket(c.bucket);
  if (!st.ok()) return c.FromStoreError(st.error());
  return c.Empty(204);
}

}  // namespace sluice::s3api::api
