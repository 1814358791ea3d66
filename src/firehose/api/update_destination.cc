// UpdateDestination: optimistic concurrency on VersionId, merge semantics
// (only the members given change), VersionId + 1, LastUpdateTimestamp, then
// the listener's OnUpdated — the engine uses the new configuration for the
// objects it starts after that.
#include "base/mutex.h"
#include "firehose/api/handlers.h"

namespace sluice::firehose::api {

namespace {
constexpr const char* kOtherUpdates[] = {
    "RedshiftDestinationUpdate",  "ElasticsearchDestinationUpdate", "AmazonopensearchserviceDestinationUpdate",
    "SplunkDestinationUpdate",    "HttpEndpointDestinationUpdate",  "AmazonOpenSearchServerlessDestinationUpdate",
    "SnowflakeDestinationUpdate", "IcebergDestinationUpdate",
};
}  // namespace

void UpdateDestination(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  for (const char* m : kOtherUpdates)
    if (in.HasMember(m))
      return reply(ApiError::InvalidArgument(std::string(m) +
                                             " is not supported: Sluice delivers only to S3 (S3DestinationUpdate or "
                                             "ExtendedS3DestinationUpdate)."));
  const rapidjson::Value* s3 = GetObject(in, "S3DestinationUpdate");
  const rapidjson::Value* ext = GetObject(in, "ExtendedS3DestinationUpdate");
  if (s3 && ext)
    return reply(ApiError::InvalidArgument("Specify only one of S3DestinationUpdate and ExtendedS3DestinationUpdate."));
  std::string version = GetString(in, "CurrentDeliveryStreamVersionId").value_or("");
  std::string destination_id = GetString(in, "DestinationId").value_or("");
  {
    MutexLock lk(s->mu);
    auto& c = s->config();
    if (c.status != DeliveryStreamStatus::kActive) return reply(NotActive(ctx, c));
    if (version != std::to_string(c.version_id))
      return reply(ConcurrentModification("Cannot update firehose: " + c.name + ". The current version id is " +
                                          std::to_string(c.version_id) + " and the version id in the request is " +
                                          version + "."));
    if (destination_id != c.destination.destination_id)
      return reply(ApiError::InvalidArgument("Destination " + destination_id + " not found in firehose " + c.name +
                                             "; its destination is " + c.destination.destination_id + "."));
    S3DestinationConfig updated = c.destination;
    if (s3 || ext) {
      if (ApiStatus err = ApplyS3(ext ? *ext : *s3, ext != nullptr, true, updated); !err.ok())
        return reply(err.error());
    }
    if (updated.dynamic_partitioning && !c.destination.dynamic_partitioning)
      return reply(
          ApiError::InvalidArgument("Dynamic partitioning can only be enabled when the delivery stream is created."));
    if (ApiStatus err = ValidateDestination(updated); !err.ok()) return reply(err.error());
    DeliveryStreamConfig before = c;
    c.destination = std::move(updated);
    c.version_id += 1;
    c.updated_ms = std::max(ctx.catalog.NowMillis(), c.created_ms + 1);
    if (Status st = s->PersistLocked(); !st.ok()) {
      c = std::move(before);
      return reply(ApiError::InternalFailure("Persisting the delivery stream failed: " + st.message()));
    }
  }
  ctx.catalog.NotifyUpdated(s);
  reply(std::string("{}"));
}

}  // namespace sluice::firehose::api
