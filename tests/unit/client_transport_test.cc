// The Kinesis client over a scripted raw HTTP server: retries, re-signing,
// keep-alive reuse, and bad responses (malformed JSON, truncated bodies,
// resets, timeouts) coming back as error values.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <deque>
#include <mutex>
#include <thread>

#include "sluice/kinesis_client.h"
#include "wait_until.h"

namespace sluice::client {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// What the server does with one request.
struct Action {
  enum Kind { kRespond, kRespondThenClose, kCloseWithoutResponse, kReset, kStall } kind = kRespond;
  std::string raw;  // bytes to write
};

Action Reply(int status, std::string body, std::string extra_headers = "") {
  std::string raw = "HTTP/1.1 " + std::to_string(status) +
                    " X\r\nContent-Type: application/x-amz-json-1.1\r\n"
                    "x-amzn-RequestId: req-" +
                    std::to_string(status) + "\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
  return {Action::kRespond, raw};
}

constexpr const char* kSummaryBody =
    R"({"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s",)"
    R"("StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1700000000,"OpenShardCount":1}})";

// An HTTP server following a script shared by all its connections (a thread
// per connection).
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Action> script) : script_(script.begin(), script.end()) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
    for (auto& w : workers_) w.join();  // clients are gone: their connections are closed
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  // Connections the server has closed after answering (kRespondThenClose).
  int closed() const { return closed_; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Run() {
    while (!stop_) {
      tcp::socket sock(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(sock, ec);
      if (ec || stop_) return;
      ++connections_;
      workers_.emplace_back([this, s = std::move(sock)]() mutable { Serve(s); });
    }
  }
  void Serve(tcp::socket& sock) {
    asio::streambuf buf;
    while (true) {
      boost::system::error_code ec;
      size_t n = asio::read_until(sock, buf, "\r\n\r\n", ec);
      if (ec) return;
      std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
      buf.consume(n);
      size_t length = 0;
      if (auto p = head.find("Content-Length: "); p != std::string::npos) length = std::stoul(head.substr(p + 16));
      if (buf.size() < length) asio::read(sock, buf, asio::transfer_exactly(length - buf.size()), ec);
      buf.consume(length);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(head);
      }
      Action a;
      {
        std::lock_guard lock(mu_);
        if (script_.empty()) return;
        a = script_.front();
        script_.pop_front();
      }
      switch (a.kind) {
        case Action::kRespond: asio::write(sock, asio::buffer(a.raw), ec); break;
        case Action::kRespondThenClose:
          asio::write(sock, asio::buffer(a.raw), ec);
          sock.close();
          ++closed_;
          return;
        case Action::kCloseWithoutResponse: sock.close(); return;
        case Action::kReset:
          sock.set_option(asio::socket_base::linger(true, 0));
          sock.close();
          return;
        case Action::kStall: {
          // Never answers: holds the request until the client gives up and
          // closes the connection.
          char byte;
          while (!ec) sock.read_some(asio::buffer(&byte, 1), ec);
          return;
        }
      }
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> closed_{0};
  std::mutex mu_;
  std::deque<Action> script_;
  std::vector<std::string> requests_;
};

struct Harness {
  std::vector<milliseconds> sleeps;
  int64_t clock_s = 1700000000;
  std::unique_ptr<KinesisClient> client;

  explicit Harness(const std::string& url, int max_attempts = 3, milliseconds timeout = milliseconds(5000)) {
    ClientOptions o;
    o.config.credentials = {"AKID", "SECRET", ""};
    o.config.region = "us-east-1";
    o.config.endpoint_url = url;
    o.retry.max_attempts = max_attempts;
    o.transport.request_timeout = timeout;
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    o.random = [] { return 0.5; };
    o.now = [this] { return std::chrono::system_clock::from_time_t(clock_s++); };
    auto c = KinesisClient::Create(o);
    EXPECT_TRUE(c.ok());
    client = std::move(c.value());
  }
  ApiResult<kinesis::StreamSummary> Describe() { return client->DescribeStreamSummary(kinesis::StreamId::Name("s")); }
};

TEST(ClientTransport, SuccessOverKeepAlive) {
  ScriptedServer server({Reply(200, kSummaryBody), Reply(200, kSummaryBody), Reply(200, kSummaryBody)});
  Harness h(server.url());
  for (int i = 0; i < 3; ++i) {
    auto r = h.Describe();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->stream_name, "s");
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(h.client->connections_opened(), 1u);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_NE(reqs[0].find("X-Amz-Target: Kinesis_20131202.DescribeStreamSummary"), std::string::npos);
  EXPECT_NE(reqs[0].find("Content-Type: application/x-amz-json-1.1"), std::string::npos);
  EXPECT_NE(reqs[0].find("Credential=AKID/20231114/us-east-1/kinesis/aws4_request"), std::string::npos);
}

TEST(ClientTransport, RetriesServerErrorsAndThrottlingResigningEachAttempt) {
  ScriptedServer server({Reply(500, R"({"__type":"InternalFailure","message":"boom"})"),
                         Reply(400, R"({"__type":"ProvisionedThroughputExceededException","message":"slow"})"),
                         Reply(200, kSummaryBody)});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(h.sleeps.size(), 2u);
  EXPECT_EQ(h.sleeps[0], milliseconds(500));   // 0.5 * 1 s
  EXPECT_EQ(h.sleeps[1], milliseconds(1000));  // 0.5 * 2 s
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  auto date = [](const std::string& head) {
    auto p = head.find("X-Amz-Date: ");
    return head.substr(p + 12, 16);
  };
  EXPECT_NE(date(reqs[0]), date(reqs[1]));
  EXPECT_NE(date(reqs[1]), date(reqs[2]));
}

TEST(ClientTransport, GivesUpAfterMaxAttempts) {
  ScriptedServer server(
      {Reply(503, R"({"__type":"ServiceUnavailable"})"), Reply(503, R"({"__type":"ServiceUnavailable"})"),
       Reply(503, R"({"__type":"ServiceUnavailable","message":"still down"})"), Reply(200, kSummaryBody)});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "ServiceUnavailable");
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(r.error().attempts, 3);
  EXPECT_EQ(r.error().message, "still down");
  EXPECT_EQ(r.error().request_id, "req-503");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(ClientTransport, ClientErrorsAreNotRetried) {
  ScriptedServer server({Reply(400, R"({"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException",)"
                                    R"("message":"Stream s under account 000000000000 not found."})")});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kService);
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(ClientTransport, ErrorTypeFromHeaderWhenBodyIsNotJson) {
  ScriptedServer server({Reply(400, "<html>nope</html>", "x-amzn-ErrorType: AccessDeniedException:http://x/\r\n")});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "AccessDeniedException");
  EXPECT_EQ(r.error().message, "<html>nope</html>");
}

TEST(ClientTransport, MalformedJsonIsAnErrorValueNotRetried) {
  ScriptedServer server({Reply(200, "{\"StreamDescriptionSummary\": {"), Reply(200, kSummaryBody)});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kMalformedResponse);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(ClientTransport, TruncatedBodyAndResetsAreRetried) {
  Action truncated{Action::kRespondThenClose,
                   "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"StreamDescriptionSummary\":"};
  ScriptedServer server({truncated, Action{Action::kReset, ""}, Reply(200, kSummaryBody)});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(h.sleeps.size(), 2u);
  EXPECT_EQ(server.connections(), 3);
}

TEST(ClientTransport, PersistentNetworkFailureEndsAsNetworkError) {
  ScriptedServer server({Action{Action::kCloseWithoutResponse, ""}, Action{Action::kReset, ""},
                         Action{Action::kCloseWithoutResponse, ""}});
  Harness h(server.url());
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_EQ(r.error().attempts, 3);
  EXPECT_EQ(r.error().http_status, 0);
}

TEST(ClientTransport, GarbageInsteadOfHttpIsMalformed) {
  ScriptedServer server({Action{Action::kRespondThenClose, "SSH-2.0-OpenSSH\r\n\r\n"}});
  Harness h(server.url(), 1);
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kMalformedResponse) << r.error().ToString();
}

