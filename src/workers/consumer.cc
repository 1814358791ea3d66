#include "sluice/consumer.h"

#include "workers/consumer_state.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include "codec/kpl_aggregation.h"
#include "sluice/pipeline/json_fields.h"
#include "sluice/pipeline/shard_lineage.h"

namespace sluice::workers {

namespace kin = client::kinesis;

namespace {
constexpr const char* kProducedAtField = "produced_at_ms";

// Crash-test hook: SLUICE_CRASH_AFTER_OUTPUT_COMMITS=N makes the process kill
// itself with SIGKILL right after its N-th output commit, before the
// checkpoint commit: the window that output rewinding exists for.
void MaybeCrashAfterOutputCommit() {
  static const long limit = [] {
    const char* v = std::getenv("SLUICE_CRASH_AFTER_OUTPUT_COMMITS");
    return v ? std::atol(v) : 0L;
  }();
  static long commits = 0;
  if (limit > 0 && ++commits >= limit) ::kill(::getpid(), SIGKILL);
}

std::string SinkKey(const EventSink& sink) { return "sink_position:" + sink.Name(); }
}  // namespace

Result<std::unique_ptr<Consumer>> Consumer::Open(client::KinesisClient& client, ConsumerOptions options,
                                                 std::unique_ptr<EventSink> sink, const Clock* clock) {
  if (options.checkpoint_db.empty()) return Status::InvalidArgument("a checkpoint database path is required");
  if (options.stream.name.empty() && options.stream.arn.empty()) return Status::InvalidArgument("no stream given");
  SLUICE_ASSIGN_OR_RETURN(auto store, pipeline::CheckpointStore::Open(options.checkpoint_db));
  std::string key = options.stream.arn.empty() ? options.stream.name : options.stream.arn;
  SLUICE_ASSIGN_OR_RETURN(auto window, store->LoadDedupWindow(key, options.dedup_window, clock->NowMillis()));
  // Cut output written after the last checkpoint (a crash between writing
  // and committing); a fresh output starts from its current end.
  SLUICE_ASSIGN_OR_RETURN(auto position, store->LoadState(key, SinkKey(*sink)));
  if (position) {
    SLUICE_RETURN_IF_ERROR(sink->Rewind(*position));
  } else {
    SLUICE_ASSIGN_OR_RETURN(auto start, sink->Commit());
    pipeline::CommitRequest req;
    req.stream = key;
    req.state = {{SinkKey(*sink), start}};
    req.now_ms = clock->NowMillis();
    SLUICE_RETURN_IF_ERROR(store->Commit(req));
  }
  return std::unique_ptr<Consumer>(
      new Consumer(client, std::move(options), std::move(sink), std::move(store), std::move(window), clock));
}

Consumer::Consumer(client::KinesisClient& client, ConsumerOptions options, std::unique_ptr<EventSink> sink,
                   std::unique_ptr<pipeline::CheckpointStore> store, pipeline::DedupWindow window, const Clock* clock)
    : client_(client),
      options_(std::move(options)),
      sink_(std::move(sink)),
      store_(std::move(store)),
      window_(std::move(window)),
      clock_(clock),
      stats_(clock) {}

Consumer::~Consumer() = default;

std::string Consumer::StreamKey() const {
  return options_.stream.arn.empty() ? options_.stream.name : options_.stream.arn;
}

Status Consumer::Discover() {
  kin::ListShardsRequest req;
  req.stream = options_.stream;
  auto listed = client_.ListAllShards(req);
  if (!listed.ok()) return CallFailed("ListShards", listed.error());
  Answered();
  auto checkpoints = store_->LoadCheckpoints(StreamKey());
  if (!checkpoints.ok()) return checkpoints.status();
  std::set<std::string> finished;
  for (const auto& c : *checkpoints)
    if (c.shard_finished) finished.insert(c.shard_id);
  for (const auto& s : shards_)
    if (s->finished) finished.insert(s->shard_id);
  std::vector<pipeline::ShardInfo> infos;
  for (const auto& s : listed->shards)
    infos.push_back({s.shard_id, s.parent_shard_id.value_or(""), s.adjacent_parent_shard_id.value_or(""),
                     s.sequence_number_range.ending_sequence_number.has_value()});
  auto plan = pipeline::PlanReadableShards(infos, finished);
  for (const auto& id : plan.readable) {
    bool known = std::any_of(shards_.begin(), shards_.end(), [&](const auto& s) { return s->shard_id == id; });
    if (known) continue;
    auto st = std::make_unique<ShardState>();
    st->shard_id = id;
    for (const auto& i : infos)
      if (i.shard_id == id) st->parent_shard_id = i.parent_shard_id;
    shards_.push_back(std::move(st));
  }
  return Status::Ok();
}

kin::GetShardIteratorRequest Consumer::StartingPoint(ShardState& shard, Status* error) {
  kin::GetShardIteratorRequest req;
  req.stream = options_.stream;
  req.shard_id = shard.shard_id;
  std::string after = shard.last_sequence;
  if (after.empty()) {
    auto cp = store_->LoadCheckpoint(StreamKey(), shard.shard_id);
    if (!cp.ok()) *error = cp.status();
    else if (*cp) after = (*cp)->sequence_number;
  }
  if (!after.empty()) {
    req.type = kin::ShardIteratorType::kAfterSequenceNumber;
    req.starting_sequence_number = after;
  } else if (!shard.parent_shard_id.empty() || options_.start == StartPosition::kTrimHorizon) {
    // A child shard is read from its beginning: its parents were read to their end.
    req.type = kin::ShardIteratorType::kTrimHorizon;
  } else if (options_.start == StartPosition::kLatest) {
    req.type = kin::ShardIteratorType::kLatest;
  } else {
    req.type = kin::ShardIteratorType::kAtTimestamp;
    req.timestamp_ms = options_.start_timestamp_ms;
  }
  return req;
}

Status Consumer::StartIterator(ShardState& shard) {
  Status error = Status::Ok();
  kin::GetShardIteratorRequest req = StartingPoint(shard, &error);
  SLUICE_RETURN_IF_ERROR(error);
  auto it = client_.GetShardIterator(req);
  if (!it.ok()) return CallFailed("GetShardIterator " + shard.shard_id, it.error());
  Answered();
  shard.iterator = it->shard_iterator;
  return Status::Ok();
}

// Processes one batch of a shard's records (dedup, sink, stats) and, when it
// had records or finished the shard, commits output, checkpoint and dedup ids
// together.
Status Consumer::ProcessBatch(ShardState& shard, std::vector<kin::Record>& records, bool finished, int64_t now,
                              size_t* unique) {
  std::vector<std::string> paths = {kProducedAtField};
  if (!options_.dedup_field.empty()) paths.push_back(options_.dedup_field);
  size_t& unique_in_batch = *unique;
  // One user record: dedup, process, write.
  auto process = [&](const kin::Record& r, std::string partition_key, std::string data,
                     std::optional<uint64_t> sub) -> Status {
    ProcessedEvent ev;
    auto fields = pipeline::ExtractJsonFields(data, paths);
    if (fields.ok()) {
      ev.produced_at_ms = pipeline::JsonFieldAsInt64((*fields)[0]);
      if (paths.size() > 1 && (*fields)[1].kind != pipeline::JsonField::Kind::kMissing) ev.event_id = (*fields)[1].text;
    } else {
      stats_.RecordMalformed();
    }
    shard.last_sequence = r.sequence_number;
    shard.last_sub_sequence = sub.value_or(0);
    if (!ev.event_id.empty() && window_.SeenOrInsert(ev.event_id, now)) {
      stats_.RecordDuplicate();
      return Status::Ok();
    }
    if (options_.process_delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.process_delay_ms));
    ev.shard_id = shard.shard_id;
    ev.sequence_number = r.sequence_number;
    ev.sub_sequence_number = sub;
    ev.partition_key = std::move(partition_key);
    ev.arrival_ms = r.approximate_arrival_timestamp_ms;
    ev.data = std::move(data);
    SLUICE_RETURN_IF_ERROR(sink_->Write(ev));
    stats_.RecordProcessed(ev.data.size(), ev.produced_at_ms);
    ++unique_in_batch;
    return Status::Ok();
  };
  // max_events: stop at exactly that many unique events; the checkpoint then
  // covers only the records processed. A KPL aggregated record cut part-way
  // is checkpointed before it: read again after a restart, its user records
  // already written are dropped by the dedup window (committed with them).
  auto room = [&] {
    return options_.max_events < 0 || unique_events_ + static_cast<int64_t>(unique_in_batch) < options_.max_events;
  };
  bool cut = false;
  size_t consumed = 0;
  for (auto& r : records) {
    if (!room()) {
      cut = true;
      break;
    }
    ++consumed;
    // A KPL aggregated record is processed as its user records. One that
    // fails its MD5 or does not parse is an ordinary record, as the KCL
    // treats it.
    if (codec::LooksAggregated(r.data)) {
      auto users = codec::Deaggregate(r.data);
      if (users.ok() && *users && !(*users)->empty()) {
        const std::string before_seq = shard.last_sequence;
        const uint64_t before_sub = shard.last_sub_sequence;
        uint64_t sub = 0;
        for (auto& u : **users) {
          if (!room()) {
            cut = true;
            break;
          }
          SLUICE_RETURN_IF_ERROR(process(r, std::move(u.partition_key), std::move(u.data), sub++));
        }
        if (cut) {
          shard.last_sequence = before_seq;
          shard.last_sub_sequence = before_sub;
          break;
        }
        continue;
      }
    }
    SLUICE_RETURN_IF_ERROR(process(r, std::move(r.partition_key), std::move(r.data), std::nullopt));
  }
  if (cut) finished = false;  // the shard was not read to its end
  if (consumed > 0 || finished) {
    auto position = sink_->Commit();
    if (!position.ok()) return position.status();
    MaybeCrashAfterOutputCommit();
    pipeline::CommitRequest commit;
    commit.stream = StreamKey();
    // Batches are committed whole, so the checkpoint covers every user record
    // of its last (possibly aggregated) record; the sub-sequence number says
    // which user record that was, as the KCL's extended sequence numbers do.
    if (!shard.last_sequence.empty() || finished)
      commit.checkpoints.push_back({shard.shard_id, shard.last_sequence, shard.last_sub_sequence, finished, now});
    commit.state = {{SinkKey(*sink_), *position}};
    commit.now_ms = now;
    SLUICE_RETURN_IF_ERROR(store_->Commit(std::move(commit), &window_));
    unique_events_ += static_cast<int64_t>(unique_in_batch);
  }
  return Status::Ok();
}

