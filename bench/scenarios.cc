#include "scenarios.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "codec/base64.h"
#include "ddb_scenarios.h"
#include "kinesis_ops.h"
#include "report.h"
#include "runner.h"

namespace sluice::bench {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Stop a worker after this many transport errors in a row: the server is gone.
constexpr int kMaxConsecutiveTransportErrors = 50;

// --- request bodies ------------------------------------------------------

struct Body {
  std::string json;
  std::string sha256;  // SigV4 payload hash, computed once
};

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    std::memcpy(s.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return s;
}

std::string RandomKey(std::mt19937_64& rng) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "pk-%016" PRIx64, rng());
  return buf;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
void WriteStr(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// A PutRecords body of `batch` random records with random partition keys.
Body MakePutRecordsBody(std::mt19937_64& rng, const std::string& stream, int batch, int record_size) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("StreamName");
  WriteStr(w, stream);
  w.Key("Records");
  w.StartArray();
  std::string b64;
  for (int i = 0; i < batch; ++i) {
    b64.clear();
    codec::Base64Encode(RandomBytes(rng, record_size), &b64);
    w.StartObject();
    w.Key("Data");
    WriteStr(w, b64);
    w.Key("PartitionKey");
    WriteStr(w, RandomKey(rng));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  Body b{std::string(buf.GetString(), buf.GetSize()), ""};
  b.sha256 = Sha256Hex(b.json);
  return b;
}

std::string PutRecordJson(const std::string& stream, std::string_view data, const std::string& key) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("StreamName");
  WriteStr(w, stream);
  w.Key("Data");
  WriteStr(w, codec::Base64Encode(data));
  w.Key("PartitionKey");
  WriteStr(w, key);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string GetRecordsJson(const std::string& iterator, int limit) {
  return JsonBody({{"ShardIterator", iterator}, {"Limit", limit}});
}

const rapidjson::Value* Member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// Decoded size of a padded base64 string without decoding it.
size_t Base64DecodedSize(const rapidjson::Value& s) {
  size_t n = s.GetStringLength();
  if (n == 0) return 0;
  const char* p = s.GetString();
  size_t pad = (p[n - 1] == '=') + (n > 1 && p[n - 2] == '=');
  return n / 4 * 3 - pad;
}

// One parsed GetRecords response.
struct GetRecordsPage {
  bool parsed = false;
  size_t records = 0;
  size_t bytes = 0;
  std::string next_iterator;   // empty: shard closed
  int64_t millis_behind = -1;  // -1: absent
};

// Parses in place (destroys `body`). `on_record(data_value)` sees every record.
template <typename F>
GetRecordsPage ParseGetRecords(std::string& body, F&& on_record) {
  GetRecordsPage page;
  rapidjson::Document doc;
  doc.ParseInsitu(body.data());
  if (doc.HasParseError() || !doc.IsObject()) return page;
  const auto* recs = Member(doc, "Records");
  if (!recs || !recs->IsArray()) return page;
  page.parsed = true;
  for (const auto& r : recs->GetArray()) {
    const auto* data = Member(r, "Data");
    if (!data || !data->IsString()) continue;
    ++page.records;
    page.bytes += Base64DecodedSize(*data);
    on_record(*data);
  }
  if (const auto* next = Member(doc, "NextShardIterator"); next && next->IsString())
    page.next_iterator.assign(next->GetString(), next->GetStringLength());
  if (const auto* mb = Member(doc, "MillisBehindLatest"); mb && mb->IsNumber())
    page.millis_behind = mb->IsInt64() ? mb->GetInt64() : static_cast<int64_t>(mb->GetDouble());
  return page;
}

// Per-worker tallies, merged after the phase (no sharing while running).
struct WorkerStats {
  int64_t requests = 0;
  int64_t ok = 0;
  int64_t records_ok = 0;
  int64_t failed_records = 0;
  Latencies latency;
  ErrorTally errors;
  void Merge(const WorkerStats& o) {
    requests += o.requests;
    ok += o.ok;
    records_ok += o.records_ok;
    failed_records += o.failed_records;
    latency.Merge(o.latency);
    errors.Merge(o.errors);
  }
};

// Counts requests against --requests across all workers; by time otherwise.
struct Budget {
  Clock::time_point deadline;
  int64_t max_requests = 0;  // 0: unlimited
  std::atomic<int64_t> issued{0};
  bool Take() {
    if (Clock::now() >= deadline) return false;
    return max_requests == 0 || issued.fetch_add(1) < max_requests;
  }
};

double DefaultDuration(const Options& o) {
  if (o.duration_s > 0) return o.duration_s;
  return o.requests > 0 ? 300.0 : 10.0;
}

void PrintErrors(const ErrorTally& e) {
  for (const auto& [type, n] : e.counts()) Say("  error %s x%" PRId64, type.c_str(), n);
}

// --- ingest ----------------------------------------------------------------

asio::awaitable<void> IngestWorker(Connection& conn, const std::vector<Body>& pool, size_t first, Budget& budget,
                                   const Options& o, WorkerStats& st) {
  size_t k = first;
  int transport_errors = 0;
  while (budget.Take()) {
    const Body& b = pool[k++ % pool.size()];
    Response r = co_await conn.Call(op::kPutRecords, b.json, b.sha256);
    ++st.requests;
    if (!r.ok()) {
      st.errors.Add(r.ErrorType());
      if (r.transport) {
        if (++transport_errors >= kMaxConsecutiveTransportErrors) break;
        co_await SleepFor(milliseconds(10));
      }
      continue;
    }
    transport_errors = 0;
    ++st.ok;
    st.latency.Add(r.latency());
    int64_t failed = 0;
    if (!o.ignore_body) {
      rapidjson::Document doc;
      doc.ParseInsitu(r.body.data());
      const auto* f = doc.HasParseError() ? nullptr : Member(doc, "FailedRecordCount");
      if (!f || !f->IsInt64()) {
        st.errors.Add("PutRecords: unparseable response");
        failed = o.batch;
      } else {
        failed = f->GetInt64();
      }
    }
    st.records_ok += o.batch - failed;
    st.failed_records += failed;
  }
}

struct IngestOutcome {
  bool ok = false;
  int64_t records_ok = 0;
};

IngestOutcome RunIngest(Runner& run, const Options& o, const std::string& stream) {
  const int conns = o.connections > 0 ? o.connections : 8;
  const double duration = DefaultDuration(o);
  std::mt19937_64 rng(o.seed);
  // A pool of distinct bodies, reused round-robin: the client must not be the
  // bottleneck, so no JSON/base64/SHA-256 work happens per request.
  const size_t pool_size = static_cast<size_t>(std::max(conns * 2, 16));
  std::vector<Body> pool;
  pool.reserve(pool_size);
  for (size_t i = 0; i < pool_size; ++i) pool.push_back(MakePutRecordsBody(rng, stream, o.batch, o.record_size));
  Say("ingest: %d connections, PutRecords of %d x %d B, %s", conns, o.batch, o.record_size,
      o.requests > 0 ? (std::to_string(o.requests) + " requests").c_str() : (std::to_string(duration) + " s").c_str());

  std::vector<std::unique_ptr<Connection>> cs;
  std::vector<WorkerStats> stats(conns);
  Budget budget;
  budget.max_requests = o.requests;
  std::vector<asio::awaitable<void>> tasks;
  for (int i = 0; i < conns; ++i) {
    cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
    tasks.push_back(IngestWorker(*cs[i], pool, static_cast<size_t>(i) * pool_size / conns, budget, o, stats[i]));
  }
  const auto start = Clock::now();
  budget.deadline = start + Ms(duration);
  run.RunAll(std::move(tasks));
  const double elapsed = Seconds(Clock::now() - start);
  WorkerStats all;
  for (auto& s : stats) all.Merge(s);

  const double rps = all.records_ok / elapsed;
  const double mbps = all.records_ok * static_cast<double>(o.record_size) / elapsed / 1e6;
  JsonReport rep("ingest");
  rep.Str("stream", stream)
      .Int("connections", conns)
      .Int("batch", o.batch)
      .Int("record_size", o.record_size)
      .Num("elapsed_s", elapsed)
      .Int("requests", all.requests)
      .Int("requests_ok", all.ok)
      .Int("records_ok", all.records_ok)
      .Int("failed_records", all.failed_records)
      .Num("records_per_s", rps)
      .Num("mb_per_s", mbps)
      .Num("requests_per_s", all.ok / elapsed)
      .Latency("latency_ms", all.latency, {50, 90, 99})
      .Bool("body_ignored", o.ignore_body)
      .Errors(all.errors)
      .Emit();
  Say("ingest: %" PRId64
      " records in %.2f s = %.0f records/s, %.1f MB/s; p50 %.1f ms, p99 %.1f "
      "ms; %" PRId64 " failed records, %" PRId64 " failed requests",
      all.records_ok, elapsed, rps, mbps, all.latency.PercentileMs(50), all.latency.PercentileMs(99),
      all.failed_records, all.errors.total());
  PrintErrors(all.errors);
  return {all.ok > 0, all.records_ok};
}

// --- drain -----------------------------------------------------------------

struct DrainShard {
  int64_t records = 0;
  int64_t bytes = 0;
  int64_t calls = 0;
  bool caught_up = false;
  ErrorTally errors;
};

asio::awaitable<void> DrainWorker(Connection& conn, const Options& o, const std::string& stream, std::string shard_id,
                                  Clock::time_point deadline, int64_t expected, std::atomic<int64_t>& total,
                                  DrainShard& st) {
  const std::string type = "TRIM_HORIZON";
  Result<std::string> it = co_await GetShardIterator(conn, stream, shard_id, type);
  if (!it.ok()) {
    st.errors.Add(it.status().message().substr(0, 80));
    co_return;
  }
  std::string iterator = std::move(*it);
  int transport_errors = 0;
  while (Clock::now() < deadline) {
    const std::string body = GetRecordsJson(iterator, o.get_limit);
    Response r = co_await conn.Call(op::kGetRecords, body);
    ++st.calls;
    if (!r.ok()) {
      st.errors.Add(r.ErrorType());
      if (r.transport && ++transport_errors >= kMaxConsecutiveTransportErrors) break;
      co_await SleepFor(milliseconds(10));
      continue;
    }
    transport_errors = 0;
    GetRecordsPage page = ParseGetRecords(r.body, [](const rapidjson::Value&) {});
    if (!page.parsed) {
      st.errors.Add("GetRecords: unparseable response");
      break;
    }
    st.records += static_cast<int64_t>(page.records);
    st.bytes += static_cast<int64_t>(page.bytes);
    const int64_t sum = total.fetch_add(static_cast<int64_t>(page.records)) + static_cast<int64_t>(page.records);
    if (page.next_iterator.empty()) {  // closed shard, fully read
      st.caught_up = true;
      break;
    }
    iterator = std::move(page.next_iterator);
    // Caught up: an empty page at the tip (or everything ingested is read).
    if (page.records == 0 && (page.millis_behind <= 0 || (expected > 0 && sum >= expected))) {
      st.caught_up = true;
      break;
    }
  }
}

bool RunDrain(Runner& run, const Options& o, const std::string& stream, int64_t expected) {
  Connection control(run.ex(), o.endpoint, o.creds, o.timeout);
  Result<std::vector<std::string>> shards = run.Run(ListShardIds(control, stream));
  if (!shards.ok()) {
    Say("drain: %s", shards.status().message().c_str());
    return false;
  }
  Say("drain: %zu shards, GetRecords Limit %d, expecting %" PRId64 " records", shards->size(), o.get_limit, expected);
  std::vector<std::unique_ptr<Connection>> cs;
  std::vector<DrainShard> stats(shards->size());
  std::atomic<int64_t> total{0};
  std::vector<asio::awaitable<void>> tasks;
  const auto start = Clock::now();
  const auto deadline = start + Ms(o.drain_timeout_s);
  for (size_t i = 0; i < shards->size(); ++i) {
    cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
    tasks.push_back(DrainWorker(*cs[i], o, stream, (*shards)[i], deadline, expected, total, stats[i]));
  }
  run.RunAll(std::move(tasks));
  const double elapsed = Seconds(Clock::now() - start);
  int64_t records = 0, bytes = 0, calls = 0;
  bool caught_up = true;
  ErrorTally errors;
  for (auto& s : stats) {
    records += s.records;
    bytes += s.bytes;
    calls += s.calls;
    caught_up = caught_up && s.caught_up;
    errors.Merge(s.errors);
  }
  JsonReport rep("drain");
  rep.Str("stream", stream)
      .Int("shards", static_cast<int64_t>(shards->size()))
      .Int("get_limit", o.get_limit)
      .Int("expected_records", expected)
      .Int("records", records)
      .Int("bytes", bytes)
      .Int("get_records_calls", calls)
      .Num("elapsed_s", elapsed)
      .Num("records_per_s", records / elapsed)
      .Num("mb_per_s", bytes / elapsed / 1e6)
      .Bool("caught_up", caught_up)
      .Errors(errors)
      .Emit();
  Say("drain: %" PRId64 " records (%.1f MB) in %.2f s = %.0f records/s over %" PRId64 " GetRecords calls%s", records,
      bytes / 1e6, elapsed, records / elapsed, calls, caught_up ? "" : " (NOT caught up before the deadline)");
  PrintErrors(errors);
  return records > 0 && (expected == 0 || records >= expected);
}

// --- putrecord -------------------------------------------------------------

asio::awaitable<void> PutRecordWorker(Connection& conn, const std::vector<Body>& pool, size_t first, Budget& budget,
                                      WorkerStats& st) {
  size_t k = first;
  int transport_errors = 0;
  while (budget.Take()) {
    const Body& b = pool[k++ % pool.size()];
    Response r = co_await conn.Call(op::kPutRecord, b.json, b.sha256);
    ++st.requests;
    if (!r.ok()) {
      st.errors.Add(r.ErrorType());
      if (r.transport) {
        if (++transport_errors >= kMaxConsecutiveTransportErrors) break;
        co_await SleepFor(milliseconds(10));
      }
      continue;
    }
    transport_errors = 0;
    ++st.ok;
    ++st.records_ok;
    st.latency.Add(r.latency());
  }
}

bool RunPutRecord(Runner& run, const Options& o, const std::string& stream) {
  const int conns = o.connections > 0 ? o.connections : 16;
  const double duration = DefaultDuration(o);
  std::mt19937_64 rng(o.seed + 1);
  std::vector<Body> pool;
  for (int i = 0; i < 1024; ++i) {
    Body b{PutRecordJson(stream, RandomBytes(rng, o.record_size), RandomKey(rng)), ""};
    b.sha256 = Sha256Hex(b.json);
    pool.push_back(std::move(b));
  }
  Say("putrecord: %d connections, %d B records, %s", conns, o.record_size,
      o.requests > 0 ? (std::to_string(o.requests) + " requests").c_str() : (std::to_string(duration) + " s").c_str());
  std::vector<std::unique_ptr<Connection>> cs;
  std::vector<WorkerStats> stats(conns);
  Budget budget;
  budget.max_requests = o.requests;
  std::vector<asio::awaitable<void>> tasks;
  for (int i = 0; i < conns; ++i) {
    cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
    tasks.push_back(PutRecordWorker(*cs[i], pool, static_cast<size_t>(i) * 64, budget, stats[i]));
  }
  const auto start = Clock::now();
  budget.deadline = start + Ms(duration);
  run.RunAll(std::move(tasks));
  const double elapsed = Seconds(Clock::now() - start);
  WorkerStats all;
  for (auto& s : stats) all.Merge(s);
  JsonReport rep("putrecord");
  rep.Str("stream", stream)
      .Int("connections", conns)
      .Int("record_size", o.record_size)
      .Num("elapsed_s", elapsed)
      .Int("requests", all.requests)
      .Int("requests_ok", all.ok)
      .Num("requests_per_s", all.ok / elapsed)
      .Latency("latency_ms", all.latency, {50, 95, 99})
      .Bool("body_ignored", o.ignore_body)
      .Errors(all.errors)
      .Emit();
  Say("putrecord: %" PRId64
      " ok in %.2f s = %.0f requests/s; p50 %.2f p95 %.2f p99 %.2f max "
      "%.2f ms; %" PRId64 " errors",
      all.ok, elapsed, all.ok / elapsed, all.latency.PercentileMs(50), all.latency.PercentileMs(95),
      all.latency.PercentileMs(99), all.latency.MaxMs(), all.errors.total());
  PrintErrors(all.errors);
  return all.ok > 0;
}

// --- put-get ---------------------------------------------------------------

// Record data: "SLB1 <run id hex16> <seq hex8> <steady ns hex16> " then
// padding up to --record-size.
constexpr size_t kHeaderSize = 5 + 17 + 9 + 17;

std::string PutGetData(uint64_t run_id, uint32_t seq, int64_t ts_ns, int record_size) {
  char head[kHeaderSize + 1];
  std::snprintf(head, sizeof head, "SLB1 %016" PRIx64 " %08" PRIx32 " %016" PRIx64 " ", run_id, seq,
                static_cast<uint64_t>(ts_ns));
  std::string s(head, kHeaderSize);
  if (static_cast<size_t>(record_size) > s.size()) s.resize(record_size, '.');
  return s;
}

bool ParsePutGetData(std::string_view d, uint64_t* run_id, uint32_t* seq, int64_t* ts_ns) {
  if (d.size() < kHeaderSize || d.substr(0, 5) != "SLB1 ") return false;
  std::string head(d.substr(0, kHeaderSize));
  uint64_t ts = 0;
  if (std::sscanf(head.c_str(), "SLB1 %16" SCNx64 " %8" SCNx32 " %16" SCNx64, run_id, seq, &ts) != 3) return false;
  *ts_ns = static_cast<int64_t>(ts);
  return true;
}

struct PutGetShared {
  uint64_t run_id = 0;
  int64_t planned = 0;
  std::mutex mu;  // guards everything below (consumers may run on several threads)
  std::vector<uint8_t> seen;
  Latencies e2e;
  int64_t received = 0;
  int64_t duplicates = 0;
  int64_t foreign = 0;
  int64_t get_calls = 0;
  int64_t empty_polls = 0;
  ErrorTally consumer_errors;
  std::atomic<int64_t> produced_ok{0};
  std::atomic<bool> producer_done{false};
};

asio::awaitable<void> PutGetProducer(Connection& conn, const Options& o, const std::string& stream, PutGetShared& sh,
                                     WorkerStats& st, Clock::time_point start, Clock::time_point deadline) {
  std::mt19937_64 rng(o.seed + 2);
  const auto interval = std::chrono::duration<double>(1.0 / o.rate);
  int transport_errors = 0;
  // A server slower than --rate makes the producer fall behind; it then
  // sends back-to-back until the count or the deadline is reached.
  for (int64_t i = 0; i < sh.planned && Clock::now() < deadline; ++i) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * i);
    if (Clock::now() < due) co_await SleepUntil(due);
    const int64_t ts = std::chrono::duration_cast<nanoseconds>(Clock::now().time_since_epoch()).count();
    std::string body =
        PutRecordJson(stream, PutGetData(sh.run_id, static_cast<uint32_t>(i), ts, o.record_size), RandomKey(rng));
    Response r = co_await conn.Call(op::kPutRecord, body);
    ++st.requests;
    if (!r.ok()) {
      st.errors.Add(r.ErrorType());
      if (r.transport && ++transport_errors >= kMaxConsecutiveTransportErrors) break;
      continue;
    }
    transport_errors = 0;
    ++st.ok;
    st.latency.Add(r.latency());
    sh.produced_ok.fetch_add(1);
  }
  sh.producer_done = true;
}

