// TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream: at most
// 50 tags per delivery stream; listing pages by key.
#include "base/mutex.h"
#include "firehose/api/handlers.h"

namespace sluice::firehose::api {

namespace {
constexpr size_t kMaxTags = 50;

// Tags may change unless the stream is going away.
bool Taggable(const DeliveryStreamConfig& c) { return c.status != DeliveryStreamStatus::kDeleting; }
}  // namespace

void TagDeliveryStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  MutexLock lk(s->mu);
  auto& c = s->config();
  if (!Taggable(c)) return reply(NotActive(ctx, c));
  auto tags = c.tags;
  for (const auto& t : in["Tags"].GetArray())
    tags[GetString(t, "Key").value_or("")] = GetString(t, "Value").value_or("");
  if (tags.size() > kMaxTags)
    return reply(ApiError::LimitExceeded("Firehose " + c.name + " under account " + ctx.account() +
                                         " would have more than " + std::to_string(kMaxTags) +
                                         " tags; a delivery stream can have at most 50 tags."));
  std::swap(c.tags, tags);
  if (Status st = s->PersistLocked(); !st.ok()) {
    std::swap(c.tags, tags);
    return reply(ApiError::InternalFailure("Persisting the delivery stream failed: " + st.message()));
  }
  reply(std::string("{}"));
}

void UntagDeliveryStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  MutexLock lk(s->mu);
  auto& c = s->config();
  if (!Taggable(c)) return reply(NotActive(ctx, c));
  auto tags = c.tags;
  for (const auto& k : in["TagKeys"].GetArray()) tags.erase(std::string(k.GetString(), k.GetStringLength()));
  std::swap(c.tags, tags);
  if (Status st = s->PersistLocked(); !st.ok()) {
    std::swap(c.tags, tags);
    return reply(ApiError::InternalFailure("Persisting the delivery stream failed: " + st.message()));
  }
  reply(std::string("{}"));
}

void ListTagsForDeliveryStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto s = Resolve(ctx, in, reply);
  if (!s) return;
  int64_t limit = GetInt(in, "Limit").value_or(50);
  auto start = GetString(in, "ExclusiveStartTagKey");
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Tags");
  w.StartArray();
  bool more = false;
  {
    MutexLock lk(s->mu);
    int64_t n = 0;
    for (const auto& [k, v] : s->config().tags) {  // sorted by key
      if (start && k <= *start) continue;
      if (n == limit) {
        more = true;
        break;
      }
      w.StartObject();
      w.Key("Key");
      w.String(k);
      w.Key("Value");
      w.String(v);
      w.EndObject();
      ++n;
    }
  }
  w.EndArray();
  w.Key("HasMoreTags");
  w.Bool(more);
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::firehose::api
