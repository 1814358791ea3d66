// Control-plane helpers shared by the scenarios: create a stream and wait
// for ACTIVE, list its shards, get iterators, delete it. Plus the tiny JSON
// request builders. All bounded by explicit deadlines.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/status.h"
#include "kinesis_client.h"

namespace sluice::bench {

// Builds a JSON object from string/int pairs, e.g. JsonBody({{"StreamName", s}}).
struct JsonField {
  std::string key;
  std::string str;  // used when !is_int
  int64_t num = 0;
  bool is_int = false;
  JsonField(std::string k, std::string v) : key(std::move(k)), str(std::move(v)) {}
  JsonField(std::string k, const char* v) : key(std::move(k)), str(v) {}
  JsonField(std::string k, int64_t v) : key(std::move(k)), num(v), is_int(true) {}
  JsonField(std::string k, int v) : key(std::move(k)), num(v), is_int(true) {}
};
std::string JsonBody(std::initializer_list<JsonField> fields);

// CreateStream, then DescribeStreamSummary every 20 ms until ACTIVE (at most
// `timeout`). ResourceInUseException from CreateStream is an error: the
// harness wants a fresh stream.
asio::awaitable<Status> CreateStreamAndWait(Connection& conn, const std::string& stream, int shards,
                                            std::chrono::milliseconds timeout);

// Waits for an existing stream to be ACTIVE (for --no-create).
asio::awaitable<Status> WaitActive(Connection& conn, const std::string& stream, std::chrono::milliseconds timeout);

// Open and closed shard ids, via ListShards (paged) with a DescribeStream
// fallback for servers without ListShards.
asio::awaitable<Result<std::vector<std::string>>> ListShardIds(Connection& conn, const std::string& stream);

// GetShardIterator of `type` (TRIM_HORIZON, LATEST, ...).
asio::awaitable<Result<std::string>> GetShardIterator(Connection& conn, const std::string& stream,
                                                      const std::string& shard_id, const std::string& type);

// DeleteStream, then waits (at most `timeout`) until DescribeStreamSummary
// says ResourceNotFoundException, so shard limits are free for the next run.
asio::awaitable<Status> DeleteStreamAndWait(Connection& conn, const std::string& stream,
                                            std::chrono::milliseconds timeout);

// Status from a failed response: "<Op>: <ErrorType>: <message excerpt>".
Status ResponseError(std::string_view op, const Response& r);

}  // namespace sluice::bench
