// Enhanced fan-out consumer registry: RegisterStreamConsumer,
// DeregisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers.
// Consumers live in stream.json; CREATING -> ACTIVE and DELETING -> gone
// after the transition time (the catalog's background work). SubscribeToShard
// is in subscribe_to_shard.cc.
#include <algorithm>

#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "kinesis/tokens.h"
#include "model/arn.h"

namespace sluice::kinesis::api {

namespace {

constexpr size_t kMaxConsumers = 20;                // per stream
constexpr size_t kMaxConsumersWithCommitment = 50;  // On-demand Advantage
constexpr size_t kMaxCreatingConsumers = 5;         // per stream at once
constexpr size_t kMaxConsumerTags = 50;

void WriteConsumer(JsonWriter& w, const StreamMeta& m, const ConsumerMeta& c, bool with_stream) {
  w.StartObject();
  w.Key("ConsumerName");
  w.String(c.name);
  w.Key("ConsumerARN");
  w.String(m.ConsumerArn(c));
  w.Key("ConsumerStatus");
  w.String(std::string(ConsumerStatusName(c.status)));
  w.Key("ConsumerCreationTimestamp");
  WriteTimestamp(w, c.created_ms);
  if (with_stream) {
    w.Key("StreamARN");
    w.String(m.arn());
  }
  w.EndObject();
}

ApiError ConsumerNotFound(const Context& ctx, const std::string& what) {
  return ApiError::ResourceNotFound("Consumer " + what + " under account " + ctx.account() + " not found.");
}

}  // namespace

ConsumerRef ResolveConsumer(Context& ctx, const rapidjson::Value& in) {
  auto consumer_arn = GetString(in, "ConsumerARN");
  auto stream_arn = GetString(in, "StreamARN");
  auto name = GetString(in, "ConsumerName");
  if (consumer_arn) {
    auto parsed = model::ParseStreamArn(*consumer_arn);
    size_t colon = parsed ? parsed->consumer.rfind(':') : std::string::npos;
    if (!parsed || colon == std::string::npos)
      return {nullptr, "", ApiError::InvalidArgument("Invalid ConsumerARN " + *consumer_arn + ".")};
    std::string consumer = parsed->consumer.substr(0, colon);
    if (name && *name != consumer)
      return {nullptr, "",
              ApiError::InvalidArgument("ConsumerARN and ConsumerName do not refer to the same consumer.")};
    if (stream_arn && *stream_arn != model::FormatStreamArn(parsed->region, parsed->account, parsed->stream_name))
      return {nullptr, "", ApiError::InvalidArgument("ConsumerARN and StreamARN do not refer to the same stream.")};
    auto stream = parsed->account == ctx.account() ? ctx.catalog.Find(parsed->region, parsed->stream_name) : nullptr;
    if (!stream) return {nullptr, "", ConsumerNotFound(ctx, *consumer_arn)};
    ReaderLock lk(stream->mu);
    const ConsumerMeta* c = stream->meta().FindConsumer(consumer);
    if (!c || stream->meta().ConsumerArn(*c) != *consumer_arn)
      return {nullptr, "", ConsumerNotFound(ctx, *consumer_arn)};
    return {stream, consumer, std::nullopt};
  }
  if (!stream_arn || !name)
    return {nullptr, "",
            ApiError::InvalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be "
                                      "provided.")};
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return {nullptr, "", ref.error};
  ReaderLock lk(ref.stream->mu);
  if (!ref.stream->meta().FindConsumer(*name)) return {nullptr, "", ConsumerNotFound(ctx, *name)};
  return {ref.stream, *name, std::nullopt};
}

ConsumerRef ResolveConsumerArn(Context& ctx, const std::string& arn) {
  rapidjson::Document by_arn(rapidjson::kObjectType);
  by_arn.AddMember("ConsumerARN", rapidjson::Value(arn.c_str(), by_arn.GetAllocator()), by_arn.GetAllocator());
  return ResolveConsumer(ctx, by_arn);
}

