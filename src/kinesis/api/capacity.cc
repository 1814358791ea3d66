// Account settings (DescribeAccountSettings, UpdateAccountSettings: the
// MinimumThroughputBillingCommitment of "On-demand Advantage") and the warm
// throughput of on-demand streams (UpdateStreamWarmThroughput), which needs
// that commitment.
#include "kinesis/api/handlers.h"

namespace sluice::kinesis::api {

namespace {
// A commitment cannot end before it has run this long (our stand-in for
// AWS's minimum commitment window).
constexpr int64_t kMinimumCommitmentMs = 24 * 3600 * 1000LL;
// "Scale to more than 10 GiBps for an on-demand stream" is refused.
constexpr int64_t kMaxWarmThroughputMiBps = 10240;

void WriteSettings(JsonWriter& w, const AccountSettings& a) {
  w.Key("MinimumThroughputBillingCommitment");
  w.StartObject();
  w.Key("Status");
  w.String(a.commitment);
  if (a.started_ms) {
    w.Key("StartedAt");
    WriteTimestamp(w, a.started_ms);
  }
  if (a.ended_ms) {
    w.Key("EndedAt");
    WriteTimestamp(w, a.ended_ms);
  }
  if (a.earliest_end_ms) {
    w.Key("EarliestAllowedEndAt");
    WriteTimestamp(w, a.earliest_end_ms);
  }
  w.EndObject();
}

std::string SettingsReply(const AccountSettings& a) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  WriteSettings(w, a);
  w.EndObject();
  return Finish(sb);
}
}  // namespace

bool CommitmentEnabled(Context& ctx) { return ctx.catalog.GetAccountSettings(ctx.region).commitment != "DISABLED"; }

void DescribeAccountSettings(Context& ctx, const rapidjson::Value&, Reply reply) {
  reply(SettingsReply(ctx.catalog.GetAccountSettings(ctx.region)));
}

void UpdateAccountSettings(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string wanted = *GetString(in["MinimumThroughputBillingCommitment"], "Status");
  AccountSettings a = ctx.catalog.GetAccountSettings(ctx.region);
  int64_t now = ctx.catalog.NowMillis();
  if (wanted == "ENABLED") {
    if (a.commitment != "ENABLED") {
      a = AccountSettings{};
      a.commitment = "ENABLED";
      a.started_ms = now;
      a.earliest_end_ms = now + kMinimumCommitmentMs;
    }
  } else if (a.commitment == "ENABLED") {
    // Ends now if the minimum window has passed, else at its end.
    if (now >= a.earliest_end_ms) {
      a.commitment = "DISABLED";
      a.ended_ms = now;
    } else {
      a.commitment = "ENABLED_UNTIL_EARLIEST_ALLOWED_END";
      a.ended_ms = a.earliest_end_ms;
    }
  }
  Status st = ctx.catalog.SetAccountSettings(ctx.region, a);
  if (!st.ok()) return reply(ApiError::InternalFailure("Persisting the account settings failed: " + st.message()));
  reply(SettingsReply(ctx.catalog.GetAccountSettings(ctx.region)));
}

void UpdateStreamWarmThroughput(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  int64_t mibps = *GetInt(in, "WarmThroughputMiBps");
  if (mibps > kMaxWarmThroughputMiBps)
    return reply(ApiError::Validation("WarmThroughputMiBps " + std::to_string(mibps) + " exceeds the maximum of " +
                                      std::to_string(kMaxWarmThroughputMiBps) + " MiBps for an on-demand stream."));
  if (!CommitmentEnabled(ctx))
    return reply(
        ApiError::Validation("Warm throughput requires MinimumThroughputBillingCommitment to be enabled "
                             "for the account " +
                             ctx.account() + "."));
  WriterLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (m.status != StreamStatus::kActive) return reply(StreamNotActive(ctx, m));
  if (m.mode != StreamMode::kOnDemand)
    return reply(ApiError::Validation("UpdateStreamWarmThroughput is not supported for stream " + m.name +
                                      " in PROVISIONED mode."));
  StreamMeta next = m;
  next.warm_throughput_mibps = static_cast<int>(mibps);
  if (ctx.catalog.options().transition_ms > 0) {
    next.status = StreamStatus::kUpdating;
    next.status_due_ms = ctx.catalog.NowMillis() + ctx.catalog.options().transition_ms;
  }
  StreamMeta old = m;
  std::string name = m.name, arn = m.arn();
  int previous = m.warm_throughput_mibps;
  ref.stream->meta() = std::move(next);
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    ref.stream->meta() = std::move(old);
    return reply(ApiError::InternalFailure("Persisting the warm throughput failed: " + st.message()));
  }
  lk.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);

  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("StreamARN");
  w.String(arn);
  w.Key("StreamName");
  w.String(name);
  w.Key("WarmThroughput");
  w.StartObject();
  w.Key("TargetMiBps");
  w.Int64(mibps);
  w.Key("CurrentMiBps");
  w.Int(previous);
  w.EndObject();
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
