#include "kinesis_ops.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::bench {
namespace {

asio::awaitable<void> SleepFor(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

const rapidjson::Value* Member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// "ACTIVE", "CREATING", ... or "" when the response has no status.
std::string SummaryStatus(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return "";
  const auto* s = Member(doc, "StreamDescriptionSummary");
  const auto* st = s ? Member(*s, "StreamStatus") : nullptr;
  return st && st->IsString() ? st->GetString() : "";
}

}  // namespace

std::string JsonBody(std::initializer_list<JsonField> fields) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& f : fields) {
    w.Key(f.key.data(), static_cast<rapidjson::SizeType>(f.key.size()));
    if (f.is_int) {
      w.Int64(f.num);
    } else {
      w.String(f.str.data(), static_cast<rapidjson::SizeType>(f.str.size()));
    }
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Status ResponseError(std::string_view op, const Response& r) {
  std::string msg = std::string(op) + ": " + r.ErrorType();
  if (!r.transport && !r.body.empty()) msg += ": " + r.body.substr(0, 300);
  return Status::Unavailable(msg);
}

asio::awaitable<Status> WaitActive(Connection& conn, const std::string& stream, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string body = JsonBody({{"StreamName", stream}});
  std::string last = "no answer";
  while (Clock::now() < deadline) {
    Response r = co_await conn.Call(op::kDescribeStreamSummary, body);
    if (r.ok()) {
      std::string st = SummaryStatus(r.body);
      if (st == "ACTIVE") co_return Status::Ok();
      last = "StreamStatus " + (st.empty() ? std::string("missing") : st);
    } else {
      last = r.ErrorType();
    }
    co_await SleepFor(std::chrono::milliseconds(20));
  }
  co_return Status::Unavailable("stream " + stream + " not ACTIVE in time (" + last + ")");
}

asio::awaitable<Status> CreateStreamAndWait(Connection& conn, const std::string& stream, int shards,
                                            std::chrono::milliseconds timeout) {
  const std::string body = JsonBody({{"StreamName", stream}, {"ShardCount", shards}});
  Response r = co_await conn.Call(op::kCreateStream, body);
  if (!r.ok()) co_return ResponseError("CreateStream", r);
  co_return co_await WaitActive(conn, stream, timeout);
}

asio::awaitable<Result<std::vector<std::string>>> ListShardIds(Connection& conn, const std::string& stream) {
  std::vector<std::string> ids;
  std::string next_token;
  for (int page = 0; page < 1000; ++page) {
    std::string body = next_token.empty() ? JsonBody({{"StreamName", stream}}) : JsonBody({{"NextToken", next_token}});
    Response r = co_await conn.Call(op::kListShards, body);
    if (!r.ok()) {
      if (page == 0 && !r.transport) break;  // fall back to DescribeStream
      co_return ResponseError("ListShards", r);
    }
    rapidjson::Document doc;
    doc.Parse(r.body.data(), r.body.size());
    const auto* shards = doc.HasParseError() ? nullptr : Member(doc, "Shards");
    if (!shards || !shards->IsArray()) co_return Status::Corruption("ListShards: no Shards array");
    for (const auto& s : shards->GetArray()) {
      const auto* id = Member(s, "ShardId");
      if (id && id->IsString()) ids.emplace_back(id->GetString());
    }
    const auto* tok = Member(doc, "NextToken");
    if (!tok || !tok->IsString() || tok->GetStringLength() == 0) co_return ids;
    next_token = tok->GetString();
  }
  if (!ids.empty()) co_return ids;

  // DescribeStream, paged by ExclusiveStartShardId.
  std::string start;
  for (int page = 0; page < 1000; ++page) {
    std::string body = start.empty() ? JsonBody({{"StreamName", stream}})
                                     : JsonBody({{"StreamName", stream}, {"ExclusiveStartShardId", start}});
    Response r = co_await conn.Call(op::kDescribeStream, body);
    if (!r.ok()) co_return ResponseError("DescribeStream", r);
    rapidjson::Document doc;
    doc.Parse(r.body.data(), r.body.size());
    const auto* desc = doc.HasParseError() ? nullptr : Member(doc, "StreamDescription");
    const auto* shards = desc ? Member(*desc, "Shards") : nullptr;
    if (!shards || !shards->IsArray()) co_return Status::Corruption("DescribeStream: no Shards");
    for (const auto& s : shards->GetArray()) {
      const auto* id = Member(s, "ShardId");
      if (id && id->IsString()) ids.emplace_back(id->GetString());
    }
    const auto* more = Member(*desc, "HasMoreShards");
    if (!more || !more->IsBool() || !more->GetBool() || ids.empty()) co_return ids;
    start = ids.back();
  }
  co_return ids;
}

asio::awaitable<Result<std::string>> GetShardIterator(Connection& conn, const std::string& stream,
                                                      const std::string& shard_id, const std::string& type) {
  const std::string body = JsonBody({{"StreamName", stream}, {"ShardId", shard_id}, {"ShardIteratorType", type}});
  Response r = co_await conn.Call(op::kGetShardIterator, body);
  if (!r.ok()) co_return ResponseError("GetShardIterator", r);
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  const auto* it = doc.HasParseError() ? nullptr : Member(doc, "ShardIterator");
  if (!it || !it->IsString()) co_return Status::Corruption("GetShardIterator: no ShardIterator");
  co_return std::string(it->GetString(), it->GetStringLength());
}

asio::awaitable<Status> DeleteStreamAndWait(Connection& conn, const std::string& stream,
                                            std::chrono::milliseconds timeout) {
  const std::string body = JsonBody({{"StreamName", stream}});
  Response r = co_await conn.Call(op::kDeleteStream, body);
  if (!r.ok()) co_return ResponseError("DeleteStream", r);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    Response d = co_await conn.Call(op::kDescribeStreamSummary, body);
    if (!d.ok() && d.ErrorType() == "ResourceNotFoundException") co_return Status::Ok();
    co_await SleepFor(std::chrono::milliseconds(20));
  }
  // Still DELETING: not fatal for a benchmark, but say so.
  co_return Status::Unavailable("stream " + stream + " still present after DeleteStream");
}

}  // namespace sluice::bench
