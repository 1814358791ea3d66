#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <iostream>

#include "http/asio_types.h"
#include "http/h2_session.h"

namespace sluice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

using internal::Executor;
using internal::Socket;
using internal::Timer;

// One connection: read a request, hand it to the handler, write the answer,
// repeat while keep-alive holds. A deadline timer closes connections that
// stay idle, or stall mid-request, longer than idle_timeout.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, const ServerOptions& options, const Handler& handler)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), options_(options), handler_(handler) {}

  void Start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->Sniff(); });
  }

 private:
  // Reads the first bytes of a connection: the HTTP/2 connection preface
  // hands it to an HTTP/2 session (h2c with prior knowledge); anything else
  // is HTTP/1.1, parsed from the bytes already buffered.
  void Sniff() {
    ArmTimer();
    socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      std::string_view got(static_cast<const char*>(self->buffer_.data().data()), self->buffer_.size());
      size_t common = std::min(got.size(), internal::kH2Preface.size());
      if (got.substr(0, common) != internal::kH2Preface.substr(0, common)) return self->ReadHeader();
      if (got.size() < internal::kH2Preface.size()) return self->Sniff();  // a prefix so far
      self->timer_.cancel();
      internal::StartH2Session(std::move(self->socket_), got, self->options_, self->handler_);
    });
  }

  void ArmTimer() {
    timer_.expires_after(options_.idle_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Close();  // expired, not cancelled
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(64 * 1024);
    ArmTimer();
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    auto expect = req[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      if (parser_->content_length() && *parser_->content_length() > options_.max_body_bytes)
        return SendTooLarge();
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      bhttp::async_write(socket_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    // Read a known-length body in as few large reads as possible.
    if (auto len = parser_->content_length(); len && *len > buffer_.size()) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(*len, options_.max_body_bytes)) + 4096;
      if (buffer_.capacity() < want) buffer_.reserve(want);
    }
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return SendTooLarge();
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
      return Close();
    // Malformed HTTP: answer 400 once and close.
    Response r;
    r.status = 400;
    r.SetHeader("Content-Type", "text/plain");
    r.body = "Bad Request: " + ec.message() + "\n";
    keep_alive_ = false;
    Write(std::move(r));
  }

  void SendTooLarge() {
    Response r;
    r.status = 413;
    r.SetHeader("Content-Type", "text/plain");
    r.body = "Request entity too large\n";
    keep_alive_ = false;
    Write(std::move(r));
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    timer_.cancel();  // the handler may take a while (group commit)
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.headers.reserve(16);
    for (const auto& f : msg) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    req.body = std::move(msg.body());
    beast::error_code ignored;
    auto ep = socket_.remote_endpoint(ignored);
    if (!ignored) req.remote_address = ep.address().to_string();
    handler_(std::move(req), [self = shared_from_this()](Response resp) {
      Executor ex = self->socket_.get_executor();
      asio::post(ex, [self = std::move(self), resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  void Write(Response resp) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(version_ ? version_ : 11);
    out->result(resp.status);
    for (auto& [k, v] : resp.headers) out->set(k, v);
    out->body() = std::move(resp.body);
    out->keep_alive(keep_alive_);
    out->prepare_payload();
    // A HEAD response has no body but announces the length a GET would send
    // (S3 HeadObject): keep the Content-Length the handler set.
    if (head_)
      for (const auto& [k, v] : resp.headers)
        if (beast::iequals(k, "Content-Length")) out->set(bhttp::field::content_length, v);
    ArmTimer();
    bhttp::async_write(socket_, *out, [self = shared_from_this(), out](beast::error_code ec, size_t) {
      self->timer_.cancel();
      if (ec || !self->keep_alive_) return self->Close();
      self->ReadHeader();
    });
  }

  void Close() {
    beast::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  Socket socket_;
  Timer timer_;
  const ServerOptions& options_;
  const Handler& handler_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        threads_(options_.threads > 0 ? options_.threads
                                      : std::max(2, static_cast<int>(std::thread::hardware_concurrency()))),
        io_(threads_),
        acceptor_(io_) {}

  Result<uint16_t> Listen() {
    beast::error_code ec;
    auto addr = asio::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("bad --host '" + options_.host + "': " + ec.message());
    tcp::endpoint ep(addr, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                                       ": " + ec.message());
    Accept();
    return acceptor_.local_endpoint().port();
  }

  void Run() {
    std::vector<std::thread> extra;
    for (int i = 1; i < threads_; ++i) extra.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& t : extra) t.join();
  }

  void Stop() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      io_.stop();
    });
  }

 private:
  void Accept() {
    acceptor_.async_accept(Executor(io_.get_executor()), [this](beast::error_code ec, Socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), options_, handler_)->Start();
      } else {
        // e.g. EMFILE: do not spin; try again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      Accept();
    });
  }

  ServerOptions options_;
  Handler handler_;
  int threads_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
Server::~Server() = default;
Result<uint16_t> Server::Listen() { return impl_->Listen(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace sluice::http
