// Stream tags, by name (AddTagsToStream, RemoveTagsFromStream,
// ListTagsForStream) and by ARN (TagResource, UntagResource,
// ListTagsForResource). At most 50 tags per stream, as on AWS.
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

void AddTags(Context& ctx, const StreamRef& ref, const rapidjson::Value& tags, Reply reply) {
  std::unique_lock lk(ref.stream->mu);
  StreamMeta& m = ref.stream->meta();
  if (m.status == StreamStatus::kDeleting || m.status == StreamStatus::kCreating)
    return reply(StreamNotActive(ctx, m));
  auto merged = m.tags;
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
  auto old = std::move(m.tags);
  m.tags = std::move(merged);
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    m.tags = std::move(old);
    return reply(ApiError::InternalFailure("Persisting tags failed: " + st.message()));
  }
  reply(std::string("{}"));
}

void RemoveTags(Context& ctx, const StreamRef& ref, const rapidjson::Value& keys, Reply reply) {
  std::unique_lock lk(ref.stream->mu);
  StreamMeta& m = ref.stream->meta();
  if (m.status == StreamStatus::kDeleting || m.status == StreamStatus::kCreating)
    return reply(StreamNotActive(ctx, m));
  auto old = m.tags;
  for (const auto& k : keys.GetArray())
    if (k.IsString()) m.tags.erase(k.GetString());
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    m.tags = std::move(old);
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
  AddTags(ctx, ref, in["Tags"], std::move(reply));
}

void TagResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveResource(ctx, in);
  if (ref.error) return reply(*ref.error);
  AddTags(ctx, ref, in["Tags"], std::move(reply));
}

void RemoveTagsFromStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  RemoveTags(ctx, ref, in["TagKeys"], std::move(reply));
}

void UntagResource(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveResource(ctx, in);
  if (ref.error) return reply(*ref.error);
  RemoveTags(ctx, ref, in["TagKeys"], std::move(reply));
}

void ListTagsForStream(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  size_t limit = static_cast<size_t>(GetInt(in, "Limit").value_or(50));
  std::shared_lock lk(ref.stream->mu);
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
  auto ref = ResolveResource(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::shared_lock lk(ref.stream->mu);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  bool more = false;
  WriteTagList(w, ref.stream->meta().tags, std::nullopt, kMaxTagsPerStream, &more);
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