asio::awaitable<void> PutGetConsumer(Connection& conn, const Options& o, std::string iterator, PutGetShared& sh,
                                     Clock::time_point hard_deadline) {
  int transport_errors = 0;
  while (Clock::now() < hard_deadline) {
    {
      std::lock_guard lock(sh.mu);
      if (sh.producer_done && sh.received >= sh.produced_ok.load()) break;
    }
    const std::string body = GetRecordsJson(iterator, o.get_limit);
    Response r = co_await conn.Call(op::kGetRecords, body);
    if (!r.ok()) {
      {
        std::lock_guard lock(sh.mu);
        ++sh.get_calls;
        sh.consumer_errors.Add(r.ErrorType());
      }
      if (r.transport && ++transport_errors >= kMaxConsecutiveTransportErrors) break;
      co_await SleepFor(milliseconds(10));
      continue;
    }
    transport_errors = 0;
    const Clock::time_point got = r.received;
    std::vector<std::pair<uint32_t, int64_t>> mine;  // seq, ts
    int64_t foreign = 0;
    GetRecordsPage page = ParseGetRecords(r.body, [&](const rapidjson::Value& data) {
      auto decoded = codec::Base64Decode(std::string_view(data.GetString(), data.GetStringLength()));
      uint64_t run_id = 0;
      uint32_t seq = 0;
      int64_t ts = 0;
      if (decoded.ok() && ParsePutGetData(*decoded, &run_id, &seq, &ts) && run_id == sh.run_id && seq < sh.planned) {
        mine.emplace_back(seq, ts);
      } else {
        ++foreign;
      }
    });
    {
      std::lock_guard lock(sh.mu);
      ++sh.get_calls;
      if (!page.parsed) {
        sh.consumer_errors.Add("GetRecords: unparseable response");
        break;
      }
      sh.foreign += foreign;
      if (page.records == 0) ++sh.empty_polls;
      const int64_t got_ns = std::chrono::duration_cast<nanoseconds>(got.time_since_epoch()).count();
      for (auto [seq, ts] : mine) {
        if (sh.seen[seq]) {
          ++sh.duplicates;
          continue;
        }
        sh.seen[seq] = 1;
        ++sh.received;
        sh.e2e.Add(nanoseconds(got_ns - ts));
      }
    }
    if (page.next_iterator.empty()) break;
    iterator = std::move(page.next_iterator);
    if (page.records == 0) co_await SleepFor(milliseconds(1));
  }
}

