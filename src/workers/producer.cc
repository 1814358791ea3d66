#include "sluice/producer.h"

#include <chrono>
#include <random>
#include <thread>

#include "base/mutex.h"
#include "codec/kpl_aggregation.h"
#include "sluice/pipeline/record.h"

namespace sluice::workers {

using client::kinesis::PutRecordsEntry;
using client::kinesis::PutRecordsRequest;

Result<std::unique_ptr<Producer>> Producer::Start(client::KinesisClient& client, ProducerOptions options,
                                                  const Clock* clock) {
  auto batcher = pipeline::Batcher::Create(options.batching, clock);
  if (!batcher.ok()) return batcher.status();
  SLUICE_RETURN_IF_ERROR(pipeline::RetryPlanner::ValidatePolicy(options.retry));
  if (options.senders < 1) return Status::InvalidArgument("senders must be >= 1");
  if (options.unavailable_timeout_ms < -1) return Status::InvalidArgument("unavailable_timeout_ms must be >= -1");
  std::optional<pipeline::KplAggregator> aggregator;
  if (options.aggregate) {
    // The open shards' ranges: user records are packed per shard.
    client::kinesis::ListShardsRequest req;
    req.stream = options.stream;
    auto listed = client.ListAllShards(req);
    if (!listed.ok()) return Status::Unavailable("ListShards for aggregation: " + listed.error().ToString());
    std::vector<pipeline::ShardRange> ranges;
    for (const auto& s : listed->shards)
      if (!s.sequence_number_range.ending_sequence_number)
        ranges.push_back({s.shard_id, s.hash_key_range.starting_hash_key, s.hash_key_range.ending_hash_key});
    pipeline::KplAggregatorOptions agg = options.aggregation;
    agg.linger_ms = options.batching.linger_ms;
    agg.max_bytes = std::min(agg.max_bytes, options.batching.max_record_bytes);
    aggregator.emplace(agg, std::move(ranges), clock);
  }
  std::unique_ptr<Producer> p(
      new Producer(client, std::move(options), clock, std::move(batcher).value(), std::move(aggregator)));
  p->batch_thread_ = std::thread([raw = p.get()] { raw->BatchLoop(); });
  for (int i = 0; i < p->options_.senders; ++i) p->senders_.emplace_back([raw = p.get()] { raw->SendLoop(); });
  return p;
}

Producer::Producer(client::KinesisClient& client, ProducerOptions options, const Clock* clock,
                   pipeline::Batcher batcher, std::optional<pipeline::KplAggregator> aggregator)
    : client_(client),
      options_(std::move(options)),
      clock_(clock),
      batcher_(std::move(batcher)),
      aggregator_(std::move(aggregator)),
      planner_(options_.retry),
      records_(options_.queue_records, options_.queue_bytes),
      // A few batches waiting per sender keeps them busy without hoarding.
      batches_(static_cast<size_t>(options_.senders) * 2, SIZE_MAX),
      stats_(clock) {}

Producer::~Producer() { Close(); }

Status Producer::Add(pipeline::Record record) {
  if (Status key = pipeline::ValidatePartitionKey(record.partition_key); !key.ok()) {
    stats_.RecordRejected();
    return key;
  }
  if (record.data.size() + record.partition_key.size() > options_.batching.max_record_bytes) {
    stats_.RecordRejected();
    return Status::InvalidArgument("record of " + std::to_string(pipeline::RecordRequestBytes(record)) +
                                   " bytes (data + partition key) exceeds the stream's record limit of " +
                                   std::to_string(options_.batching.max_record_bytes) + " bytes");
  }
  if (record.id == 0) record.id = next_id_.fetch_add(1);
  size_t bytes = pipeline::RecordRequestBytes(record);
  in_flight_.fetch_add(1);
  if (!records_.Push(std::move(record), bytes)) {
    in_flight_.fetch_sub(1);
    return Status::FailedPrecondition("the producer is closed");
  }
  return Status::Ok();
}

// Hands a record (plain or aggregated) to the batcher.
void Producer::ToBatcher(pipeline::Record record, std::vector<pipeline::Batch>* ready) {
  uint32_t users = record.user_records;
  Status added = batcher_.Add(std::move(record), ready);
  if (!added.ok()) {  // validated in Add(); only reachable on a race with options
    for (uint32_t i = 0; i < users; ++i) stats_.RecordRejected();
    in_flight_.fetch_sub(users);
  }
}

void Producer::BatchLoop() {
  std::vector<pipeline::Batch> ready;
  std::vector<pipeline::Record> aggregated;
  auto next_deadline = [&] {
    auto d = batcher_.NextDeadlineMs();
    if (aggregator_)
      if (auto a = aggregator_->NextDeadlineMs()) d = d ? std::min(*d, *a) : *a;
    return d;
  };
  for (;;) {
    pipeline::Record r;
    auto deadline = next_deadline();
    pipeline::BoundedQueue<pipeline::Record>::PopStatus st;
    if (deadline) {
      int64_t wait_ms = std::max<int64_t>(0, *deadline - clock_->NowMillis());
      st = records_.PopFor(std::chrono::milliseconds(wait_ms), &r);
    } else {
      st = records_.Pop(&r);
    }
    if (st == pipeline::BoundedQueue<pipeline::Record>::PopStatus::kClosed) break;
    ready.clear();
    aggregated.clear();
    if (st == pipeline::BoundedQueue<pipeline::Record>::PopStatus::kItem) {
      if (aggregator_) aggregator_->Add(std::move(r), &aggregated);
      else ToBatcher(std::move(r), &ready);
    }
    if (aggregator_) aggregator_->Poll(&aggregated);
    for (auto& a : aggregated) ToBatcher(std::move(a), &ready);
    for (auto& b : ready) batches_.Push(std::move(b), 1);
    if (auto due = batcher_.Poll()) batches_.Push(std::move(*due), 1);
  }
  ready.clear();
  aggregated.clear();
  if (aggregator_) aggregator_->Flush(&aggregated);
  for (auto& a : aggregated) ToBatcher(std::move(a), &ready);
  for (auto& b : ready) batches_.Push(std::move(b), 1);
  if (auto last = batcher_.Flush()) batches_.Push(std::move(*last), 1);
  batches_.Close();
}

// Records a give-up; an aggregated record is reported as its user records.
void Producer::ReportFailure(pipeline::FailedRecord failed) {
  if (failed.record.user_records > 1)
    if (auto users = codec::Deaggregate(failed.record.data); users.ok() && *users) {
      for (auto& u : **users) {
        pipeline::FailedRecord each = failed;
        each.record.partition_key = std::move(u.partition_key);
        each.record.explicit_hash_key = u.explicit_hash_key.value_or("");
        each.record.data = std::move(u.data);
        each.record.user_records = 1;
        failures_.push_back(std::move(each));
      }
      return;
    }
  failures_.push_back(std::move(failed));
}

void Producer::SendLoop() {
  pipeline::Batch batch;
  while (batches_.Pop(&batch) == pipeline::BoundedQueue<pipeline::Batch>::PopStatus::kItem) Send(std::move(batch));
}

void Producer::Send(pipeline::Batch batch) {
  std::mt19937_64 rng(std::random_device{}());
  uint32_t outage_attempts = 0;
  while (!batch.entries.empty()) {
    PutRecordsRequest req;
    req.stream = options_.stream;
    req.records.reserve(batch.entries.size());
    for (const auto& e : batch.entries) {
      PutRecordsEntry entry;
      entry.data = e.record.data;
      entry.partition_key = e.record.partition_key;
      if (!e.record.explicit_hash_key.empty()) entry.explicit_hash_key = e.record.explicit_hash_key;
      req.records.push_back(std::move(entry));
    }
    size_t users_sent = 0;
    for (const auto& e : batch.entries) users_sent += e.record.user_records;
    int64_t started = clock_->NowMillis();
    auto resp = client_.PutRecords(req);
    int64_t latency = clock_->NowMillis() - started;
    pipeline::RetryPlan plan;
    bool outage_over = false;
    if (!resp.ok() && client::IsServerUnavailable(resp.error())) {
      // An outage: resend the same batch, attempts not counted, until the
      // server answers or the outage lasts longer than allowed.
      int64_t now = clock_->NowMillis();
      int64_t none = 0;
      unavailable_since_.compare_exchange_strong(none, now);
      const int64_t since = unavailable_since_.load();
      {
        MutexLock lk(failures_mu_);
        last_unavailable_error_ = resp.error().ToString();
      }
      auto given_up = [&] { return options_.give_up != nullptr && options_.give_up->load(); };
      if (!given_up() && (options_.unavailable_timeout_ms < 0 || now - since < options_.unavailable_timeout_ms)) {
        outage_attempts = std::min<uint32_t>(outage_attempts + 1, 16);
        int64_t wait = std::max<int64_t>(planner_.BackoffMs(outage_attempts, rng()), planner_.policy().base_backoff_ms);
        for (int64_t slept = 0; slept < wait && !given_up(); slept += 50)
          std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(50, wait - slept)));
        continue;
      }
      outage_over = true;
    } else if (resp.ok() || resp.error().kind == client::ErrorKind::kService) {
      unavailable_since_.store(0);  // the server answered
      outage_attempts = 0;
    }
    if (outage_over) {
      const auto& e = resp.error();
      plan = planner_.PlanRequestFailure(std::move(batch), e.type.empty() ? "ServerUnavailable" : e.type,
                                         e.ToString() + " (the server was unavailable for " +
                                             std::to_string((clock_->NowMillis() - unavailable_since_.load()) / 1000) +
                                             " s)",
                                         client::RetryClass::kNotRetryable);
    } else if (resp.ok() && resp->records.size() == batch.entries.size()) {
      std::vector<pipeline::EntryResult> results;
      results.reserve(resp->records.size());
      for (const auto& e : resp->records)
        results.push_back({e.ok(), e.error_code, e.error_message, e.shard_id, e.sequence_number});
      auto planned = planner_.Plan(std::move(batch), results);
      plan = std::move(planned).value();
    } else if (resp.ok()) {
      plan = planner_.PlanRequestFailure(std::move(batch), "InternalFailure",
                                         "PutRecords answered with the wrong number of entries");
    } else {
      const auto& e = resp.error();
      plan = planner_.PlanRequestFailure(std::move(batch), e.type.empty() ? "RequestFailed" : e.type,
                                         e.message.empty() ? e.ToString() : e.message, client::ClassifyForRetry(e));
    }
    // Counts are in user records (an aggregated record carries several).
    size_t users_retried = 0, users_failed = 0;
    for (const auto& e : plan.retry.entries) users_retried += e.record.user_records;
    for (const auto& f : plan.failed) users_failed += f.record.user_records;
    size_t users_ok = users_sent - users_retried - users_failed;
    stats_.RecordRequest(users_ok, plan.succeeded_bytes, users_retried, plan.throttled ? 1 : 0, users_failed, latency);
    in_flight_.fetch_sub(users_ok + users_failed);
    if (!plan.failed.empty()) {
      MutexLock lk(failures_mu_);
      for (auto& f : plan.failed) ReportFailure(std::move(f));
    }
    batch = std::move(plan.retry);
    if (!batch.entries.empty()) {
      uint32_t attempts = batch.entries.front().attempts;
      int64_t wait = planner_.BackoffMs(attempts, rng());
      if (plan.throttled) wait = std::max<int64_t>(wait, planner_.policy().base_backoff_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    }
  }
}

void Producer::Close() {
  std::call_once(closed_, [this] {
    records_.Close();
    if (batch_thread_.joinable()) batch_thread_.join();
    for (auto& t : senders_)
      if (t.joinable()) t.join();
  });
}

std::string Producer::last_unavailable_error() const {
  MutexLock lk(failures_mu_);
  return unavailable_since_.load() == 0 ? std::string() : last_unavailable_error_;
}

std::vector<pipeline::FailedRecord> Producer::failures() const {
  MutexLock lk(failures_mu_);
  return failures_;
}

}  // namespace sluice::workers
