#include "demo/run_comparison.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "base/mutex.h"
#include "compress/compress.h"
#include "demo/embedded_server.h"
#include "sluice/consumer.h"
#include "sluice/firehose_client.h"
#include "sluice/kinesis_client.h"
#include "sluice/pipeline/event_generator.h"
#include "sluice/pipeline/json_fields.h"
#include "sluice/producer.h"
#include "sluice/s3_client.h"

namespace sluice::demo {

namespace {

using Clock = std::chrono::steady_clock;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Counts per 1-second bucket since the start.
class Timeline {
 public:
  void Add(int64_t t_ms, uint64_t n = 1) {
    MutexLock lk(mu_);
    buckets_[t_ms / 1000] += n;
  }
  std::vector<compare::TimelinePoint> Points() const {
    MutexLock lk(mu_);
    std::vector<compare::TimelinePoint> out;
    for (const auto& [s, n] : buckets_) out.push_back({s * 1000, n});
    return out;
  }

 private:
  mutable Mutex mu_;
  std::map<int64_t, uint64_t> buckets_ GUARDED_BY(mu_);
};

struct Shared {
  int64_t start_ms = 0;
  Mutex mu;
  // Streams path
  std::vector<double> streams_latency GUARDED_BY(mu);
  uint64_t consumed GUARDED_BY(mu) = 0;
  Timeline consumed_timeline;  // has its own lock
  // Firehose path
  std::vector<double> firehose_latency GUARDED_BY(mu);
  std::unordered_map<std::string, uint32_t> delivered_counts GUARDED_BY(mu);  // event id -> times seen
  std::vector<compare::FirehoseObject> objects GUARDED_BY(mu);
  uint64_t firehose_records GUARDED_BY(mu) = 0;
};

std::optional<compress::Compression> CompressionOf(const std::string& s) {
  if (s == "UNCOMPRESSED") return compress::Compression::kUncompressed;
  if (s == "GZIP") return compress::Compression::kGzip;
  if (s == "ZIP") return compress::Compression::kZip;
  if (s == "Snappy") return compress::Compression::kSnappy;
  if (s == "HADOOP_SNAPPY") return compress::Compression::kHadoopSnappy;
  return std::nullopt;
}

// Reads every new object of the bucket, once.
class ObjectWatcher {
 public:
  ObjectWatcher(client::S3Client& s3, std::string bucket, compress::Compression compression, Shared& shared)
      : s3_(s3), bucket_(std::move(bucket)), compression_(compression), shared_(shared) {}

  Status Poll() {
    auto listed = s3_.ListObjects(bucket_, "events/");
    if (!listed.ok()) return Status::Unavailable("ListObjectsV2 " + bucket_ + ": " + listed.error().ToString());
    for (const auto& info : *listed) {
      if (seen_.count(info.key)) continue;
      int64_t now = WallMs();
      auto body = s3_.GetObject(bucket_, info.key);
      if (!body.ok()) return Status::Unavailable("GetObject " + info.key + ": " + body.error().ToString());
      auto payload = compress::Decompress(compression_, *body);
      if (!payload.ok()) return Status::Corruption("cannot decode " + info.key + ": " + payload.status().message());
      seen_.insert(info.key);
      MutexLock lk(shared_.mu);
      uint64_t records = 0;
      std::string_view rest = *payload;
      while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (line.empty()) continue;
        ++records;
        auto f = pipeline::ExtractJsonFields(line, {"event_id", "produced_at_ms"});
        if (!f.ok()) continue;
        ++shared_.delivered_counts[(*f)[0].text];
        if (auto produced = pipeline::JsonFieldAsInt64((*f)[1]))
          shared_.firehose_latency.push_back(static_cast<double>(now - *produced));
      }
      shared_.firehose_records += records;
      shared_.objects.push_back({info.key, body->size(), records, now - shared_.start_ms});
    }
    return Status::Ok();
  }

