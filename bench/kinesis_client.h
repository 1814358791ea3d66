// A minimal AWS JSON-protocol client for the benchmark harness: one HTTP/1.1
// keep-alive connection per Connection, driven by C++20 coroutines on a
// Boost.Asio io_context. It speaks to anything that implements the Kinesis
// wire protocol (sluice, kinesalite, kinesis-mock, a fixed-answer nginx) and,
// with the DynamoDB protocol, to DynamoDB servers (sluice, dynalite).
//
// Requests carry a SigV4 Authorization header signed with the configured
// (example) credentials over `host;x-amz-date`. Emulators check only that it
// is present; it is nevertheless a correct signature for those credentials.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>

#include "base/status.h"

namespace sluice::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

// Operation names (X-Amz-Target suffixes). Named constants rather than
// literals at call sites: GCC 12 miscompiles string literals inside co_await
// expressions ("array used as initializer").
namespace op {
inline constexpr std::string_view kCreateStream = "CreateStream";
inline constexpr std::string_view kDeleteStream = "DeleteStream";
inline constexpr std::string_view kDescribeStream = "DescribeStream";
inline constexpr std::string_view kDescribeStreamSummary = "DescribeStreamSummary";
inline constexpr std::string_view kListShards = "ListShards";
inline constexpr std::string_view kListStreams = "ListStreams";
inline constexpr std::string_view kGetShardIterator = "GetShardIterator";
inline constexpr std::string_view kGetRecords = "GetRecords";
inline constexpr std::string_view kPutRecord = "PutRecord";
inline constexpr std::string_view kPutRecords = "PutRecords";
// DynamoDB
inline constexpr std::string_view kCreateTable = "CreateTable";
inline constexpr std::string_view kDescribeTable = "DescribeTable";
inline constexpr std::string_view kDeleteTable = "DeleteTable";
inline constexpr std::string_view kListTables = "ListTables";
inline constexpr std::string_view kPutItem = "PutItem";
inline constexpr std::string_view kGetItem = "GetItem";
inline constexpr std::string_view kUpdateItem = "UpdateItem";
inline constexpr std::string_view kBatchWriteItem = "BatchWriteItem";
}  // namespace op

// The AWS JSON protocol a request speaks: X-Amz-Target prefix, Content-Type
// and the SigV4 signing name.
struct Protocol {
  std::string_view target_prefix;
  std::string_view content_type;
  std::string_view signing_name;
};
inline constexpr Protocol kKinesis{"Kinesis_20131202.", "application/x-amz-json-1.1", "kinesis"};
inline constexpr Protocol kDynamoDb{"DynamoDB_20120810.", "application/x-amz-json-1.0", "dynamodb"};

// Where requests go. Only `http://` with a numeric host or `localhost`.
struct Endpoint {
  std::string url;          // as given
  std::string host_header;  // "127.0.0.1:4567"
  asio::ip::tcp::endpoint tcp;
};

// Parses `http://HOST:PORT[/]`. Unless `allow_non_loopback`, refuses any host
// outside 127.0.0.0/8 and ::1: a load generator must not be pointed at a
// machine by accident.
Result<Endpoint> ParseEndpoint(std::string_view url, bool allow_non_loopback);

struct Credentials {
  std::string access_key = "AKIDEXAMPLE";
  std::string secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY/EXAMPLEKEY";
  std::string region = "us-east-1";
};

// Lowercase hex SHA-256 of `data` (the SigV4 payload hash).
std::string Sha256Hex(std::string_view data);

// One response. `transport` is set when no complete HTTP response arrived
// (connect/read/write error or timeout); then `status` is 0.
struct Response {
  boost::system::error_code transport;
  unsigned status = 0;
  std::string body;
  Clock::time_point sent;      // just before the request was written
  Clock::time_point received;  // just after the full response was read
  Clock::duration latency() const { return received - sent; }
  bool ok() const { return !transport && status == 200; }
  // "ResourceNotFoundException", "transport: Connection refused", "HTTP 500", ...
  std::string ErrorType() const;
};

// Not thread-safe: one coroutine uses a Connection at a time (the io_context
// may be run by several threads; a Connection's operations are sequential).
class Connection {
 public:
  Connection(asio::any_io_executor ex, const Endpoint& endpoint, const Credentials& creds,
             std::chrono::milliseconds timeout);

  // Sends `POST /` with X-Amz-Target `<protocol.target_prefix><op>` (default
  // `Kinesis_20131202.<op>`), the protocol's Content-Type and `body`, and
  // reads the whole response. Connects (again) when needed; a transport error
  // closes the connection and is returned in the Response, never thrown.
  // `payload_sha256` may carry the precomputed Sha256Hex(body).
  // `body` must stay alive until the returned awaitable completes.
  asio::awaitable<Response> Call(std::string_view op, std::string_view body, std::string_view payload_sha256 = {},
                                 const Protocol& protocol = kKinesis);

  // Just checks that a TCP connection is accepted (cold-start probe).
  asio::awaitable<boost::system::error_code> ConnectOnly();

  void Close();

 private:
  std::string Authorization(std::string_view amz_date, std::string_view payload_sha256, std::string_view service);
  asio::awaitable<Response> CallOnce(beast::http::request<beast::http::span_body<const char>>& req);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const Endpoint& endpoint_;
  const Credentials& creds_;
  std::chrono::milliseconds timeout_;
  bool open_ = false;
  bool retry_safe_ = false;  // the last CallOnce failed before the server could act
  // SigV4 signing key for one date and service, cached.
  std::string key_date_;
  std::string key_service_;
  std::string signing_key_;
};

}  // namespace sluice::bench
