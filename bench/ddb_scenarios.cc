#include "ddb_scenarios.h"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "kinesis_ops.h"
#include "report.h"

namespace sluice::bench {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxConsecutiveTransportErrors = 50;
constexpr int kBatchWriteMax = 25;  // BatchWriteItem's limit

// The hash key attribute, as a KCL lease table has it.
constexpr std::string_view kKeyAttr = "leaseKey";

const rapidjson::Value* Member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// Keys, table names and payloads here are [A-Za-z0-9_.-]: no JSON escaping.
std::string KeyJson(std::string_view key) {
  std::string s = "{\"";
  s.append(kKeyAttr).append("\":{\"S\":\"").append(key).append("\"}}");
  return s;
}

std::string HexKey(std::mt19937_64& rng, const char* prefix) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%016" PRIx64, prefix, rng());
  return buf;
}

std::string RandomText(std::mt19937_64& rng, size_t n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-";
  std::string s(n, 'x');
  for (size_t i = 0; i < n; ++i) s[i] = kChars[rng() & 63];
  return s;
}

// --- table lifecycle -----------------------------------------------------

// "ACTIVE", "CREATING", ... from a DescribeTable answer; "" when absent.
std::string TableStatus(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return "";
  const auto* t = Member(doc, "Table");
  const auto* st = t ? Member(*t, "TableStatus") : nullptr;
  return st && st->IsString() ? st->GetString() : "";
}

asio::awaitable<Status> CreateTableAndWait(Connection& conn, const std::string& table, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string body = "{\"TableName\":\"" + table + "\",\"AttributeDefinitions\":[{\"AttributeName\":\"" +
                     std::string(kKeyAttr) + "\",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"" +
                     std::string(kKeyAttr) + "\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
  Response r = co_await conn.Call(op::kCreateTable, body, {}, kDynamoDb);
  if (!r.ok()) co_return ResponseError(op::kCreateTable, r);
  const std::string describe = "{\"TableName\":\"" + table + "\"}";
  while (Clock::now() < deadline) {
    Response d = co_await conn.Call(op::kDescribeTable, describe, {}, kDynamoDb);
    if (d.ok() && TableStatus(d.body) == "ACTIVE") co_return Status::Ok();
    if (!d.ok() && d.ErrorType() != "ResourceNotFoundException") co_return ResponseError(op::kDescribeTable, d);
    co_await SleepFor(milliseconds(20));
  }
  co_return Status::Unavailable("table " + table + " not ACTIVE in time");
}

asio::awaitable<Status> DeleteTableAndWait(Connection& conn, const std::string& table, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string body = "{\"TableName\":\"" + table + "\"}";
  Response r = co_await conn.Call(op::kDeleteTable, body, {}, kDynamoDb);
  if (!r.ok() && r.ErrorType() != "ResourceNotFoundException") co_return ResponseError(op::kDeleteTable, r);
  while (Clock::now() < deadline) {
    Response d = co_await conn.Call(op::kDescribeTable, body, {}, kDynamoDb);
    if (!d.ok() && d.ErrorType() == "ResourceNotFoundException") co_return Status::Ok();
    co_await SleepFor(milliseconds(20));
  }
  co_return Status::Unavailable("table " + table + " still there after DeleteTable");
}

// --- preload: BatchWriteItem of 25 items --------------------------------

// `items` are item JSON objects ({"leaseKey":{"S":..},...}); written by
// `conns` connections, 25 per BatchWriteItem. UnprocessedItems are resent.
struct Preload {
  bool ok = true;
  std::string error;
  double seconds = 0;
};

