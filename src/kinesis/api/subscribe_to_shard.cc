// SubscribeToShard: enhanced fan-out as AWS serves it, an event stream
// (`application/vnd.amazon.eventstream`, codec/event_stream.h) that starts
// with an `initial-response` event and then pushes SubscribeToShardEvent
// events {Records, ContinuationSequenceNumber, MillisBehindLatest,
// ChildShards?}:
//   - records as soon as they are durable (the put path notifies the
//     SubscriptionHub), at most 10,000 records or 2 MiB per event;
//   - an event at least every 5 seconds when nothing arrives (a heartbeat
//     carrying the continuation point);
//   - at the end of a closed shard, one event with ChildShards and no
//     ContinuationSequenceNumber, then the stream ends;
//   - the subscription ends after 5 minutes, or when a later
//     SubscribeToShard for the same consumer and shard takes over (allowed
//     5 s after the previous one; sooner is ResourceInUseException).
// It works over HTTP/1.1 (chunked, what boto3 uses) and HTTP/2 (the SDKs
// for JavaScript and Java).
#include <algorithm>
#include <atomic>
#include <chrono>

#include "base/mutex.h"
#include "codec/event_stream.h"
#include "kinesis/api/handlers.h"
#include "kinesis/resharding.h"
#include "model/sequence_number.h"
#include "wire/message.h"

namespace sluice::kinesis::api {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kSubscriptionLifetime = std::chrono::minutes(5);
constexpr auto kHeartbeat = std::chrono::seconds(5);
constexpr auto kResubscribeGap = std::chrono::milliseconds(5000);
constexpr size_t kMaxEventRecords = 10'000;
constexpr size_t kMaxEventBytes = 2u << 20;

class Subscription : public wire::BodySource, public std::enable_shared_from_this<Subscription> {
 public:
  Subscription(StreamCatalog& catalog, std::shared_ptr<Stream> stream, uint32_t shard, uint64_t offset)
      : catalog_(catalog),
        stream_(std::move(stream)),
        shard_(shard),
        log_(stream_->log(shard)),
        offset_(offset),
        expires_(SteadyClock::now() + kSubscriptionLifetime),
        last_event_(SteadyClock::now()) {}

  void Pull(Deliver deliver) override {
    if (!initial_sent_) {
      initial_sent_ = true;
      return deliver(codec::EncodeEvent("initial-response", "{}"), false);
    }
    Step(std::move(deliver), false);
  }

  void Cancel() override {
    cancelled_ = true;
    MutexLock lk(mu_);
    if (wait_id_) catalog_.subscriptions().Cancel(wait_id_);
    wait_id_ = 0;
  }

  // A later subscription for the same consumer and shard took over.
  void Supersede() {
    superseded_ = true;
    catalog_.subscriptions().Notify(log_);
  }

 private:
  void Step(Deliver deliver, bool timed_out) {
    if (cancelled_) return;
    if (ended_ || superseded_ || SteadyClock::now() >= expires_) return deliver("", true);
    std::string event;
    bool gone = false;
    bool got = Read(&event, &gone);
    if (gone) {
      ended_ = true;
      return deliver(codec::EncodeEventException("ResourceNotFoundException",
                                                 "The stream or shard of this subscription no longer exists."),
                     false);
    }
    if (got || timed_out) {
      last_event_ = SteadyClock::now();
      return deliver(std::move(event), false);
    }
    // Nothing new: park until the shard gets records or a heartbeat is due.
    std::weak_ptr<Subscription> weak = weak_from_this();
    auto deadline = std::min(last_event_ + kHeartbeat, expires_);
    MutexLock lk(mu_);
    wait_id_ = catalog_.subscriptions().Wait(log_, deadline, [weak, deliver](bool timed_out) mutable {
      if (auto self = weak.lock()) {
        {
          MutexLock lk(self->mu_);
          self->wait_id_ = 0;
        }
        self->Step(std::move(deliver), timed_out);
      }
    });
    // Records published between the read and the wait would not notify us.
    if (log_->committed_end() > offset_) catalog_.subscriptions().Notify(log_);
  }

