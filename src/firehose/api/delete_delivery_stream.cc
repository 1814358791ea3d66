// DeleteDeliveryStream: the stream shows DELETING, stops delivering at once
// (the listener's OnDeleting) and disappears after the transition time.
#include "base/mutex.h"
#include "firehose/api/handlers.h"

namespace sluice::firehose::api {

void DeleteDeliveryStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  // AllowForceDelete concerns KMS grant failures, which cannot happen here.
  {
    MutexLock lk(s->mu);
    // As on AWS: a stream still being created cannot be deleted yet.
    if (s->config().status == DeliveryStreamStatus::kCreating)
      return reply(ApiError::ResourceInUse("Firehose " + s->config().name + " under account " + ctx.account() +
                                           " is in CREATING state and cannot be deleted until it is ACTIVE."));
  }
  if (Status st = ctx.catalog.Delete(s); !st.ok())
    return reply(ApiError::InternalFailure("Deleting the delivery stream failed: " + st.message()));
  reply(std::string("{}"));
}

}  // namespace sluice::firehose::api
