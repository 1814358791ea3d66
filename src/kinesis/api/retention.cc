// IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod (24..8760 h).
#include "kinesis/api/handlers.h"

namespace sluice::kinesis::api {

namespace {
constexpr int kMinRetentionHours = 24;
constexpr int kMaxRetentionHours = 8760;

void ChangeRetention(Context& ctx, const rapidjson::Value& in, Reply reply, bool increase) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  int64_t hours = *GetInt(in, "RetentionPeriodHours");
  if (hours < kMinRetentionHours)
    return reply(ApiError::InvalidArgument("Minimum allowed retention period is " + std::to_string(kMinRetentionHours) +
                                           " hours. Requested retention period (" + std::to_string(hours) +
                                           " hours) is too short."));
  if (hours > kMaxRetentionHours)
    return reply(ApiError::InvalidArgument("Maximum allowed retention period is " + std::to_string(kMaxRetentionHours) +
                                           " hours. Requested retention period (" + std::to_string(hours) +
                                           " hours) is too long."));
  WriterLock lk(ref.stream->mu);
  StreamMeta& m = ref.stream->meta();
  if (m.status != StreamStatus::kActive) return reply(StreamNotActive(ctx, m));
  if (increase && hours < m.retention_hours)
    return reply(
        ApiError::InvalidArgument("Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                                  m.name + " can not be shorter than existing retention period (" +
                                  std::to_string(m.retention_hours) + " hours). Use DecreaseRetentionPeriod API."));
  if (!increase && hours > m.retention_hours)
    return reply(
        ApiError::InvalidArgument("Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                                  m.name + " can not be longer than existing retention period (" +
                                  std::to_string(m.retention_hours) + " hours). Use IncreaseRetentionPeriod API."));
  int old = m.retention_hours;
  m.retention_hours = static_cast<int>(hours);
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    m.retention_hours = old;
    return reply(ApiError::InternalFailure("Persisting the retention period failed: " + st.message()));
  }
  reply(std::string("{}"));
}
}  // namespace

void IncreaseStreamRetentionPeriod(Context& ctx, const rapidjson::Value& in, Reply reply) {
  ChangeRetention(ctx, in, std::move(reply), true);
}

void DecreaseStreamRetentionPeriod(Context& ctx, const rapidjson::Value& in, Reply reply) {
  ChangeRetention(ctx, in, std::move(reply), false);
}

}  // namespace sluice::kinesis::api
