// Consumer::RunEfo: the consumer reading by enhanced fan-out. One thread per
// readable shard holds a SubscribeToShard subscription (re-subscribing from
// the last record it saw, no sooner than 5 s after the previous call, as AWS
// requires) and hands each event's records to this thread through a small
// bounded queue; this thread processes and commits them exactly as the
// polling loop does (ProcessBatch), so dedup, exactly-once output and
// checkpoints are unchanged. A shard's end (an event without
// ContinuationSequenceNumber) marks it finished and discovery starts its
// children's subscriptions.
#include <chrono>
#include <deque>
#include <map>
#include <thread>

#include "base/mutex.h"
#include "sluice/consumer.h"
#include "workers/consumer_state.h"

namespace sluice::workers {

namespace kin = client::kinesis;

namespace {

constexpr auto kResubscribeGap = std::chrono::milliseconds(5100);
constexpr size_t kQueueBound = 16;

// One event's worth of records for the commit thread.
struct Delivery {
  std::string shard_id;
  std::vector<kin::Record> records;
  bool finished = false;
  int64_t millis_behind = 0;
  std::optional<Status> error;
};

class DeliveryQueue {
 public:
  // Blocks while full; false once closed.
  bool Push(Delivery d) {
    MutexLock lk(mu_);
    while (!closed_ && items_.size() >= kQueueBound) space_.Wait(mu_);
    if (closed_) return false;
    items_.push_back(std::move(d));
    ready_.NotifyOne();
    return true;
  }
  std::optional<Delivery> PopFor(std::chrono::milliseconds wait) {
    MutexLock lk(mu_);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (items_.empty() && ready_.WaitUntil(mu_, deadline)) {
    }
    if (items_.empty()) return std::nullopt;
    Delivery d = std::move(items_.front());
    items_.pop_front();
    space_.NotifyOne();
    return d;
  }
  void Close() {
    MutexLock lk(mu_);
    closed_ = true;
    space_.NotifyAll();
  }
  bool closed() {
    MutexLock lk(mu_);
    return closed_;
  }

 private:
  Mutex mu_;
  CondVar ready_, space_;
  std::deque<Delivery> items_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

// Sleeps up to `d`, waking early when the queue closes.
void SleepUnlessClosed(DeliveryQueue& queue, std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!queue.closed() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// The subscription loop of one shard.
void ReadShard(client::KinesisClient& client, const std::string& consumer_arn, kin::GetShardIteratorRequest start,
               DeliveryQueue& queue) {
  std::optional<std::string> after;  // last record seen: re-subscribe after it
  while (!queue.closed()) {
    kin::SubscribeToShardRequest req;
    req.consumer_arn = consumer_arn;
    req.shard_id = start.shard_id;
    if (after) {
      req.type = kin::ShardIteratorType::kAfterSequenceNumber;
      req.sequence_number = after;
    } else {
      req.type = start.type;
      req.sequence_number = start.starting_sequence_number;
      req.timestamp_ms = start.timestamp_ms;
    }
    auto started = std::chrono::steady_clock::now();
    bool ended = false;
    auto result = client.SubscribeToShard(req, [&](kin::SubscribeToShardEvent& event) {
      if (!event.records.empty()) after = event.records.back().sequence_number;
      bool finished = !event.continuation_sequence_number.has_value();
      if (!event.records.empty() || finished) {
        Delivery d;
        d.shard_id = start.shard_id;
        d.records = std::move(event.records);
        d.finished = finished;
        d.millis_behind = event.millis_behind_latest;
        if (!queue.Push(std::move(d))) return false;
      }
      ended = finished;
      return !finished && !queue.closed();  // heartbeats at least every 5 s let a stop through
    });
    if (ended) return;
    if (!result.ok()) {
      const auto& e = result.error();
      // ResourceInUseException: the consumer is not ACTIVE yet (EFO-specific);
      // the rest is the client library's one classification.
      bool transient =
          e.type == "ResourceInUseException" || client::ClassifyForRetry(e) != client::RetryClass::kNotRetryable;
      if (!transient) {
        Delivery d;
        d.shard_id = start.shard_id;
        d.error = Status::Unavailable("SubscribeToShard " + start.shard_id + ": " + e.ToString());
        queue.Push(std::move(d));
        return;
      }
    }
    // AWS: at most one successful SubscribeToShard per 5 s per consumer and shard.
    auto elapsed = std::chrono::steady_clock::now() - started;
    if (elapsed < kResubscribeGap)
      SleepUnlessClosed(queue, std::chrono::duration_cast<std::chrono::milliseconds>(kResubscribeGap - elapsed));
  }
}

}  // namespace

Status Consumer::RunEfo(const std::atomic<bool>& stop) {
  auto summary = client_.DescribeStreamSummary(options_.stream);
  if (!summary.ok()) return CallFailed("DescribeStreamSummary", summary.error());
  const std::string stream_arn = summary->stream_arn;
  auto consumer = client_.RegisterStreamConsumer(stream_arn, options_.efo_consumer_name);
  if (!consumer.ok() && consumer.error().type == "ResourceInUseException")  // registered before
    consumer = client_.DescribeStreamConsumer(stream_arn, options_.efo_consumer_name);
  if (!consumer.ok()) return Status::Unavailable("registering the consumer: " + consumer.error().ToString());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (consumer->consumer_status != "ACTIVE") {
    if (stop.load()) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline)
      return Status::Unavailable("consumer " + consumer->consumer_arn + " did not become ACTIVE");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    consumer = client_.DescribeStreamConsumer(stream_arn, options_.efo_consumer_name);
    if (!consumer.ok()) return Status::Unavailable("DescribeStreamConsumer: " + consumer.error().ToString());
  }
  const std::string consumer_arn = consumer->consumer_arn;