TEST(ClientTransport, StaleKeptAliveConnectionIsReplacedWithoutARetry) {
  Action ok_then_close = Reply(200, kSummaryBody);
  ok_then_close.kind = Action::kRespondThenClose;  // no "Connection: close": the client pools it
  ScriptedServer server({ok_then_close, Reply(200, kSummaryBody)});
  Harness h(server.url());
  ASSERT_TRUE(h.Describe().ok());
  // The pooled connection is stale once the server has closed its end.
  ASSERT_TRUE(sluice::test::WaitUntil([&] { return server.closed() == 1; }));
  auto r = h.Describe();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_EQ(server.connections(), 2);
}

TEST(ClientTransport, RequestTimeout) {
  ScriptedServer server({Action{Action::kStall, ""}});
  Harness h(server.url(), 1, milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(350));
}

TEST(ClientTransport, ConnectionRefused) {
  uint16_t port;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  Harness h("http://127.0.0.1:" + std::to_string(port), 2);
  auto r = h.Describe();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kNetwork);
  EXPECT_EQ(r.error().attempts, 2);
}

TEST(ClientTransport, BadEndpointUrl) {
  for (const char* url : {"ftp://x", "http://", "http://h:99999", "localhost:4566", "http://u@h/", "http://h/?q"}) {
    ClientOptions o;
    o.config.endpoint_url = url;
    auto c = KinesisClient::Create(o);
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(ClientTransport, ConcurrentCallsShareThePool) {
  std::vector<Action> script(40, Reply(200, kSummaryBody));
  ScriptedServer server(script);
  Harness h(server.url());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) ok += h.Describe().ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(server.connections(), 4);  // at most one connection per concurrent caller
}

}  // namespace
}  // namespace sluice::client
