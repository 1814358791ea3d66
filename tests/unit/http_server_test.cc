// The HTTP/1.1 server with a real socket: answers completed on another thread
// (as the group committer does) arrive whole and in order, also when the
// client reads slowly enough that the immediate send cannot take them at once.
#include "http/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "wait_until.h"

namespace sluice::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Answers every request from a separate thread, once the handler has
// returned, with a body of the size named by the request target ("/123")
// made of a pattern.
class AsyncServer {
 public:
  AsyncServer()
      : server_(Options(), [this](Request req, Responder respond) {
          auto handler_done = std::make_shared<std::promise<void>>();
          std::thread([this, req = std::move(req), respond = std::move(respond),
                       returned = handler_done->get_future()] {
            returned.wait();  // completed elsewhere, after the handler
            Response r;
            r.SetHeader("Content-Type", "text/plain");
            r.SetHeader("x-test", "first");
            r.SetHeader("X-Test", "last");  // a repeated name: the last one counts
            r.body = Body(std::stoul(req.target.substr(1)));
            ++answered_;
            respond(std::move(r));
          }).detach();
          handler_done->set_value();
        }) {
    auto port = server_.Listen();
    EXPECT_TRUE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { server_.Run(); });
  }
  ~AsyncServer() {
    server_.Stop();
    thread_.join();
  }
  uint16_t port() const { return port_; }
  // Requests whose answer has been handed to the server.
  int answered() const { return answered_; }

  static std::string Body(size_t n) {
    std::string b(n, 'x');
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
    return b;
  }

 private:
  static ServerOptions Options() {
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    return o;
  }
  std::atomic<int> answered_{0};
  Server server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

// Reads one response (headers, then Content-Length bytes) from `s`.
std::pair<std::string, std::string> ReadResponse(tcp::socket& s, std::string& pending) {
  size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
    char buf[4096];
    size_t n = s.read_some(asio::buffer(buf));
    pending.append(buf, n);
  }
  std::string head = pending.substr(0, end + 4);
  size_t cl = head.find("Content-Length: ");
  EXPECT_NE(cl, std::string::npos) << head;
  size_t len = std::stoul(head.substr(cl + 16));
  while (pending.size() < end + 4 + len) {
    char buf[4096];
    size_t n = s.read_some(asio::buffer(buf));
    pending.append(buf, n);
  }
  std::string body = pending.substr(end + 4, len);
  pending.erase(0, end + 4 + len);
  return {head, body};
}

TEST(HttpServer, AnswersCompletedOnAnotherThreadArriveWholeOnAKeptAliveConnection) {
  AsyncServer server;
  asio::io_context io;
  tcp::socket s(io);
  s.open(tcp::v4());
  // A tiny receive window, and the client does not read until the answer is
  // due: a 60 KiB answer cannot be sent in one go.
  s.set_option(asio::socket_base::receive_buffer_size(2048));
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  // Pipelined, unread: the answers pile up in the socket buffers until the
  // immediate sends of the later ones cannot take them whole.
  std::vector<size_t> sizes = {10, 0, 50000};
  sizes.insert(sizes.end(), 60, 65536);
  sizes.push_back(7);
  std::string reqs;
  for (size_t size : sizes) reqs += "GET /" + std::to_string(size) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(reqs));
  // Nothing is read until the server has handed over the 50000-byte answer
  // (more than the receive window): the answers pile up behind it.
  ASSERT_TRUE(sluice::test::WaitUntil([&] { return server.answered() >= 3; }));
  std::string pending;
  for (size_t size : sizes) {
    auto [head, body] = ReadResponse(s, pending);
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
    EXPECT_NE(head.find("X-Test: last\r\n"), std::string::npos) << head;
    EXPECT_EQ(head.find("first"), std::string::npos) << head;
    EXPECT_EQ(head.find("Connection:"), std::string::npos) << head;
    EXPECT_EQ(body, AsyncServer::Body(size));
  }
}

TEST(HttpServer, KeepAliveFollowsTheRequestsHttpVersionAndConnectionHeader) {
  AsyncServer server;
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  std::string pending;
  asio::write(s, asio::buffer(std::string("GET /3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")));
  auto [head10, body10] = ReadResponse(s, pending);
  EXPECT_EQ(head10.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << head10;
  EXPECT_NE(head10.find("Connection: keep-alive\r\n"), std::string::npos) << head10;
  EXPECT_EQ(body10, AsyncServer::Body(3));
  asio::write(s, asio::buffer(std::string("GET /4 HTTP/1.1\r\nConnection: close\r\n\r\n")));
  auto [head, body] = ReadResponse(s, pending);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
  EXPECT_EQ(body, AsyncServer::Body(4));
  // The server closes after that answer.
  char c;
  boost::system::error_code ec;
  s.read_some(asio::buffer(&c, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

}  // namespace
}  // namespace sluice::http