 private:
  client::S3Client& s3_;
  std::string bucket_;
  compress::Compression compression_;
  Shared& shared_;
  std::set<std::string> seen_;
};

compare::RecordsPerObject PerObject(const std::vector<compare::FirehoseObject>& objects) {
  compare::RecordsPerObject r;
  if (objects.empty()) return r;
  r.min = r.max = static_cast<double>(objects[0].records);
  double sum = 0;
  for (const auto& o : objects) {
    r.min = std::min(r.min, static_cast<double>(o.records));
    r.max = std::max(r.max, static_cast<double>(o.records));
    sum += static_cast<double>(o.records);
  }
  r.mean = sum / static_cast<double>(objects.size());
  return r;
}

}  // namespace

Result<compare::ComparisonResults> RunComparison(const CompareOptions& o, std::ostream& log) {
  auto compression = CompressionOf(o.compression);
  if (!compression) return Status::InvalidArgument("unknown compression " + o.compression);
  if (o.aws && !o.endpoint_url.empty())
    return Status::InvalidArgument(
        "--aws and --endpoint-url exclude each other: --aws resolves each service's "
        "endpoint (AWS_ENDPOINT_URL_<SERVICE> or AWS's), --endpoint-url is one local server");
  if (o.aws && o.role_arn.empty())
    return Status::InvalidArgument(
        "--aws needs --role-arn: the IAM role Firehose writes to S3 with "
        "(and --source-role-arn if reading the stream needs another; see docs/aws.md)");

  // 1. The endpoints: ours, embedded; one local server; or each service's own.
  std::unique_ptr<EmbeddedServer> server;
  std::string endpoint = o.endpoint_url;
  std::string data_dir;
  if (endpoint.empty() && !o.aws) {
    data_dir = o.data_dir;
    if (data_dir.empty()) {
      char tmpl[] = "/tmp/sluice-demo-XXXXXX";
      if (!::mkdtemp(tmpl)) return Status::Internal("cannot create a temporary directory");
      data_dir = tmpl;
    }
    // The embedded server needs no real credentials; give the clients some.
    ::setenv("AWS_ACCESS_KEY_ID", std::getenv("AWS_ACCESS_KEY_ID") ? std::getenv("AWS_ACCESS_KEY_ID") : "sluice", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY",
             std::getenv("AWS_SECRET_ACCESS_KEY") ? std::getenv("AWS_SECRET_ACCESS_KEY") : "sluice", 1);
    SLUICE_ASSIGN_OR_RETURN(server, EmbeddedServer::Start(data_dir, {}));
    endpoint = server->endpoint();
    log << "== embedded sluice serve at " << endpoint << " (data in " << data_dir << ")\n";
  } else if (!endpoint.empty()) {
    log << "== every service at " << endpoint << "\n";
  }

  client::ConfigOptions cfg;
  if (!endpoint.empty()) cfg.endpoint_url = endpoint;
  if (!o.region.empty()) cfg.region = o.region;
  if (!o.profile.empty()) cfg.profile = o.profile;
  auto kinesis = client::KinesisClient::FromEnvironment(cfg);
  if (!kinesis.ok()) return Status::InvalidArgument(kinesis.error().message);
  auto fh = client::FirehoseClient::FromEnvironment(cfg);
  if (!fh.ok()) return Status::InvalidArgument(fh.error().message);
  auto s3 = client::S3Client::FromEnvironment(cfg);
  if (!s3.ok()) return Status::InvalidArgument(s3.error().message);
  if (o.aws)
    log << "== Kinesis at " << (*kinesis)->options().config.endpoint_url << ", Firehose at "
        << (*fh)->options().config.endpoint_url << ", S3 at " << (*s3)->options().config.endpoint_url << " (region "
        << (*kinesis)->options().config.region << ")\n";

  // 2. The resources, named for this run, and deleted at its end unless kept.
  auto stamp = std::to_string(WallMs() / 1000 % 100000000);
  std::string stream = o.name + "-" + stamp, bucket = o.name + "-" + stamp, delivery = o.name + "-" + stamp;
  bool clean_up = !o.keep && !server;
  bool made_stream = false, made_bucket = false, made_delivery = false;
  // Deletes what was made, in dependency order; true when nothing is left.
  auto delete_created = [&]() -> bool {
    if (!clean_up) return false;
    bool all = true;
    if (made_delivery) {
      auto r = (*fh)->DeleteDeliveryStream(delivery);
      log << "== deleted delivery stream " << delivery << (r.ok() ? "" : " FAILED: " + r.error().ToString()) << "\n";
      all &= r.ok();
    }
    if (made_stream) {
      client::kinesis::DeleteStreamRequest ds;
      ds.stream = client::kinesis::StreamId::Name(stream);
      ds.enforce_consumer_deletion = true;
      auto r = (*kinesis)->DeleteStream(ds);
      log << "== deleted stream " << stream << (r.ok() ? "" : " FAILED: " + r.error().ToString()) << "\n";
      all &= r.ok();
    }
    if (made_bucket) {
      auto r = (*s3)->DeleteBucketAndObjects(bucket);
      log << "== deleted bucket " << bucket << " and its objects" << (r.ok() ? "" : " FAILED: " + r.error().ToString())
          << "\n";
      all &= r.ok();
    }
    if (!all) log << "== some resources were left behind: delete them by hand (see docs/aws.md)\n";
    return all;
  };
  auto fail = [&](Status st) -> Status {
    delete_created();
    return st;
  };

  client::kinesis::CreateStreamRequest cs;
  cs.stream_name = stream;
  cs.shard_count = o.shards;
  if (auto r = (*kinesis)->CreateStream(cs); !r.ok())
    return Status::Unavailable("CreateStream: " + r.error().ToString());
  made_stream = true;
  auto active = (*kinesis)->WaitForActive(client::kinesis::StreamId::Name(stream), std::chrono::seconds(120));
  if (!active.ok()) return fail(Status::Unavailable("waiting for the stream: " + active.error().ToString()));
  // The stream's ARN as the service reports it: its account and region are
  // the real ones, never guessed.
  const std::string stream_arn = active.value().stream_arn;
  auto arn_part = [&](int index) {
    size_t at = 0;
    for (int i = 0; i < index && at != std::string::npos; ++i) at = stream_arn.find(':', at) + 1;
    return at == std::string::npos ? std::string() : stream_arn.substr(at, stream_arn.find(':', at) - at);
  };
  const std::string region = arn_part(3), account = arn_part(4);
  if (auto r = (*s3)->CreateBucket(bucket); !r.ok())
    return fail(Status::Unavailable("CreateBucket " + bucket + ": " + r.error().ToString()));
  made_bucket = true;
  client::firehose::CreateDeliveryStreamRequest cd;
  cd.name = delivery;
  cd.type = "KinesisStreamAsSource";
  cd.kinesis_stream_arn = stream_arn;
  cd.destination.role_arn =
      !o.role_arn.empty() ? o.role_arn : "arn:aws:iam::" + account + ":role/sluice-firehose-delivery";
  cd.kinesis_role_arn = !o.source_role_arn.empty() ? o.source_role_arn : cd.destination.role_arn;
  cd.destination.bucket_arn = "arn:aws:s3:::" + bucket;
  cd.destination.prefix = "events/";
  cd.destination.error_output_prefix = "errors/";
  cd.destination.buffering_size_mb = o.buffer_size_mb;
  cd.destination.buffering_interval_s = o.buffer_interval_s;
  cd.destination.compression = o.compression;
  cd.destination.delimiter = "\\n";
  if (auto r = (*fh)->CreateDeliveryStream(cd); !r.ok())
    return fail(Status::Unavailable("CreateDeliveryStream: " + r.error().ToString()));
  made_delivery = true;
  if (auto r = (*fh)->WaitForActive(delivery, std::chrono::seconds(300)); !r.ok())
    return fail(Status::Unavailable("waiting for the delivery stream: " + r.error().ToString()));
  log << "== stream " << stream << " (" << o.shards << " shards) -> consumer, and -> Firehose " << delivery
      << " -> s3://" << bucket << "/events/ (buffer " << o.buffer_size_mb << " MB / " << o.buffer_interval_s << " s, "
      << o.compression << ")\n";

  // 3. Path 1: the deduplicating consumer, in its own thread.
  Shared shared;
  shared.start_ms = WallMs();
  std::atomic<bool> stop_consumer{false}, stop_watcher{false};
  // The consumer's checkpoints live for the run only.
  char db_tmpl[] = "/tmp/sluice-demo-checkpoints-XXXXXX";
  if (!::mkdtemp(db_tmpl)) return fail(Status::Internal("cannot create a temporary directory"));
  const std::string db_dir = db_tmpl;
  struct RemoveOnExit {
    std::string dir;
    ~RemoveOnExit() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_db_dir{db_dir};
  workers::ConsumerOptions co;
  co.stream = client::kinesis::StreamId::Name(stream);
  co.checkpoint_db = db_dir + "/checkpoints.db";
  co.poll_interval_ms = o.consumer_poll_ms;
  auto consumer = workers::Consumer::Open(**kinesis, co, workers::CallbackSink([&](const workers::ProcessedEvent& e) {
    int64_t now = WallMs();
    MutexLock lk(shared.mu);
    ++shared.consumed;
    if (e.produced_at_ms) shared.streams_latency.push_back(static_cast<double>(now - *e.produced_at_ms));
    shared.consumed_timeline.Add(now - shared.start_ms);
  }));
  if (!consumer.ok()) return fail(consumer.status());
  Status consumer_status;
  std::thread consumer_thread([&] { consumer_status = (*consumer)->Run(stop_consumer); });

  // 4. Path 2: watch the bucket for Firehose's objects.
  ObjectWatcher watcher(**s3, bucket, *compression, shared);
  Status watcher_status;
  std::thread watcher_thread([&] {
    while (!stop_watcher.load()) {
      Status st = watcher.Poll();
      if (!st.ok()) watcher_status = st;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    Status st = watcher.Poll();
    if (!st.ok()) watcher_status = st;
  });
  auto stop_all = [&] {
    stop_consumer = true;
    stop_watcher = true;
    if (consumer_thread.joinable()) consumer_thread.join();
    if (watcher_thread.joinable()) watcher_thread.join();
  };

  // 5. The producer, for the given duration at the given rate.
  workers::ProducerOptions po;
  po.stream = client::kinesis::StreamId::Name(stream);
  po.batching.linger_ms = o.linger_ms;
  auto producer = workers::Producer::Start(**kinesis, po);
  if (!producer.ok()) {
    stop_all();
    return fail(producer.status());
  }
  pipeline::EventGeneratorOptions g;
  g.seed = static_cast<uint64_t>(WallMs());
  g.duplicate_fraction = o.duplicates;
  g.target_record_bytes = o.record_size;
  auto gen = pipeline::EventGenerator::Create(g);
  if (!gen.ok()) {
    stop_all();
    return fail(gen.status());
  }
  Timeline produced;
  auto t0 = Clock::now();
  log << "== producing for " << o.duration_s << " s at " << o.rate << " events/s ...\n";
  int64_t i = 0;
  for (;; ++i) {
    auto due = t0 + std::chrono::microseconds(static_cast<int64_t>(1e6 * static_cast<double>(i) / o.rate));
    if (due - t0 >= std::chrono::duration<double>(o.duration_s)) break;
    std::this_thread::sleep_until(due);
    auto ev = (*gen)->Next();
    pipeline::Record r;
    r.partition_key = ev.user_id;
    r.data = std::move(ev.json);
    if ((*producer)->Add(std::move(r)).ok()) produced.Add(WallMs() - shared.start_ms);
    if (i % static_cast<int64_t>(std::max(1.0, o.rate * 5)) == 0 && i > 0) {
      MutexLock lk(shared.mu);
      log << "   t=" << (WallMs() - shared.start_ms) / 1000 << "s produced " << i << ", consumed " << shared.consumed
          << ", delivered by Firehose " << shared.firehose_records << " in " << shared.objects.size() << " objects\n";
    }
  }
  (*producer)->Close();
  double produce_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto psnap = (*producer)->stats().Snapshot();
  uint64_t unique = (*gen)->unique_emitted();

  // 6. Let both paths finish: the consumer catches up at once; Firehose
  // delivers when its buffer interval passes.
  log << "== producer done; waiting for the consumer and for Firehose's buffer (" << o.buffer_interval_s << " s) ...\n";
  auto drain_deadline = Clock::now() + std::chrono::seconds(o.buffer_interval_s * 2 + 30);
  while (Clock::now() < drain_deadline) {
    {
      MutexLock lk(shared.mu);
      if (shared.consumed >= unique && shared.delivered_counts.size() >= unique) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop_all();
  if (!consumer_status.ok()) log << "   consumer: " << consumer_status.ToString() << "\n";
  if (!watcher_status.ok()) log << "   watcher: " << watcher_status.ToString() << "\n";
  // The consumer and the watcher have stopped: what the run made can go.
  const bool cleaned_up = delete_created();

  // 7. The results.
  compare::ComparisonResults res;
  auto& c = res.config;
  c.endpoint = !endpoint.empty() ? endpoint : "AWS (per-service endpoints)";
  c.embedded = server != nullptr;
  c.data_dir = data_dir;
  c.cleaned_up = cleaned_up;
  c.region = region;
  c.stream_name = stream;
  c.delivery_stream = delivery;
  c.bucket = bucket;
  c.duration_s = o.duration_s;
  c.rate = o.rate;
  // The records' real average size (data only), whatever padding was asked for.
  c.record_size = psnap.records_sent ? (psnap.bytes_sent / psnap.records_sent) : o.record_size;
  c.shards = static_cast<uint32_t>(o.shards);
  c.duplicates_fraction = o.duplicates;
  c.buffering_size_mb = static_cast<uint32_t>(o.buffer_size_mb);
  c.buffering_interval_s = static_cast<uint32_t>(o.buffer_interval_s);
  c.compression = o.compression;
  c.started_at_ms = shared.start_ms;
  res.producer.records_sent = psnap.records_sent;
  res.producer.unique_events = unique;
  res.producer.duplicates_injected = (*gen)->duplicates_injected();
  res.producer.records_per_s = static_cast<double>(psnap.records_sent) / std::max(produce_s, 1e-3);
  res.producer.failed = psnap.failed;
  res.produced_timeline = produced.Points();

  MutexLock lk(shared.mu);
  auto cs_snap = (*consumer)->stats().Snapshot();
  res.streams.latency = compare::SummarizeLatencies(shared.streams_latency);
  res.streams.latency_samples_ms = shared.streams_latency;
  compare::ThinSamples(res.streams.latency_samples_ms);
  res.streams.events_consumed = shared.consumed;
  res.streams.duplicates_dropped = cs_snap.duplicates_dropped;
  res.streams.throughput_per_s = static_cast<double>(shared.consumed) / std::max(produce_s, 1e-3);
  res.streams.timeline = shared.consumed_timeline.Points();

  auto& f = res.firehose;
  f.latency = compare::SummarizeLatencies(shared.firehose_latency);
  f.latency_samples_ms = shared.firehose_latency;
  compare::ThinSamples(f.latency_samples_ms);
  f.objects = shared.objects.size();
  for (const auto& obj : shared.objects) f.total_bytes += obj.size_bytes;
  f.records_per_object = PerObject(shared.objects);
  f.object_list = shared.objects;
  f.events_delivered = shared.delivered_counts.size();
  for (const auto& [_, n] : shared.delivered_counts) f.duplicates_seen += n - 1;
  f.missing = unique > f.events_delivered ? unique - f.events_delivered : 0;
  int64_t last_visible = shared.objects.empty() ? 0 : shared.objects.back().visible_at_ms;
  f.throughput_per_s =
      static_cast<double>(f.events_delivered) / std::max(static_cast<double>(last_visible) / 1000, 1e-3);
  for (const auto& obj : shared.objects) f.timeline.push_back({obj.visible_at_ms, obj.records});
  compare::FillBehaviour(res);
  return res;
}

}  // namespace sluice::demo