asio::awaitable<void> PreloadWorker(Connection& conn, const std::string& table, const std::vector<std::string>& items,
                                    std::atomic<size_t>& next, Preload& out) {
  for (;;) {
    const size_t first = next.fetch_add(kBatchWriteMax);
    if (first >= items.size() || !out.ok) co_return;
    const size_t last = std::min(items.size(), first + kBatchWriteMax);
    std::string body = "{\"RequestItems\":{\"" + table + "\":[";
    for (size_t i = first; i < last; ++i) {
      if (i != first) body += ',';
      body.append("{\"PutRequest\":{\"Item\":").append(items[i]).append("}}");
    }
    body += "]}}";
    for (int attempt = 0;; ++attempt) {
      Response r = co_await conn.Call(op::kBatchWriteItem, body, {}, kDynamoDb);
      if (!r.ok()) {
        if (attempt < 3 && r.transport) continue;
        out.ok = false;
        out.error = ResponseError(op::kBatchWriteItem, r).message();
        co_return;
      }
      rapidjson::Document doc;
      doc.Parse(r.body.data(), r.body.size());
      const auto* un = doc.HasParseError() ? nullptr : Member(doc, "UnprocessedItems");
      if (!un || !un->IsObject() || un->MemberCount() == 0) break;
      if (attempt >= 20) {
        out.ok = false;
        out.error = "BatchWriteItem: UnprocessedItems after 20 attempts";
        co_return;
      }
      // Resend what was not processed (servers here always process all).
      std::string again = "{\"RequestItems\":";
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      un->Accept(w);
      again.append(buf.GetString(), buf.GetSize()).append("}");
      body = std::move(again);
    }
  }
}

Preload RunPreload(Runner& run, const Options& o, int conns, const std::string& table,
                   const std::vector<std::string>& items) {
  Preload out;
  std::vector<std::unique_ptr<Connection>> cs;
  std::vector<asio::awaitable<void>> tasks;
  std::atomic<size_t> next{0};
  const auto start = Clock::now();
  for (int i = 0; i < conns; ++i) {
    cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
    tasks.push_back(PreloadWorker(*cs.back(), table, items, next, out));
  }
  run.RunAll(std::move(tasks));
  out.seconds = Seconds(Clock::now() - start);
  return out;
}

// --- the measured loops ----------------------------------------------------

struct Stats {
  int64_t requests = 0;
  int64_t ok = 0;
  int64_t conditional_failed = 0;  // ddb-update: ConditionalCheckFailedException
  int64_t not_found = 0;           // ddb-get: 200 without Item
  int64_t resyncs = 0;             // ddb-update: GetItem after an unknown outcome
  Latencies latency;
  ErrorTally errors;
  void Merge(const Stats& x) {
    requests += x.requests;
    ok += x.ok;
    conditional_failed += x.conditional_failed;
    not_found += x.not_found;
    resyncs += x.resyncs;
    latency.Merge(x.latency);
    errors.Merge(x.errors);
  }
};

struct Budget {
  Clock::time_point deadline;
  int64_t max_requests = 0;
  std::atomic<int64_t> issued{0};
  bool Take() {
    if (Clock::now() >= deadline) return false;
    return max_requests == 0 || issued.fetch_add(1) < max_requests;
  }
};

// Error accounting shared by the loops; false when the worker should stop.
asio::awaitable<bool> OnError(const Response& r, Stats& st, int& transport_errors) {
  st.errors.Add(r.ErrorType());
  if (r.transport) {
    if (++transport_errors >= kMaxConsecutiveTransportErrors) co_return false;
    co_await SleepFor(milliseconds(10));
  }
  co_return true;
}

// ddb-put: PutItem of a fresh random key per request, ~item_size bytes.
asio::awaitable<void> PutWorker(Connection& conn, const std::string& table, const std::vector<std::string>& payloads,
                                uint64_t seed, Budget& budget, Stats& st) {
  std::mt19937_64 rng(seed);
  const std::string head = "{\"TableName\":\"" + table + "\",\"Item\":{\"" + std::string(kKeyAttr) + "\":{\"S\":\"";
  int transport_errors = 0;
  size_t k = rng();
  std::string body;
  while (budget.Take()) {
    body.assign(head);
    body.append(HexKey(rng, "item-"));
    body.append("\"},\"payload\":{\"S\":\"").append(payloads[k++ % payloads.size()]);
    body.append("\"}}}");
    const std::string sha = Sha256Hex(body);
    Response r = co_await conn.Call(op::kPutItem, body, sha, kDynamoDb);
    ++st.requests;
    if (!r.ok()) {
      if (!co_await OnError(r, st, transport_errors)) break;
      continue;
    }
    transport_errors = 0;
    ++st.ok;
    st.latency.Add(r.latency());
  }
}

struct GetBody {
  std::string json;
  std::string sha256;
};