Result<bool> Consumer::Poll(ShardState& shard) {
  if (shard.iterator.empty()) SLUICE_RETURN_IF_ERROR(StartIterator(shard));
  kin::GetRecordsRequest req;
  req.shard_iterator = shard.iterator;
  req.limit = options_.get_limit;
  auto res = client_.GetRecords(req);
  int64_t now = clock_->NowMillis();
  if (!res.ok()) {
    const auto& e = res.error();
    if (e.type == "ExpiredIteratorException") {
      shard.iterator.clear();  // resume after the last record seen
      return false;
    }
    if (client::ClassifyForRetry(e) == client::RetryClass::kThrottling) {
      shard.next_poll_ms = now + 1000;
      return false;
    }
    return CallFailed("GetRecords " + shard.shard_id, e);
  }
  Answered();

  size_t unique_in_batch = 0;
  bool finished = !res->next_shard_iterator.has_value();
  SLUICE_RETURN_IF_ERROR(ProcessBatch(shard, res->records, finished, now, &unique_in_batch));
  shard.iterator = res->next_shard_iterator.value_or("");
  if (finished) {
    shard.finished = true;
    stats_.RemoveShard(shard.shard_id);
  } else {
    stats_.SetMillisBehindLatest(shard.shard_id, res->millis_behind_latest.value_or(0));
  }
  // Caught up: wait before asking again (AWS allows 5 GetRecords/s per shard).
  bool behind = res->millis_behind_latest.value_or(0) > 0;
  shard.next_poll_ms = res->records.empty() || !behind ? now + options_.poll_interval_ms : now;
  return !res->records.empty();
}