bool RunPutGet(Runner& run, const Options& o, const std::string& stream) {
  const double duration = DefaultDuration(o);
  PutGetShared sh;
  sh.run_id = std::mt19937_64(o.seed + 3)() ^ static_cast<uint64_t>(getpid());
  sh.planned = o.requests > 0 ? o.requests : static_cast<int64_t>(o.rate * duration);
  sh.seen.assign(sh.planned, 0);

  Connection control(run.ex(), o.endpoint, o.creds, o.timeout);
  Result<std::vector<std::string>> shards = run.Run(ListShardIds(control, stream));
  if (!shards.ok()) {
    Say("put-get: %s", shards.status().message().c_str());
    return false;
  }
  // A fresh stream is read from TRIM_HORIZON; an existing one (--no-create)
  // from LATEST, taken before the producer starts.
  const std::string type = o.create ? "TRIM_HORIZON" : "LATEST";
  std::vector<std::string> iterators;
  for (const auto& id : *shards) {
    Result<std::string> it = run.Run(GetShardIterator(control, stream, id, type));
    if (!it.ok()) {
      Say("put-get: %s", it.status().message().c_str());
      return false;
    }
    iterators.push_back(std::move(*it));
  }
  Say("put-get: producer %.0f records/s x %" PRId64
      " records (%d B), %zu tight-polling "
      "consumers",
      o.rate, sh.planned, o.record_size, shards->size());

  std::vector<std::unique_ptr<Connection>> cs;
  WorkerStats producer;
  std::vector<asio::awaitable<void>> tasks;
  const auto start = Clock::now() + milliseconds(50);  // consumers polling first
  const auto hard_deadline = start + Ms(o.requests > 0 ? sh.planned / o.rate : duration) + Ms(o.grace_s);
  cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
  tasks.push_back(PutGetProducer(*cs.back(), o, stream, sh, producer, start, hard_deadline - Ms(o.grace_s / 2)));
  for (auto& it : iterators) {
    cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
    tasks.push_back(PutGetConsumer(*cs.back(), o, std::move(it), sh, hard_deadline));
  }
  run.RunAll(std::move(tasks));
  const double elapsed = Seconds(Clock::now() - start);

  const int64_t produced = sh.produced_ok.load();
  JsonReport rep("put-get");
  rep.Str("stream", stream)
      .Str("iterator_type", type)
      .Num("rate_target", o.rate)
      .Int("record_size", o.record_size)
      .Int("planned", sh.planned)
      .Int("produced", produced)
      .Int("received", sh.received)
      .Int("missing", produced - sh.received)
      .Int("duplicates", sh.duplicates)
      .Int("foreign_records", sh.foreign)
      .Int("get_records_calls", sh.get_calls)
      .Int("empty_polls", sh.empty_polls)
      .Num("elapsed_s", elapsed)
      .Latency("latency_ms", sh.e2e, {50, 95, 99})
      .Latency("put_latency_ms", producer.latency, {50, 99});
  ErrorTally errors = producer.errors;
  errors.Merge(sh.consumer_errors);
  rep.Errors(errors).Emit();
  Say("put-get: %" PRId64 "/%" PRId64
      " received; put->get p50 %.2f p95 %.2f p99 %.2f max %.2f "
      "ms; %" PRId64 " GetRecords calls (%" PRId64 " empty)",
      sh.received, produced, sh.e2e.PercentileMs(50), sh.e2e.PercentileMs(95), sh.e2e.PercentileMs(99), sh.e2e.MaxMs(),
      sh.get_calls, sh.empty_polls);
  PrintErrors(errors);
  if (produced > sh.received) {
    Say("put-get: %" PRId64 " acknowledged records were not read back within the grace period", produced - sh.received);
  }
  return sh.received > 0 && sh.received == produced;
}