// ddb-get: GetItem (ConsistentRead, as KCL reads leases) of random preloaded keys.
asio::awaitable<void> GetWorker(Connection& conn, const std::vector<GetBody>& bodies, uint64_t seed, Budget& budget,
                                Stats& st) {
  std::mt19937_64 rng(seed);
  int transport_errors = 0;
  while (budget.Take()) {
    const GetBody& b = bodies[rng() % bodies.size()];
    Response r = co_await conn.Call(op::kGetItem, b.json, b.sha256, kDynamoDb);
    ++st.requests;
    if (!r.ok()) {
      if (!co_await OnError(r, st, transport_errors)) break;
      continue;
    }
    transport_errors = 0;
    if (r.body.find("\"Item\"") == std::string::npos) {
      ++st.not_found;
      st.errors.Add("GetItem: no Item for a preloaded key");
      continue;
    }
    ++st.ok;
    st.latency.Add(r.latency());
  }
}

// The lease counter of `key` from a consistent GetItem; -1 on failure.
asio::awaitable<int64_t> ReadLeaseCounter(Connection& conn, const std::string& table, const std::string& key) {
  const std::string body = "{\"TableName\":\"" + table + "\",\"Key\":" + KeyJson(key) + ",\"ConsistentRead\":true}";
  Response r = co_await conn.Call(op::kGetItem, body, {}, kDynamoDb);
  if (!r.ok()) co_return -1;
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  const auto* item = doc.HasParseError() ? nullptr : Member(doc, "Item");
  const auto* c = item ? Member(*item, "leaseCounter") : nullptr;
  const auto* n = c ? Member(*c, "N") : nullptr;
  if (!n || !n->IsString()) co_return -1;
  co_return std::strtoll(n->GetString(), nullptr, 10);
}

// ddb-update: KCL's DynamoDBLeaseRefresher.renewLease, as it sends it:
//   UpdateItem Key {leaseKey}, Expected {leaseCounter: {Value: {N: c}}},
//   AttributeUpdates {leaseCounter: {Value: {N: c+1}, Action: PUT}}
// over this connection's own leases, round-robin. A ConditionalCheckFailed
// (or an unknown outcome) is counted and the counter re-read.
asio::awaitable<void> UpdateWorker(Connection& conn, const std::string& table, const std::vector<std::string>& keys,
                                   Budget& budget, Stats& st) {
  std::vector<int64_t> counters(keys.size(), 0);
  const std::string head = "{\"TableName\":\"" + table + "\",\"Key\":";
  int transport_errors = 0;
  size_t k = 0;
  std::string body;
  char nums[160];
  while (budget.Take()) {
    const size_t i = k++ % keys.size();
    body.assign(head);
    body.append(KeyJson(keys[i]));
    std::snprintf(nums, sizeof nums,
                  "%" PRId64
                  "\"}}},\"AttributeUpdates\":{\"leaseCounter\":"
                  "{\"Value\":{\"N\":\"%" PRId64 "\"},\"Action\":\"PUT\"}}}",
                  counters[i], counters[i] + 1);
    body.append(",\"Expected\":{\"leaseCounter\":{\"Value\":{\"N\":\"").append(nums);
    const std::string sha = Sha256Hex(body);
    Response r = co_await conn.Call(op::kUpdateItem, body, sha, kDynamoDb);
    ++st.requests;
    if (r.ok()) {
      transport_errors = 0;
      ++st.ok;
      ++counters[i];
      st.latency.Add(r.latency());
      continue;
    }
    const bool conditional = !r.transport && r.ErrorType() == "ConditionalCheckFailedException";
    if (conditional) {
      ++st.conditional_failed;
    } else if (!co_await OnError(r, st, transport_errors)) {
      break;
    }
    // The stored counter is not what we thought (or the outcome is unknown).
    ++st.resyncs;
    const int64_t c = co_await ReadLeaseCounter(conn, table, keys[i]);
    if (c >= 0) counters[i] = c;
  }
}

// Launches `conns` workers made by `make(i, conn)`, for the duration/requests.
template <typename Make>
double RunLoop(Runner& run, const Options& o, int conns, std::vector<Stats>& stats, Make&& make) {
  std::vector<std::unique_ptr<Connection>> cs;
  Budget budget;
  budget.max_requests = o.requests;
  std::vector<asio::awaitable<void>> tasks;
  stats.assign(conns, Stats{});
  for (int i = 0; i < conns; ++i) {
    cs.push_back(std::make_unique<Connection>(run.ex(), o.endpoint, o.creds, o.timeout));
    tasks.push_back(make(i, *cs.back(), budget, stats[i]));
  }
  const auto start = Clock::now();
  const double duration = o.duration_s > 0 ? o.duration_s : (o.requests > 0 ? 300.0 : 10.0);
  budget.deadline = start + Ms(duration);
  run.RunAll(std::move(tasks));
  return Seconds(Clock::now() - start);
}