void RegisterStreamConsumer(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  std::string name = *GetString(in, "ConsumerName");
  ConsumerMeta c;
  c.name = name;
  if (auto it = in.FindMember("Tags"); it != in.MemberEnd() && it->value.IsObject()) {
    if (it->value.MemberCount() > kMaxConsumerTags)
      return reply(ApiError::InvalidArgument("A consumer cannot have more than 50 tags."));
    for (auto t = it->value.MemberBegin(); t != it->value.MemberEnd(); ++t)
      c.tags[t->name.GetString()] = t->value.IsString() ? t->value.GetString() : "";
  }
  size_t limit = CommitmentEnabled(ctx) ? kMaxConsumersWithCommitment : kMaxConsumers;

  WriterLock lk(ref.stream->mu);
  StreamMeta& m = ref.stream->meta();
  if (!AcceptsData(m.status)) return reply(StreamNotActive(ctx, m));
  if (m.FindConsumer(name))
    return reply(ApiError::ResourceInUse("Consumer " + name + " under stream " + m.name +
                                         " already exists for "
                                         "account " +
                                         ctx.account() + "."));
  if (m.consumers.size() >= limit)
    return reply(ApiError::LimitExceeded("Stream " + m.name + " under account " + ctx.account() +
                                         " already has the maximum of " + std::to_string(limit) + " consumers."));
  size_t creating = 0;
  for (const auto& other : m.consumers) creating += other.status == ConsumerStatus::kCreating;
  if (creating >= kMaxCreatingConsumers)
    return reply(ApiError::LimitExceeded("Stream " + m.name + " under account " + ctx.account() + " already has " +
                                         std::to_string(kMaxCreatingConsumers) + " consumers in CREATING state."));
  int64_t now = ctx.catalog.NowMillis();
  c.created_ms = now;
  if (ctx.catalog.options().transition_ms > 0) {
    c.status_due_ms = now + ctx.catalog.options().transition_ms;
  } else {
    c.status = ConsumerStatus::kActive;
  }
  m.consumers.push_back(c);
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    m.consumers.pop_back();
    return reply(ApiError::InternalFailure("Persisting the consumer failed: " + st.message()));
  }
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Consumer");
  WriteConsumer(w, m, c, false);
  w.EndObject();
  lk.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);
  reply(Finish(sb));
}

void DeregisterStreamConsumer(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveConsumer(ctx, in);
  if (ref.error) return reply(*ref.error);
  WriterLock lk(ref.stream->mu);
  StreamMeta& m = ref.stream->meta();
  ConsumerMeta* c = m.FindConsumer(ref.consumer);
  if (!c) return reply(ConsumerNotFound(ctx, ref.consumer));
  if (c->status == ConsumerStatus::kDeleting) return reply(std::string("{}"));
  StreamMeta old = m;
  if (ctx.catalog.options().transition_ms > 0) {
    c->status = ConsumerStatus::kDeleting;
    c->status_due_ms = ctx.catalog.NowMillis() + ctx.catalog.options().transition_ms;
  } else {
    m.resource_policies.erase(m.ConsumerArn(*c));
    m.consumers.erase(m.consumers.begin() + (c - m.consumers.data()));
  }
  Status st = ref.stream->PersistLocked();
  if (!st.ok()) {
    m = std::move(old);
    return reply(ApiError::InternalFailure("Persisting the consumer failed: " + st.message()));
  }
  lk.Unlock();
  ctx.catalog.ScheduleTransition(ref.stream);
  reply(std::string("{}"));
}

void DescribeStreamConsumer(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveConsumer(ctx, in);
  if (ref.error) return reply(*ref.error);
  ReaderLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  const ConsumerMeta* c = m.FindConsumer(ref.consumer);
  if (!c) return reply(ConsumerNotFound(ctx, ref.consumer));
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("ConsumerDescription");
  WriteConsumer(w, m, *c, true);
  w.EndObject();
  reply(Finish(sb));
}

void ListStreamConsumers(Context& ctx, const rapidjson::Value& in, Reply reply) {
  auto ref = ResolveStream(ctx, in);
  if (ref.error) return reply(*ref.error);
  int64_t max_results = GetInt(in, "MaxResults").value_or(100);
  std::string after;
  int64_t now = ctx.catalog.NowMillis();
  ReaderLock lk(ref.stream->mu);
  const StreamMeta& m = ref.stream->meta();
  if (auto token = GetString(in, "NextToken")) {
    auto t = DecodePageToken(*token, ctx.catalog.token_key());
    if (!t.ok() || t->kind != kListConsumersPage || t->stream_name != m.name || t->stream_created_ms != m.created_ms)
      return reply(ApiError::InvalidArgument("Invalid NextToken."));
    if (now - t->issued_ms > kNextTokenLifetimeMs)
      return reply(ApiError::ExpiredNextToken("The NextToken has expired."));
    after = t->after;
  }
  if (auto created = GetTimestampMs(in, "StreamCreationTimestamp"); created && *created / 1000 != m.created_ms / 1000)
    return reply(StreamNotFound(ctx, m.name));
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("Consumers");
  w.StartArray();
  // Listed by name, so a NextToken (the last name returned) stays valid
  // while consumers come and go.
  std::vector<const ConsumerMeta*> sorted;
  for (const auto& c : m.consumers) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const ConsumerMeta* a, const ConsumerMeta* b) { return a->name < b->name; });
  bool more = false;
  int64_t written = 0;
  std::string last;
  for (const ConsumerMeta* c : sorted) {
    if (!after.empty() && c->name <= after) continue;
    if (written == max_results) {
      more = true;
      break;
    }
    WriteConsumer(w, m, *c, false);
    last = c->name;
    ++written;
  }
  w.EndArray();
  if (more) {
    w.Key("NextToken");
    w.String(EncodePageToken({kListConsumersPage, m.name, m.created_ms, last, now}, ctx.catalog.token_key()));
  }
  w.EndObject();
  reply(Finish(sb));
}

}  // namespace sluice::kinesis::api
