// sluice-client-smoke: a test driver for the client library.
//
//   sign                 JSON cases on stdin (tools/sigv4_oracle.py's format)
//                        -> JSON list of {authorization, canonical_request,
//                        string_to_sign, headers} from sluice::client::SignRequest.
//   e2e --stream NAME [--shards N] [--records N] [--endpoint-url U] [--region R]
//                        create, wait ACTIVE, list shards (paged), put, read back
//                        with every iterator type, delete; prints one JSON object.
//   describe --stream NAME [--endpoint-url U] [--region R] [--max-attempts N]
//            [--ca-file F] [--timeout-ms T]
//                        one DescribeStreamSummary; prints {"ok":...} or {"error":...}.
// Credentials, region and endpoint resolve through the standard chain.
// Designated initializers keep the scenario readable; GCC 12 -Wextra warns on omitted members.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <string>

#include "codec/base64.h"
#include "sluice/aws_config.h"
#include "sluice/kinesis_client.h"
#include "sluice/sigv4.h"

using namespace sluice::client;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

std::string Get(const rapidjson::Value& v, const char* key, const char* fallback = "") {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : fallback;
}

// The decoding of a base64 fixture field; empty when it is not base64.
std::string DecodedOrEmpty(const std::string& text) {
  auto decoded = sluice::codec::Base64Decode(text);
  return decoded.ok() ? std::move(decoded).value() : std::string();
}

std::vector<std::pair<std::string, std::string>> Pairs(const rapidjson::Value& v, const char* key) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& p : it->value.GetArray()) {
    out.emplace_back(std::string(p[0].GetString(), p[0].GetStringLength()),
                     std::string(p[1].GetString(), p[1].GetStringLength()));
  }
  return out;
}

void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

