#include "s3api/api/handlers.h"

namespace sluice::s3api::api {

wire::Response PutObject(Context& c) {
  std::string body;
  if (auto e = c.ReadPayload(&body)) return *e;
  auto info = c.store.Put(c.bucket, c.key, body, c.PutOptionsFromHeaders());
  if (!info.ok()) return c.FromStoreError(info.error());
  wire::Response r = c.Empty();
  r.SetHeader("ETag", info->etag);
  return r;
}

}  // namespace sluice::s3api::api