  // Builds the next event into *event; true when it carries records or ends
  // the shard. *gone when the stream or shard disappeared.
  bool Read(std::string* event, bool* gone) {
    ReaderLock lk(stream_->mu);
    const StreamMeta& m = stream_->meta();
    if (!AcceptsData(m.status) || shard_ >= m.shards.size()) {
      *gone = true;
      return false;
    }
    const ShardMeta& shard = m.shards[shard_];
    int64_t now = catalog_.NowMillis();
    uint64_t end = shard.ending_offset.value_or(UINT64_MAX);
    int64_t cutoff = catalog_.RetentionCutoff(m, now);
    storage::ReadResult read{{}, offset_};
    if (offset_ < end) {
      auto r = log_->Read(offset_, kMaxEventRecords, kMaxEventBytes);
      if (!r.ok()) {
        *gone = true;
        return false;
      }
      read = std::move(*r);
    }
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("Records");
    w.StartArray();
    std::string b64;
    size_t sent = 0;
    for (const auto& r : read.records) {
      if (r.offset >= end) break;
      if (r.arrival_ms < cutoff) continue;
      WriteRecord(w, m, shard_, r, &b64);
      ++sent;
    }
    w.EndArray();
    offset_ = std::min(read.next_offset, end);
    bool finished = shard.ending_offset && offset_ >= *shard.ending_offset;
    if (finished) {
      ended_ = true;
      WriteChildShards(w, m, shard_);  // and no ContinuationSequenceNumber: the shard is done
    } else {
      // Resume point: AFTER_SEQUENCE_NUMBER of the last record delivered
      // (before the first record: AT_SEQUENCE_NUMBER 0 is the shard's start).
      w.Key("ContinuationSequenceNumber");
      w.String(model::FormatSequenceNumber({m.epoch_s(), shard_, offset_ > 0 ? offset_ - 1 : 0}));
    }
    int64_t behind = 0;
    if (!finished && offset_ < log_->committed_end()) {
      auto peek = log_->Read(offset_, 1, 1);
      if (peek.ok() && !peek->records.empty()) behind = std::max<int64_t>(0, now - peek->records[0].arrival_ms);
    }
    w.Key("MillisBehindLatest");
    w.Int64(behind);
    w.EndObject();
    *event = codec::EncodeEvent("SubscribeToShardEvent", std::string_view(sb.GetString(), sb.GetSize()));
    return sent > 0 || finished;
  }

  StreamCatalog& catalog_;
  std::shared_ptr<Stream> stream_;
  const uint32_t shard_;
  storage::ShardLog* const log_;
  uint64_t offset_;  // next record to send; only touched by Pull's chain
  const SteadyClock::time_point expires_;
  SteadyClock::time_point last_event_;
  bool initial_sent_ = false;
  bool ended_ = false;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> superseded_{false};
  Mutex mu_;
  uint64_t wait_id_ GUARDED_BY(mu_) = 0;
};

}  // namespace

void SubscribeToShard(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string consumer_arn = *GetString(in, "ConsumerARN");
  std::string shard_id = *GetString(in, "ShardId");
  const rapidjson::Value& start = in["StartingPosition"];
  std::string type = *GetString(start, "Type");
  std::optional<IteratorType> kind = ParseIteratorType(type);  // the model's enum: checked
  if (!kind) return reply(ApiError::InvalidArgument("Unknown StartingPosition Type " + type + "."));
  auto sequence = GetString(start, "SequenceNumber");
  auto timestamp = GetTimestampMs(start, "Timestamp");
  bool by_sequence = *kind == IteratorType::kAtSequenceNumber || *kind == IteratorType::kAfterSequenceNumber;
  if (by_sequence != sequence.has_value())
    return reply(ApiError::InvalidArgument("StartingPosition " + type + (by_sequence ? " requires" : " does not take") +
                                           " a SequenceNumber."));
  const bool at_timestamp = *kind == IteratorType::kAtTimestamp;
  if (at_timestamp != timestamp.has_value())
    return reply(ApiError::InvalidArgument("StartingPosition " + type +
                                           (at_timestamp ? " requires" : " does not take") + " a Timestamp."));

  ConsumerRef ref = ResolveConsumerArn(ctx, consumer_arn);
  if (ref.error) return reply(*ref.error);
  uint64_t offset = 0;
  uint32_t index = 0;
  {
    ReaderLock lk(ref.stream->mu);
    const StreamMeta& m = ref.stream->meta();
    const ConsumerMeta* c = m.FindConsumer(ref.consumer);
    if (!c || c->status != ConsumerStatus::kActive)
      return reply(ApiError::ResourceInUse("Consumer " + consumer_arn + " is not ACTIVE."));
    if (!AcceptsData(m.status)) return reply(StreamNotFound(ctx, m.name));
    auto shard = ShardIndexFromId(shard_id);
    if (!shard || *shard >= m.shards.size() ||
        ShardExpired(m.shards[*shard], ctx.catalog.RetentionCutoff(m, ctx.catalog.NowMillis())))
      return reply(ShardNotFound(ctx, m.name, shard_id));
    index = *shard;
    auto at = StartingOffset(ctx, m, index, ref.stream->log(index), *kind, sequence, timestamp);
    if (!at.ok()) return reply(at.error());
    offset = *at;
  }
  auto subscription = std::make_shared<Subscription>(ctx.catalog, ref.stream, index, offset);
  std::weak_ptr<Subscription> weak = subscription;
  if (!ctx.catalog.subscriptions().Claim(consumer_arn + "/" + shard_id, kResubscribeGap, [weak] {
        if (auto s = weak.lock()) s->Supersede();
      }))
    return reply(ApiError::ResourceInUse("Another active subscription exists for this consumer: " + consumer_arn +
                                         " on shard " + shard_id +
                                         "; subscribe again 5 seconds after the last "
                                         "successful call."));
  reply(protocol::StreamingAnswer{std::string(codec::kEventStreamContentType), std::move(subscription)});
}

}  // namespace sluice::kinesis::api