void Report(const char* scenario, const std::string& table, int conns, double elapsed, Stats& all, JsonReport& rep) {
  rep.Str("table", table)
      .Int("connections", conns)
      .Num("elapsed_s", elapsed)
      .Int("requests", all.requests)
      .Int("requests_ok", all.ok)
      .Num("requests_per_s", all.ok / elapsed)
      .Latency("latency_ms", all.latency, {50, 95, 99})
      .Errors(all.errors)
      .Emit();
  Say("%s: %" PRId64
      " ok in %.2f s = %.0f requests/s; p50 %.2f p95 %.2f p99 %.2f max %.2f ms; "
      "%" PRId64 " errors",
      scenario, all.ok, elapsed, all.ok / elapsed, all.latency.PercentileMs(50), all.latency.PercentileMs(95),
      all.latency.PercentileMs(99), all.latency.MaxMs(), all.errors.total());
  for (const auto& [type, n] : all.errors.counts()) Say("  error %s x%" PRId64, type.c_str(), n);
}

bool RunPut(Runner& run, const Options& o, const std::string& table) {
  const int conns = o.connections > 0 ? o.connections : 16;
  // Item size as DynamoDB counts it: attribute names + values.
  const size_t fixed = kKeyAttr.size() + std::string("item-").size() + 16 + 7;  // "payload"
  const size_t payload_len = o.record_size > static_cast<int>(fixed) + 1 ? o.record_size - fixed : 1;
  std::mt19937_64 rng(o.seed + 11);
  std::vector<std::string> payloads;
  for (int i = 0; i < 64; ++i) payloads.push_back(RandomText(rng, payload_len));
  Say("ddb-put: %d connections, PutItem of %d B items with fresh random keys", conns, o.record_size);
  std::vector<Stats> stats;
  const double elapsed = RunLoop(run, o, conns, stats, [&](int i, Connection& c, Budget& b, Stats& st) {
    return PutWorker(c, table, payloads, o.seed + 1000 + i, b, st);
  });
  Stats all;
  for (auto& s : stats) all.Merge(s);
  JsonReport rep("ddb-put");
  rep.Int("item_size", o.record_size);
  Report("ddb-put", table, conns, elapsed, all, rep);
  return all.ok > 0;
}

bool RunGet(Runner& run, const Options& o, const std::string& table) {
  const int conns = o.connections > 0 ? o.connections : 16;
  const int64_t n = std::max<int64_t>(1, o.items);
  const size_t fixed = kKeyAttr.size() + std::string("item-").size() + 16 + 7;
  const size_t payload_len = o.record_size > static_cast<int>(fixed) + 1 ? o.record_size - fixed : 1;
  std::mt19937_64 rng(o.seed + 21);
  std::vector<std::string> items;
  std::vector<GetBody> bodies;
  items.reserve(n);
  bodies.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    const std::string key = HexKey(rng, "item-");
    items.push_back("{\"" + std::string(kKeyAttr) + "\":{\"S\":\"" + key + "\"},\"payload\":{\"S\":\"" +
                    RandomText(rng, payload_len) + "\"}}");
    GetBody b{"{\"TableName\":\"" + table + "\",\"Key\":" + KeyJson(key) + ",\"ConsistentRead\":true}", ""};
    b.sha256 = Sha256Hex(b.json);
    bodies.push_back(std::move(b));
  }
  Preload pre = RunPreload(run, o, conns, table, items);
  if (!pre.ok) {
    Say("ddb-get: preload failed: %s", pre.error.c_str());
    JsonReport rep("error");
    rep.Str("table", table).Str("message", "ddb-get preload: " + pre.error).Emit();
    return false;
  }
  Say("ddb-get: preloaded %" PRId64
      " items of %d B in %.2f s; %d connections, GetItem "
      "(ConsistentRead) of random preloaded keys",
      n, o.record_size, pre.seconds, conns);
  std::vector<Stats> stats;
  const double elapsed = RunLoop(run, o, conns, stats, [&](int i, Connection& c, Budget& b, Stats& st) {
    return GetWorker(c, bodies, o.seed + 2000 + i, b, st);
  });
  Stats all;
  for (auto& s : stats) all.Merge(s);
  JsonReport rep("ddb-get");
  rep.Int("item_size", o.record_size).Int("items", n).Num("preload_s", pre.seconds).Int("not_found", all.not_found);
  Report("ddb-get", table, conns, elapsed, all, rep);
  return all.ok > 0 && all.not_found == 0;
}