// --- rss, wait-ready ---------------------------------------------------------

bool EmitRss(int pid, const std::string& after) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) {
    Say("rss: cannot read /proc/%d/status", pid);
    return false;
  }
  int64_t rss = -1, hwm = -1;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stoll(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stoll(line.substr(6));
  }
  JsonReport rep("rss");
  rep.Int("pid", pid).Int("vm_rss_kib", rss).Int("vm_hwm_kib", hwm);
  if (!after.empty()) rep.Str("after", after);
  rep.Emit();
  Say("rss: pid %d VmRSS %.1f MiB, VmHWM %.1f MiB%s%s", pid, rss / 1024.0, hwm / 1024.0, after.empty() ? "" : " after ",
      after.c_str());
  return rss >= 0;
}

int64_t EpochNs() {
  return std::chrono::duration_cast<nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

asio::awaitable<bool> WaitReady(const Options& o, Connection& conn, double timeout_s) {
  const auto deadline = Clock::now() + Ms(timeout_s);
  const int64_t since = o.since_epoch_ns > 0 ? o.since_epoch_ns : EpochNs();
  double tcp_ms = -1, ok_ms = -1;
  while (Clock::now() < deadline) {
    if (!co_await conn.ConnectOnly()) {
      tcp_ms = (EpochNs() - since) / 1e6;
      break;
    }
    co_await SleepFor(milliseconds(2));
  }
  while (tcp_ms >= 0 && Clock::now() < deadline) {
    const std::string body = "{}";
    // Not a conditional expression around co_await: GCC 12 miscompiles that.
    Response r;
    if (o.dynamodb) {
      r = co_await conn.Call(op::kListTables, body, {}, kDynamoDb);
    } else {
      r = co_await conn.Call(op::kListStreams, body);
    }
    if (r.ok()) {
      ok_ms = (EpochNs() - since) / 1e6;
      break;
    }
    co_await SleepFor(milliseconds(5));
  }
  JsonReport rep("cold-start");
  if (tcp_ms >= 0) rep.Num("tcp_ms", tcp_ms);
  else rep.Null("tcp_ms");
  if (ok_ms >= 0) rep.Num("first_ok_ms", ok_ms);
  else rep.Null("first_ok_ms");
  rep.Emit();
  Say("cold start: TCP accepted after %.1f ms, first %s 200 after %.1f ms", tcp_ms,
      o.dynamodb ? "ListTables" : "ListStreams", ok_ms);
  co_return ok_ms >= 0;
}

std::string StreamFor(const Options& o, const std::string& suffix, bool single_group) {
  if (o.stream_given && single_group) return o.stream;
  return o.stream + "-" + suffix;
}

// Creates (unless --no-create) the stream, runs `body`, deletes it.
template <typename F>
bool WithStream(Runner& run, const Options& o, const std::string& stream, F&& body) {
  Connection control(run.ex(), o.endpoint, o.creds, o.timeout);
  // With --ignore-body (a fixed-answer server) there is no stream to check.
  Status st = o.create        ? run.Run(CreateStreamAndWait(control, stream, o.shards, milliseconds(60000)))
              : o.ignore_body ? Status::Ok()
                              : run.Run(WaitActive(control, stream, milliseconds(60000)));
  if (!st.ok()) {
    Say("%s", st.message().c_str());
    JsonReport rep("error");
    rep.Str("stream", stream).Str("message", st.message()).Emit();
    return false;
  }
  if (o.create) Say("stream %s ACTIVE with %d shards", stream.c_str(), o.shards);
  bool ok = false;
  try {
    ok = body();
  } catch (const std::exception& e) {
    Say("scenario failed: %s", e.what());
  }
  if (o.create) {
    Status del = run.Run(DeleteStreamAndWait(control, stream, milliseconds(30000)));
    if (!del.ok()) Say("warning: %s", del.message().c_str());
  }
  return ok;
}

}  // namespace

