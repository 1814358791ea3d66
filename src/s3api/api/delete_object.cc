#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response DeleteObject(Context& c) {
  auto st = c.store.Delete(c.bucket, c.key);
  if (!st.ok()) return c.FromStoreError(st.error());
  return c.Empty(204);
}

}  // namespace sluice::s3api::api
