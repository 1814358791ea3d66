#include <map>

#include "base/mutex.h"
#include "firehose/api/context.h"

namespace sluice::firehose::api {

const rapidjson::Value* GetObject(const rapidjson::Value& in, const char* name) {
  auto it = in.FindMember(name);
  if (it == in.MemberEnd() || !it->value.IsObject()) return nullptr;
  return &it->value;
}

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  v.Accept(w);
  return Finish(sb);
}

ApiError NotFound(const Context& ctx, const std::string& name) {
  return ApiError::ResourceNotFound("Firehose " + name + " under account " + ctx.account() + " not found.");
}

ApiError NotActive(const Context& ctx, const DeliveryStreamConfig& c) {
  return ApiError::ResourceInUse("Firehose " + c.name + " under account " + ctx.account() +
                                 " is not ACTIVE, instead in state " + std::string(StatusName(c.status)) + ".");
}

ApiError ConcurrentModification(std::string message) { return {"ConcurrentModificationException", std::move(message)}; }

ApiError InvalidKmsResource(std::string message) { return {"InvalidKMSResourceException", std::move(message)}; }

std::shared_ptr<DeliveryStream> Resolve(Context& ctx, const rapidjson::Value& in, const Reply& reply) {
  std::string name = GetString(in, "DeliveryStreamName").value_or("");
  auto s = ctx.catalog.Find(ctx.region, name);
  if (!s) reply(NotFound(ctx, name));
  return s;
}

namespace {
struct Transition {
  std::weak_ptr<DeliveryStream> stream;
  int64_t due_ms = 0;
};
Mutex g_transitions_mu;
std::map<const DeliveryStream*, Transition> g_transitions GUARDED_BY(g_transitions_mu);
}  // namespace

void MarkEncryptionTransition(const std::shared_ptr<DeliveryStream>& stream, int64_t due_ms) {
  MutexLock lk(g_transitions_mu);
  // Forget streams that are gone (their address may be reused).
  for (auto it = g_transitions.begin(); it != g_transitions.end();)
    it = it->second.stream.expired() ? g_transitions.erase(it) : std::next(it);
  g_transitions[stream.get()] = {stream, due_ms};
}

std::string_view EncryptionStatusName(EncryptionStatus status) {
  switch (status) {
    case EncryptionStatus::kEnabled: return "ENABLED";
    case EncryptionStatus::kEnabling: return "ENABLING";
    case EncryptionStatus::kDisabled: return "DISABLED";
    case EncryptionStatus::kDisabling: return "DISABLING";
  }
  return "DISABLED";
}

EncryptionStatus CurrentEncryptionStatus(const DeliveryStream& stream, int64_t now_ms) {
  bool transitioning = false;
  {
    MutexLock lk(g_transitions_mu);
    auto it = g_transitions.find(&stream);
    if (it != g_transitions.end() && it->second.stream.lock().get() == &stream)
      transitioning = it->second.due_ms > now_ms;
  }
  if (stream.config().encryption_enabled)
    return transitioning ? EncryptionStatus::kEnabling : EncryptionStatus::kEnabled;
  return transitioning ? EncryptionStatus::kDisabling : EncryptionStatus::kDisabled;
}

void WriteTimestamp(JsonWriter& w, int64_t ms) { w.Double(static_cast<double>(ms) / 1000.0); }

std::string Finish(const rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }

}  // namespace sluice::firehose::api