int RunScenarios(const std::vector<std::string>& scenarios, Options& o) {
  auto has = [&](const char* s) { return std::find(scenarios.begin(), scenarios.end(), s) != scenarios.end(); };
  Runner run(o.threads);
  bool all_ok = true;

  if (has("wait-ready")) {
    Connection conn(run.ex(), o.endpoint, o.creds, milliseconds(1000));
    all_ok &= run.Run(WaitReady(o, conn, o.duration_s > 0 ? o.duration_s : 120));
  }
  const int groups = (has("ingest") || has("drain")) + has("putrecord") + has("put-get");
  const bool single = groups == 1;

  if (has("ingest") || has("drain")) {
    const std::string stream = StreamFor(o, "ingest", single);
    all_ok &= WithStream(run, o, stream, [&] {
      IngestOutcome in = RunIngest(run, o, stream);
      if (o.rss_pid > 0) EmitRss(o.rss_pid, "ingest");
      if (!in.ok) return false;
      if (!has("drain")) return true;
      return RunDrain(run, o, stream, o.create ? in.records_ok : 0);
    });
  }
  if (has("putrecord")) {
    const std::string stream = StreamFor(o, "putrecord", single);
    all_ok &= WithStream(run, o, stream, [&] { return RunPutRecord(run, o, stream); });
  }
  if (has("put-get")) {
    const std::string stream = StreamFor(o, "putget", single);
    all_ok &= WithStream(run, o, stream, [&] { return RunPutGet(run, o, stream); });
  }
  for (const char* ddb : {"ddb-put", "ddb-get", "ddb-update"}) {
    if (!has(ddb)) continue;
    const std::string base = o.table_given ? o.table : o.stream;
    const int ddb_groups = has("ddb-put") + has("ddb-get") + has("ddb-update");
    const std::string table = o.table_given && ddb_groups == 1 ? base : base + "-" + std::string(ddb + 4);
    all_ok &= RunDdbScenario(run, o, ddb, table);
  }
  if (has("rss") && !(o.rss_pid > 0 && (has("ingest") || has("drain")))) {
    if (o.rss_pid <= 0) {
      Say("rss: --pid is required");
      all_ok = false;
    } else {
      all_ok &= EmitRss(o.rss_pid, "");
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace sluice::bench