Status Consumer::CallFailed(const std::string& what, const client::ApiError& error) {
  last_api_error_ = error;
  std::string message = what + ": " + error.ToString();
  bool waitable = client::ClassifyForRetry(error) != client::RetryClass::kNotRetryable;
  // Before any answer, "nothing answers" means nothing listens there.
  if (waitable && !answered_ && client::IsNoResponse(error)) waitable = false;
  return waitable ? Status::Unavailable(std::move(message)) : Status::FailedPrecondition(std::move(message));
}

void Consumer::Answered() {
  answered_ = true;
  if (outage_since_ms_ == 0) return;
  if (options_.on_outage) {
    OutageNotice n;
    n.recovered = true;
    n.error = outage_error_;
    n.outage_ms = clock_->NowMillis() - outage_since_ms_;
    n.attempt = outage_failures_;
    options_.on_outage(n);
  }
  outage_since_ms_ = 0;
  outage_failures_ = 0;
  last_api_error_.reset();
}

bool Consumer::WaitOut(const Status& st, const std::atomic<bool>& stop) {
  if (st.code() != StatusCode::kUnavailable) return false;
  int64_t now = clock_->NowMillis();
  if (outage_since_ms_ == 0) outage_since_ms_ = now;
  ++outage_failures_;
  outage_error_ = st.message();
  int64_t cap = options_.outage_base_backoff_ms;
  for (uint32_t i = 1; i < outage_failures_ && cap < options_.outage_max_backoff_ms; ++i) cap *= 2;
  cap = std::max<int64_t>(1, std::min(cap, options_.outage_max_backoff_ms));
  jitter_state_ = jitter_state_ * 6364136223846793005ull + 1442695040888963407ull;
  int64_t wait = cap / 2 + static_cast<int64_t>((jitter_state_ >> 33) % static_cast<uint64_t>(cap / 2 + 1));
  if (options_.on_outage) {
    OutageNotice n;
    n.error = outage_error_;
    n.outage_ms = now - outage_since_ms_;
    n.retry_in_ms = wait;
    n.attempt = outage_failures_;
    options_.on_outage(n);
  }
  for (int64_t slept = 0; slept < wait && !stop.load(); slept += 50)
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(50, wait - slept)));
  // A restarted server may not know the old iterators: fetch them again,
  // after the last record processed (or from the checkpoint / start).
  for (auto& shard : shards_) shard->iterator.clear();
  return true;
}

