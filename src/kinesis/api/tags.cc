// Stream tags, by name (AddTagsToStream, RemoveTagsFromStream,
// ListTagsForStream) and by ARN (TagResource, UntagResource,
// ListTagsForResource). At most 50 tags per stream, as on AWS.
#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "model/arn.h"

namespace sluice::kinesis::api {

namespace {
constexpr size_t kMaxTagsPerStream = 50;

bool ValidTagText(std::string_view s) {
  // Letters, digits, white space and _ . / = + - % @ (AWS's tag character set;
  // bytes >= 0x80 are UTF-8 letters of other scripts and are let through).
  for (unsigned char c : s) {
    if (c >= 0x80 || std::isalnum(c) || std::isspace(c)) continue;
    if (std::string_view("_./=+-%@:").find(static_cast<char>(c)) == std::string_view::npos) return false;
  }
  return true;
}

// What a tag operation acts on: a stream, or one of its consumers (by name).
struct TagTarget {
  std::shared_ptr<Stream> stream;
  std::string consumer;
};

// The tags of `t` (caller holds the stream's lock), or nullptr when the
// consumer has gone in the meantime.
std::map<std::string, std::string>* TagsOf(const TagTarget& t) REQUIRES_SHARED(t.stream->mu) {
  StreamMeta& m = t.stream->meta();
  if (t.consumer.empty()) return &m.tags;
  ConsumerMeta* c = m.FindConsumer(t.consumer);
  return c ? &c->tags : nullptr;
}

// ResourceARN: a stream or a registered consumer.
ApiStatus ResolveTagTarget(Context& ctx, const rapidjson::Value& in, TagTarget* out) {
  std::string arn = *GetString(in, "ResourceARN");
  auto parsed = model::ParseStreamArn(arn);
  if (parsed && !parsed->consumer.empty()) {
    auto ref = ResolveConsumerArn(ctx, arn);
    if (ref.error) return *ref.error;
    *out = {ref.stream, ref.consumer};
    return ApiStatus::Ok();
  }
  auto ref = ResolveResource(ctx, in);
  if (ref.error) return *ref.error;
  *out = {ref.stream, ""};
  return ApiStatus::Ok();
}

void AddTags(Context& ctx, const TagTarget& target, const rapidjson::Value& tags, Reply reply) {
  WriterLock lk(target.stream->mu);
  StreamMeta& m = target.stream->meta();
  if (m.status == StreamStatus::kDeleting || m.status == StreamStatus::kCreating) return reply(StreamNotActive(ctx, m));
  auto* current = TagsOf(target);
  if (!current) return reply(ApiError::ResourceNotFound("Consumer " + target.consumer + " not found."));
  auto merged = *current;
  for (auto t = tags.MemberBegin(); t != tags.MemberEnd(); ++t) {
    std::string key = t->name.GetString();
    std::string value = t->value.IsString() ? t->value.GetString() : "";
    if (!ValidTagText(key) || !ValidTagText(value) || key.rfind("aws:", 0) == 0)
      return reply(ApiError::InvalidArgument("Failed to add tags to stream " + m.name + " under account " +
                                             ctx.account() + " because some tags contained invalid characters."));
    merged[key] = value;
  }
  if (merged.size() > kMaxTagsPerStream)
    return reply(ApiError::InvalidArgument("Failed to add tags to stream " + m.name + " under account " +
                                           ctx.account() + " because a given stream cannot have more than " +
                                           std::to_string(kMaxTagsPerStream) + " tags."));
  auto old = std::move(*current);
  *current = std::move(merged);
  Status st = target.stream->PersistLocked();
  if (!st.ok()) {
    *current = std::move(old);
    return reply(ApiError::InternalFailure("Persisting tags failed: " + st.message()));
  }
  reply(std::string("{}"));
}

void RemoveTags(Context& ctx, const TagTarget& target, const rapidjson::Value& keys, Reply reply) {
  WriterLock lk(target.stream->mu);
  StreamMeta& m = target.stream->meta();
  if (m.status == StreamStatus::kDeleting || m.status == StreamStatus::kCreating) return reply(StreamNotActive(ctx, m));
  auto* current = TagsOf(target);
  if (!current) return reply(ApiError::ResourceNotFound("Consumer " + target.consumer + " not found."));
  auto old = *current;
  for (const auto& k : keys.GetArray())
    if (k.IsString()) current->erase(k.GetString());
  Status st = target.stream->PersistLocked();
  if (!st.ok()) {
    *current = std::move(old);
    return reply(ApiError::InternalFailure("Persisting tags failed: " + st.message()));
  }
  reply(std::string("{}"));
}

void WriteTagList(JsonWriter& w, const std::map<std::string, std::string>& tags,
                  const std::optional<std::string>& start_after, size_t limit, bool* more) {
  w.Key("Tags");
  w.StartArray();
  size_t written = 0;
  *more = false;
  for (const auto& [k, v] : tags) {
    if (start_after && k <= *start_after) continue;
    if (written == limit) {
      *more = true;
      break;
    }
    w.StartObject();
    w.Key("Key");
    w.String(k);
    w.Key("Value");
    w.String(v);
    w.EndObject();
    ++written;
  }
  w.EndArray();
}
}  // namespace

void AddTagsToStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  AddTags(ctx, {ref.stream, ""}, in["Tags"], std::move(reply));
}

void TagResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  TagTarget target;
  if (ApiStatus err = ResolveTagTarget(ctx, in, &target); !err.ok()) return reply(err.error());
  AddTags(ctx, target, in["Tags"], std::move(reply));
}

void RemoveTagsFromStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  RemoveTags(ctx, {ref.stream, ""}, in["TagKeys"], std::move(reply));
}

void UntagResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  TagTarget target;
  if (ApiStatus err = ResolveTagTarget(ctx, in, &target); !err.ok()) return reply(err.error());
  RemoveTags(ctx, target, in["TagKeys"], std::move(reply));
}

void ListTagsForStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  size_t limit = static_cast<size_t>(GetInt(in, "Limit").value_or(50));
  ReaderLock lk(ref.stream->mu);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  bool more = false;
  WriteTagList(w, ref.stream->meta().tags, GetString(in, "ExclusiveStartTagKey"), limit, &more);
  w.Key("HasMoreTags");
  w.Bool(more);
  w.EndObject();
  reply(Finish(sb));
}

void ListTagsForResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  TagTarget target;
  if (ApiStatus err = ResolveTagTarget(ctx, in, &target); !err.ok()) return reply(err.error());
  WriterLock lk(target.stream->mu);  // TagsOf hands out a mutable map
  auto* tags = TagsOf(target);
  if (!tags) return reply(ApiError::ResourceNotFound("Consumer " + target.consumer + " not found."));
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  bool more = false;
  WriteTagList(w, *tags, std::nullopt, kMaxTagsPerStream, &more);
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