std::chrono::system_clock::time_point ParseAmzDate(const std::string& s) {
  std::tm tm{};
  strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

int Sign() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  rapidjson::Document doc;
  doc.Parse(input.data(), input.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    std::cerr << "sign: expected a JSON list on stdin\n";
    return 2;
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartArray();
  for (const auto& c : doc.GetArray()) {
    SignableRequest req;
    req.method = Get(c, "method", "POST");
    req.scheme = Get(c, "scheme", "https");
    req.host = Get(c, "host");
    if (c.HasMember("port") && c["port"].IsInt()) req.port = static_cast<uint16_t>(c["port"].GetInt());
    req.path = UriEncodePath(Get(c, "path", "/"));
    req.query = Pairs(c, "query");
    req.headers = Pairs(c, "headers");
    std::string body = c.HasMember("body_b64") ? DecodedOrEmpty(Get(c, "body_b64")) : Get(c, "body");
    SigningParams p;
    p.credentials = {Get(c, "access_key", "AKIDEXAMPLE"),
                     Get(c, "secret_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), Get(c, "token")};
    p.region = Get(c, "region", "us-east-1");
    p.service = Get(c, "service", "kinesis");
    p.time = ParseAmzDate(Get(c, "time", "20150830T123600Z"));
    p.unsigned_payload =
        c.HasMember("unsigned_payload") && c["unsigned_payload"].IsBool() && c["unsigned_payload"].GetBool();
    if (c.HasMember("use_payload_hash") && c["use_payload_hash"].GetBool()) p.payload_hash = Sha256Hex(body);
    SigningResult r = SignRequest(req, body, p);
    w.StartObject();
    w.Key("authorization");
    Str(w, r.authorization);
    w.Key("canonical_request");
    Str(w, r.canonical_request);
    w.Key("string_to_sign");
    Str(w, r.string_to_sign);
    w.Key("headers");
    w.StartArray();
    for (const auto& [k, v] : req.headers) {
      w.StartArray();
      Str(w, k);
      Str(w, v);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  std::cout << buf.GetString() << "\n";
  return 0;
}

void WriteError(Writer& w, const ApiError& e) {
  w.StartObject();
  w.Key("kind");
  w.String(ErrorKindName(e.kind));
  w.Key("type");
  Str(w, e.type);
  w.Key("message");
  Str(w, e.message);
  w.Key("http_status");
  w.Int(e.http_status);
  w.Key("request_id");
  Str(w, e.request_id);
  w.Key("attempts");
  w.Int(e.attempts);
  w.EndObject();
}

struct Args {
  std::map<std::string, std::string> flags;
  std::string Flag(const std::string& k, const std::string& d = "") const {
    auto it = flags.find(k);
    return it == flags.end() ? d : it->second;
  }
};

ApiResult<std::unique_ptr<KinesisClient>> MakeClient(const Args& a) {
  ConfigOptions cfg;
  if (!a.Flag("endpoint-url").empty()) cfg.endpoint_url = a.Flag("endpoint-url");
  if (!a.Flag("region").empty()) cfg.region = a.Flag("region");
  ClientOptions opts;
  opts.retry.max_attempts = std::stoi(a.Flag("max-attempts", "3"));
  opts.retry.base_delay = std::chrono::milliseconds(std::stoi(a.Flag("base-delay-ms", "100")));
  opts.transport.ca_file = a.Flag("ca-file");
  opts.transport.request_timeout = std::chrono::milliseconds(std::stoi(a.Flag("timeout-ms", "30000")));
  opts.transport.connect_timeout = opts.transport.request_timeout;
  return KinesisClient::FromEnvironment(cfg, opts);
}

int Describe(const Args& a) {
  auto client = MakeClient(a);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (!client.ok()) {
    w.Key("error");
    WriteError(w, client.error());
  } else {
    auto r = (*client)->DescribeStreamSummary(kinesis::StreamId::Name(a.Flag("stream")));
    if (r.ok()) {
      w.Key("ok");
      w.StartObject();
      w.Key("StreamName");
      Str(w, r->stream_name);
      w.Key("StreamARN");
      Str(w, r->stream_arn);
      w.Key("StreamStatus");
      Str(w, r->stream_status);
      w.EndObject();
    } else {
      w.Key("error");
      WriteError(w, r.error());
    }
    w.Key("connections");
    w.Uint64((*client)->connections_opened());
  }
  w.EndObject();
  std::cout << buf.GetString() << "\n";
  return 0;
}

// Runs the whole life of a stream; any failure prints {"failed": step, "error": ...}.
int EndToEnd(const Args& a) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  auto fail = [&](const char* step, const ApiError& e) {
    w.Key("failed");
    w.String(step);
    w.Key("error");
    WriteError(w, e);
    w.EndObject();
    std::cout << buf.GetString() << "\n";
    return 1;
  };
  auto client = MakeClient(a);
  if (!client.ok()) return fail("create-client", client.error());
  KinesisClient& kc = **client;
  const std::string name = a.Flag("stream");
  const auto stream = kinesis::StreamId::Name(name);
  const int shards = std::stoi(a.Flag("shards", "2"));
  const int n = std::stoi(a.Flag("records", "10"));
  w.Key("region");
  Str(w, kc.options().config.region);
  w.Key("endpoint");
  Str(w, kc.options().config.endpoint_url);

  if (auto r = kc.CreateStream({.stream_name = name, .shard_count = shards}); !r.ok())
    return fail("CreateStream", r.error());
  auto summary = kc.WaitForActive(stream, std::chrono::seconds(30));
  if (!summary.ok()) return fail("WaitForActive", summary.error());
  w.Key("stream_arn");
  Str(w, summary->stream_arn);
  w.Key("open_shard_count");
  w.Int(summary->open_shard_count);

  auto missing = kc.DescribeStreamSummary(kinesis::StreamId::Name(name + "-missing"));
  if (missing.ok()) return fail("DescribeMissing", ApiError{.message = "expected an error"});
  w.Key("missing_error");
  WriteError(w, missing.error());

  auto listed = kc.ListAllShards({.stream = stream, .max_results = 1});
  if (!listed.ok()) return fail("ListAllShards", listed.error());
  w.Key("shards");
  w.StartArray();
  for (const auto& s : listed->shards) Str(w, s.shard_id);
  w.EndArray();

  // PutRecord once, PutRecords for the rest; binary data round-trips.
  std::vector<std::string> sent;
  auto data_for = [](int i) {
    return std::string("{\"i\":") + std::to_string(i) + "}" + std::string(1, '\0') + "\xff";
  };
  auto one = kc.PutRecord({.stream = stream, .data = data_for(0), .partition_key = "pk-0"});
  if (!one.ok()) return fail("PutRecord", one.error());
  sent.push_back(data_for(0));
  kinesis::PutRecordsRequest batch{.stream = stream};
  for (int i = 1; i < n; ++i) {
    batch.records.push_back({.data = data_for(i), .partition_key = "pk-" + std::to_string(i)});
    sent.push_back(data_for(i));
  }
  if (!batch.records.empty()) {
    auto put = kc.PutRecords(batch);
    if (!put.ok()) return fail("PutRecords", put.error());
    w.Key("put_failed");
    w.Int(put->failed_record_count);
  }

  // Read every shard from TRIM_HORIZON; check the other iterator types on the first record.
  int received = 0, matched = 0;
  std::string first_shard, first_seq;
  int64_t first_ts = 0;
  std::optional<int64_t> behind;
  for (const auto& s : listed->shards) {
    auto it = kc.GetShardIterator(
        {.stream = stream, .shard_id = s.shard_id, .type = kinesis::ShardIteratorType::kTrimHorizon});
    if (!it.ok()) return fail("GetShardIterator", it.error());
    std::string iter = it->shard_iterator;
    for (int empty = 0; empty < 2 && !iter.empty();) {
      auto page = kc.GetRecords({.shard_iterator = iter, .limit = 1000});
      if (!page.ok()) return fail("GetRecords", page.error());
      behind = page->millis_behind_latest;
      if (page->records.empty()) ++empty;
      for (const auto& rec : page->records) {
        ++received;
        if (std::find(sent.begin(), sent.end(), rec.data) != sent.end()) ++matched;
        if (first_seq.empty()) {
          first_shard = s.shard_id;
          first_seq = rec.sequence_number;
          first_ts = rec.approximate_arrival_timestamp_ms;
        }
      }
      iter = page->next_shard_iterator.value_or("");
    }
  }
  w.Key("received");
  w.Int(received);
  w.Key("matched");
  w.Int(matched);
  w.Key("millis_behind_latest");
  w.Int64(behind.value_or(-1));

  auto count_from = [&](kinesis::GetShardIteratorRequest req) -> ApiResult<int> {
    auto it = kc.GetShardIterator(req);
    if (!it.ok()) return it.error();
    auto page = kc.GetRecords({.shard_iterator = it->shard_iterator});
    if (!page.ok()) return page.error();
    return static_cast<int>(page->records.size());
  };
  kinesis::GetShardIteratorRequest base{.stream = stream, .shard_id = first_shard};
  w.Key("iterators");
  w.StartObject();
  for (auto type : {kinesis::ShardIteratorType::kAtSequenceNumber, kinesis::ShardIteratorType::kAfterSequenceNumber,
                    kinesis::ShardIteratorType::kAtTimestamp, kinesis::ShardIteratorType::kLatest}) {
    auto req = base;
    req.type = type;
    if (type == kinesis::ShardIteratorType::kAtTimestamp) {
      req.timestamp_ms = first_ts;
    } else if (type != kinesis::ShardIteratorType::kLatest) {
      req.starting_sequence_number = first_seq;
    }
    auto c = count_from(req);
    if (!c.ok()) return fail(kinesis::ShardIteratorTypeName(type), c.error());
    w.Key(kinesis::ShardIteratorTypeName(type));
    w.Int(*c);
  }
  w.EndObject();

  if (a.Flag("keep") != "1") {
    if (auto r = kc.DeleteStream({.stream = stream}); !r.ok()) return fail("DeleteStream", r.error());
  }
  w.Key("connections");
  w.Uint64(kc.connections_opened());
  w.Key("ok");
  w.Bool(true);
  w.EndObject();
  std::cout << buf.GetString() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: sluice-client-smoke sign|e2e|describe [--flag value]...\n";
    return 2;
  }
  std::string mode = argv[1];
  Args args;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) == 0) args.flags[k.substr(2)] = argv[i + 1];
  }
  if (mode == "sign") return Sign();
  if (mode == "e2e") return EndToEnd(args);
  if (mode == "describe") return Describe(args);
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}