bool RunUpdate(Runner& run, const Options& o, const std::string& table) {
  const int conns = o.connections > 0 ? o.connections : 16;
  const int per = std::max(1, o.leases);
  std::mt19937_64 rng(o.seed + 31);
  // A KCL lease item (2.x attributes), leaseCounter 0, owned by its worker.
  std::vector<std::vector<std::string>> keys(conns);
  std::vector<std::string> items;
  for (int c = 0; c < conns; ++c) {
    char owner[64];
    std::snprintf(owner, sizeof owner, "worker-%02d-%08" PRIx64, c, rng() & 0xffffffffu);
    for (int j = 0; j < per; ++j) {
      char key[64];
      std::snprintf(key, sizeof key, "shardId-%012d", c * per + j);
      keys[c].push_back(key);
      items.push_back(std::string("{\"") + std::string(kKeyAttr) + "\":{\"S\":\"" + key +
                      "\"},\"leaseOwner\":{\"S\":\"" + owner +
                      "\"},\"leaseCounter\":{\"N\":\"0\"},\"checkpoint\":{\"S\":\"TRIM_HORIZON\"},"
                      "\"checkpointSubSequenceNumber\":{\"N\":\"0\"},"
                      "\"ownerSwitchesSinceCheckpoint\":{\"N\":\"0\"}}");
    }
  }
  Preload pre = RunPreload(run, o, std::min(conns, 4), table, items);
  if (!pre.ok) {
    Say("ddb-update: preload failed: %s", pre.error.c_str());
    JsonReport rep("error");
    rep.Str("table", table).Str("message", "ddb-update preload: " + pre.error).Emit();
    return false;
  }
  Say("ddb-update: %d connections renewing %d leases each (UpdateItem with Expected "
      "leaseCounter + AttributeUpdates PUT leaseCounter+1)",
      conns, per);
  std::vector<Stats> stats;
  const double elapsed = RunLoop(run, o, conns, stats, [&](int i, Connection& c, Budget& b, Stats& st) {
    return UpdateWorker(c, table, keys[i], b, st);
  });
  Stats all;
  for (auto& s : stats) all.Merge(s);
  JsonReport rep("ddb-update");
  rep.Int("leases", static_cast<int64_t>(conns) * per)
      .Int("leases_per_connection", per)
      .Int("conditional_check_failed", all.conditional_failed)
      .Int("resyncs", all.resyncs);
  Report("ddb-update", table, conns, elapsed, all, rep);
  if (all.conditional_failed > 0) {
    Say("ddb-update: %" PRId64
        " renewals failed their condition (each connection renews its "
        "own leases, so none should)",
        all.conditional_failed);
  }
  return all.ok > 0 && all.conditional_failed == 0;
}

}  // namespace

bool RunDdbScenario(Runner& run, const Options& o, const std::string& scenario, const std::string& table) {
  Connection control(run.ex(), o.endpoint, o.creds, o.timeout);
  Status st = run.Run(CreateTableAndWait(control, table, milliseconds(60000)));
  if (!st.ok()) {
    Say("%s", st.message().c_str());
    JsonReport rep("error");
    rep.Str("table", table).Str("message", st.message()).Emit();
    return false;
  }
  Say("table %s ACTIVE", table.c_str());
  bool ok = false;
  try {
    if (scenario == "ddb-put") ok = RunPut(run, o, table);
    if (scenario == "ddb-get") ok = RunGet(run, o, table);
    if (scenario == "ddb-update") ok = RunUpdate(run, o, table);
  } catch (const std::exception& e) {
    Say("scenario failed: %s", e.what());
  }
  control.Close();  // an idle keep-alive connection may have been closed meanwhile
  Status del = run.Run(DeleteTableAndWait(control, table, milliseconds(30000)));
  if (!del.ok()) Say("warning: %s", del.message().c_str());
  return ok;
}

}  // namespace sluice::bench