  DeliveryQueue queue;
  std::map<std::string, std::thread> readers;
  auto stop_readers = [&] {
    queue.Close();
    for (auto& [id, t] : readers)
      if (t.joinable()) t.join();
  };
  auto start_readers = [&]() -> Status {
    for (auto& shard : shards_) {
      if (shard->finished || readers.count(shard->shard_id)) continue;
      Status error = Status::Ok();
      kin::GetShardIteratorRequest start = StartingPoint(*shard, &error);
      SLUICE_RETURN_IF_ERROR(error);
      readers[shard->shard_id] =
          std::thread([this, consumer_arn, start, &queue] { ReadShard(client_, consumer_arn, start, queue); });
    }
    return Status::Ok();
  };

  // Outages while discovering are waited out as in the polling loop; the
  // shard readers resubscribe on their own after transient errors.
  Status status = Discover();
  while (!status.ok() && !stop.load() && WaitOut(status, stop)) status = Discover();
  if (status.ok()) status = start_readers();
  int64_t last_activity = clock_->NowMillis();
  int64_t next_discovery = last_activity + options_.shard_discovery_ms;
  while (status.ok() && !stop.load()) {
    auto delivery = queue.PopFor(std::chrono::milliseconds(50));
    int64_t now = clock_->NowMillis();
    if (delivery) {
      if (delivery->error) {
        status = *delivery->error;
        break;
      }
      ShardState* shard = nullptr;
      for (auto& s : shards_)
        if (s->shard_id == delivery->shard_id) shard = s.get();
      if (!shard) continue;
      size_t unique = 0;
      status = ProcessBatch(*shard, delivery->records, delivery->finished, now, &unique);
      if (!status.ok()) break;
      if (!delivery->records.empty()) last_activity = clock_->NowMillis();
      if (delivery->finished) {
        shard->finished = true;
        stats_.RemoveShard(shard->shard_id);
        next_discovery = now;  // its children may be readable now
      } else {
        stats_.SetMillisBehindLatest(shard->shard_id, delivery->millis_behind);
      }
      if (options_.max_events >= 0 && unique_events_ >= options_.max_events) break;
    }
    if (now >= next_discovery) {
      status = Discover();
      if (status.ok()) {
        status = start_readers();
      } else if (WaitOut(status, stop)) {
        status = Status::Ok();
        last_activity = clock_->NowMillis();  // an outage is not idleness
      }
      next_discovery = now + options_.shard_discovery_ms;
    }
    if (options_.idle_exit_ms >= 0 && now - last_activity >= options_.idle_exit_ms) break;
  }
  stop_readers();
  return status;
}

}  // namespace sluice::workers
