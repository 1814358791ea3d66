// StartDeliveryStreamEncryption / StopDeliveryStreamEncryption: recorded in
// the delivery stream's configuration and reported by DescribeDeliveryStream
// (ENABLING -> ENABLED, DISABLING -> DISABLED over the transition time) and by
// the puts' Encrypted flag. Sluice does not encrypt the spool itself.
#include "base/mutex.h"
#include "firehose/api/handlers.h"

namespace sluice::firehose::api {

ApiStatus ApplyEncryptionInput(const rapidjson::Value& in, DeliveryStreamConfig& c) {
  std::string type = GetString(in, "KeyType").value_or("AWS_OWNED_CMK");
  auto arn = GetString(in, "KeyARN");
  if (type == "CUSTOMER_MANAGED_CMK" && !arn)
    return ApiError::InvalidArgument(
        "If you specify CUSTOMER_MANAGED_CMK as the KeyType, you must also specify KeyARN.");
  if (type == "AWS_OWNED_CMK" && arn)
    return ApiError::InvalidArgument("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.");
  c.encryption_enabled = true;
  c.encryption_key_type = type;
  c.encryption_key_arn = arn.value_or("");
  return ApiStatus::Ok();
}

namespace {

void Change(Context& ctx, const rapidjson::Value& in, Reply reply, bool enable) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  {
    MutexLock lk(s->mu);
    auto& c = s->config();
    if (c.status != DeliveryStreamStatus::kActive) return reply(NotActive(ctx, c));
    if (c.type != DeliveryStreamType::kDirectPut)
      return reply(
          ApiError::InvalidArgument("This operation is not permitted on KinesisStreamAsSource delivery stream type."));
    DeliveryStreamConfig before = c;
    if (enable) {
      rapidjson::Value empty(rapidjson::kObjectType);
      const rapidjson::Value* input = GetObject(in, "DeliveryStreamEncryptionConfigurationInput");
      if (ApiStatus err = ApplyEncryptionInput(input ? *input : empty, c); !err.ok()) return reply(err.error());
    } else {
      if (!c.encryption_enabled) return reply(std::string("{}"));  // already off
      c.encryption_enabled = false;
    }
    if (Status st = s->PersistLocked(); !st.ok()) {
      c = std::move(before);
      return reply(ApiError::InternalFailure("Persisting the delivery stream failed: " + st.message()));
    }
    MarkEncryptionTransition(s, ctx.catalog.NowMillis() + std::max<int64_t>(ctx.catalog.options().transition_ms, 0));
  }
  reply(std::string("{}"));
}

}  // namespace

void StartDeliveryStreamEncryption(Context& ctx, const rapidjson::Value& in, Reply reply) {
  Change(ctx, in, std::move(reply), true);
}

void StopDeliveryStreamEncryption(Context& ctx, const rapidjson::Value& in, Reply reply) {
  Change(ctx, in, std::move(reply), false);
}

}  // namespace sluice::firehose::api