Status Consumer::Run(const std::atomic<bool>& stop) {
  if (!options_.efo_consumer_name.empty()) return RunEfo(stop);
  for (Status st = Discover(); !st.ok(); st = Discover()) {
    if (!WaitOut(st, stop)) return st;
    if (stop.load()) return Status::Ok();
  }
  int64_t last_activity = clock_->NowMillis();
  int64_t next_discovery = last_activity + options_.shard_discovery_ms;
  while (!stop.load()) {
    int64_t now = clock_->NowMillis();
    bool any_finished = false;
    bool outage = false;
    for (auto& shard : shards_) {
      if (shard->finished || shard->next_poll_ms > now) continue;
      auto got = Poll(*shard);
      if (!got.ok()) {
        if (!WaitOut(got.status(), stop)) return got.status();
        outage = true;
        break;
      }
      if (*got) last_activity = clock_->NowMillis();
      any_finished = any_finished || shard->finished;
      if (options_.max_events >= 0 && unique_events_ >= options_.max_events) return Status::Ok();
      if (stop.load()) break;
    }
    now = clock_->NowMillis();
    if (outage) {
      last_activity = now;  // an outage is not idleness
      continue;
    }
    if (any_finished || now >= next_discovery) {
      if (Status st = Discover(); !st.ok()) {
        if (!WaitOut(st, stop)) return st;
        last_activity = clock_->NowMillis();
        continue;
      }
      next_discovery = now + options_.shard_discovery_ms;
    }
    if (options_.idle_exit_ms >= 0 && now - last_activity >= options_.idle_exit_ms) return Status::Ok();
    int64_t wake = next_discovery;
    for (const auto& shard : shards_)
      if (!shard->finished) wake = std::min(wake, shard->next_poll_ms);
    if (wake > now) std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(wake - now, 50)));
  }
  return Status::Ok();
}

}  // namespace sluice::workers
