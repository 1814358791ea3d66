#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <iostream>

#include "http/asio_types.h"
#include "http/h2_session.h"
#include "http/inflight_budget.h"
#include "http/request_parser.h"

namespace sluice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

Response PlainTransportError(TransportError error, const Request&) {
  Response r;
  switch (error) {
    case TransportError::kBadRequest: r.status = 400, r.body = "Bad Request\n"; break;
    case TransportError::kHeaderTooLarge: r.status = 431, r.body = "Request header fields too large\n"; break;
    case TransportError::kBodyTooLarge: r.status = 413, r.body = "Request entity too large\n"; break;
    case TransportError::kTimeout: r.status = 408, r.body = "Request timeout\n"; break;
    case TransportError::kUnavailable: r.status = 503, r.body = "Service unavailable\n"; break;
  }
  r.SetHeader("Content-Type", "text/plain");
  if (error == TransportError::kUnavailable) r.SetHeader("Retry-After", "1");
  return r;
}

namespace {

using internal::Executor;
using internal::Socket;
using internal::Timer;

// How long a refused connection's remaining input is read and discarded after
// the error answer, so that closing it does not reset the answer away.
constexpr auto kLingerTime = std::chrono::seconds(2);
// A connection's read buffer is given back when it grew beyond this for a large body.
constexpr size_t kKeptBufferBytes = 256u << 10;
// Answers up to this size may be sent by the completing thread (SendNow).
constexpr size_t kSendNowMaxBytes = 64u << 10;

// The value of a "<name>:" header line in raw, possibly partial, header bytes
// ("" if none): lets a refused request's answer take its service's shape.
std::string SniffHeader(std::string_view raw, std::string_view name) {
  const std::string key = std::string(name) + ":";
  const std::string_view kName = key;
  for (size_t line = 0; line < raw.size(); line = raw.find('\n', line) + 1) {
    if (raw.size() - line >= kName.size() && beast::iequals(raw.substr(line, kName.size()), kName)) {
      size_t start = raw.find_first_not_of(" \t", line + kName.size());
      if (start == std::string_view::npos) return "";
      size_t end = raw.find_first_of("\r\n", start);
      return std::string(raw.substr(start, end == std::string_view::npos ? raw.size() - start : end - start));
    }
    if (raw.find('\n', line) == std::string_view::npos) break;
  }
  return "";
}

// One connection: wait for a request, read its header and body under the
// deadlines of ServerOptions, hand it to the handler, write the answer,
// repeat while keep-alive holds. One timer enforces the current phase's
// deadline; reads move the body deadline forward as bytes arrive.
// `Stream` is a plain TCP socket, or a TLS stream over one (the TLS port,
// where ALPN already chose HTTP/1.1).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const ServerOptions& options, const Handler& handler, std::atomic<int>& active,
          InflightBudget& budget)
      : stream_(std::move(stream)),
        timer_(Lowest().get_executor()),
        options_(options),
        handler_(handler),
        active_(active),
        budget_(budget),
        hold_(&budget) {}
  ~Session() { active_.fetch_sub(1, std::memory_order_relaxed); }

  void Start() {
    asio::dispatch(Lowest().get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) self->ReadHeader(self->options_.header_timeout);
      else self->Sniff();
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, Socket>;
  Socket& Lowest() { return beast::get_lowest_layer(stream_); }
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

  enum class Phase { kIdle, kHeader, kBody, kHandler, kWrite, kLinger, kClosed };

  // Reads the first bytes of a connection (under the header timeout): the
  // HTTP/2 connection preface hands it to an HTTP/2 session (h2c with prior
  // knowledge); anything else is HTTP/1.1, parsed from the bytes buffered.
  void Sniff() {
    phase_ = Phase::kHeader;
    parser_.emplace();  // OnTimer looks at it
    SetDeadlineIn(options_.header_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (self->phase_ != Phase::kHeader) return;
      if (ec) return self->Close();
      self->buffer_.commit(n);
      std::string_view got(static_cast<const char*>(self->buffer_.data().data()), self->buffer_.size());
      size_t common = std::min(got.size(), internal::kH2Preface.size());
      if (got.substr(0, common) != internal::kH2Preface.substr(0, common))
        return self->ReadHeader(self->options_.header_timeout);
      if (got.size() < internal::kH2Preface.size()) return self->Sniff();  // a prefix so far
      self->phase_ = Phase::kClosed;
      self->ClearDeadline();
      beast::error_code ignored;
      self->timer_.cancel(ignored);
      if constexpr (!kTls)
        internal::StartH2Session(std::move(self->stream_), got, self->options_, self->handler_, &self->active_,
                                 &self->budget_);
    });
  }

  // ---- deadline
  void SetDeadline(Clock::time_point deadline) {
    deadline_ = deadline;
    if (timer_waiting_ && deadline >= timer_.expiry()) return;  // OnTimer moves it on
    timer_.expires_at(deadline);
    timer_waiting_ = true;
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
  }
  void SetDeadlineIn(std::chrono::milliseconds d) { SetDeadline(Clock::now() + d); }
  void ClearDeadline() { deadline_ = Clock::time_point::max(); }

  void OnTimer(beast::error_code ec) {
    if (ec == asio::error::operation_aborted) return;  // replaced by a newer wait, or closed
    timer_waiting_ = false;
    if (phase_ == Phase::kClosed || deadline_ == Clock::time_point::max()) return;
    if (Clock::now() < deadline_) return SetDeadline(deadline_);
    switch (phase_) {
      case Phase::kHeader:
        // A connection that never sent a byte gets no answer, just the close.
        return buffer_.size() == 0 && !parser_->got_some() ? Close() : Refuse(TransportError::kTimeout);
      case Phase::kBody: return Refuse(TransportError::kTimeout);
      default: return Close();
    }
  }

  // Time allowed to move `bytes` (a body or a response) at the minimum rate.
  std::chrono::milliseconds TransferAllowance(uint64_t bytes) const {
    auto extra = options_.min_body_rate ? std::chrono::milliseconds(bytes * 1000 / options_.min_body_rate)
                                        : std::chrono::milliseconds(0);
    return options_.body_timeout + extra;
  }

  // ---- reading a request
  // Between requests: wait (idle timeout) for the first byte of the next one.
  void WaitForRequest() {
    if (buffer_.size() > 0) return ReadHeader(options_.header_timeout);  // pipelined bytes already here
    // TLS may hold decrypted bytes the socket no longer shows as readable:
    // read the next header at once, with the idle timeout.
    if constexpr (kTls) return ReadHeader(options_.idle_timeout);
    phase_ = Phase::kIdle;
    SetDeadlineIn(options_.idle_timeout);
    Lowest().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (self->phase_ != Phase::kIdle) return;
      if (ec) return self->Close();
      self->ReadHeader(self->options_.header_timeout);
    });
  }

  void ReadHeader(std::chrono::milliseconds timeout) {
    phase_ = Phase::kHeader;
    SetDeadlineIn(timeout);
    parser_.emplace();
    ConfigureParser(*parser_, {options_.max_body_bytes, options_.max_header_bytes});
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (self->phase_ == Phase::kHeader) self->OnHeader(ec, n);
    });
  }

  void OnHeader(beast::error_code ec, size_t header_bytes) {
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    // Not framed by chunked: its body would be read as the next request.
    if (!TransferEncodingAcceptable(req)) return Refuse(TransportError::kBadRequest);
    if (parser_->content_length() && *parser_->content_length() > options_.max_body_bytes)
      return Refuse(TransportError::kBodyTooLarge);
    // The header and the announced body count against the server-wide
    // budget from now until the answer (a chunked body as it arrives).
    if (!hold_.Grow(header_bytes + parser_->content_length().value_or(0))) return Refuse(TransportError::kUnavailable);
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      phase_ = Phase::kWrite;
      SetDeadlineIn(options_.body_timeout);
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (self->phase_ != Phase::kWrite) return;
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    phase_ = Phase::kBody;
    body_started_ = Clock::now();
    body_received_ = 0;
    SetDeadline(body_started_ + TransferAllowance(0));
    // Read a known-length body in as few large reads as possible.
    if (auto len = parser_->content_length(); len && *len > buffer_.size()) {
      size_t want = static_cast<size_t>(*len) + 4096;
      if (buffer_.capacity() < want) buffer_.reserve(want);
    }
    ReadSomeBody();
  }

  void ReadSomeBody() {
    if (parser_->is_done()) return OnRequest();
    bhttp::async_read_some(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (self->phase_ != Phase::kBody) return;
      if (ec) return self->OnReadError(ec);
      self->body_received_ += n;
      if (!self->parser_->content_length() && !self->hold_.Grow(n)) return self->Refuse(TransportError::kUnavailable);
      self->SetDeadline(std::max(self->deadline_, self->body_started_ + self->TransferAllowance(self->body_received_)));
      self->ReadSomeBody();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return Refuse(TransportError::kBodyTooLarge);
    if (ec == bhttp::error::header_limit) return Refuse(TransportError::kHeaderTooLarge);
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == asio::error::bad_descriptor)
      return Close();
    Refuse(TransportError::kBadRequest);  // malformed HTTP
  }

  // ---- handling
  void OnRequest() {
    phase_ = Phase::kHandler;
    ClearDeadline();  // the handler may take a while (group commit)
    auto msg = parser_->release();
    parser_.reset();
    if (buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;
    Request req = ToRequest(std::move(msg));
    if (remote_address_.empty()) {  // once per connection: a syscall and a formatting
      beast::error_code ignored;
      auto ep = Lowest().remote_endpoint(ignored);
      if (!ignored) remote_address_ = ep.address().to_string();
    }
    req.remote_address = remote_address_;
    handler_(std::move(req), [self = shared_from_this()](Response resp) {
      // Answered: the request's bytes leave the budget. No other thread
      // touches hold_ while the handler runs.
      self->hold_.Reset();
      if constexpr (!kTls) {
        if (self->SendNow(resp)) return;
      }
      Executor ex = self->Lowest().get_executor();
      asio::post(ex, [self = std::move(self), resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  // A small, complete answer on a plain socket is serialized and sent by the
  // thread that completes the request (often a group-commit thread), so the
  // client need not wait for this connection's strand to be scheduled; only
  // what follows the send (reading the next request) goes through the strand.
  // Safe because, while its handler runs, a connection has no read or write
  // in flight and nothing else touches the socket. Returns false, having
  // done nothing, for answers Write() must build.
  bool SendNow(Response& resp) {
    if (resp.stream || head_ || resp.status < 200 || resp.status == 204 || resp.status == 304 ||
        resp.body.size() > kSendNowMaxBytes)
      return false;
    for (const auto& [k, v] : resp.headers)
      if (beast::iequals(k, "Content-Length") || beast::iequals(k, "Transfer-Encoding") ||
          beast::iequals(k, "Connection"))
        return false;
    auto out = std::make_shared<std::string>(SerializeResponse(resp));
    ssize_t sent = ::send(Lowest().native_handle(), out->data(), out->size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) sent = -2;  // broken connection
    asio::post(Lowest().get_executor(), [self = shared_from_this(), out, sent]() {
      if (self->phase_ != Phase::kHandler) return;
      if (sent == -2) return self->Close();
      size_t done = sent > 0 ? static_cast<size_t>(sent) : 0;
      if (done == out->size()) return self->AfterWrite();
      self->phase_ = Phase::kWrite;
      self->SetDeadlineIn(self->TransferAllowance(out->size() - done));
      asio::async_write(self->stream_, asio::buffer(out->data() + done, out->size() - done),
                        [self, out](beast::error_code ec, size_t) {
                          if (self->phase_ != Phase::kWrite) return;
                          if (ec) return self->Close();
                          self->AfterWrite();
                        });
    });
    return true;
  }

  // The status line, the headers (the last of repeated names, as Write's
  // set() does), Content-Length and the keep-alive signal, then the body.
  std::string SerializeResponse(const Response& resp) const {
    std::string out;
    out.reserve(256 + resp.body.size());
    out += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(resp.status);
    out += ' ';
    out += bhttp::obsolete_reason(static_cast<bhttp::status>(resp.status));
    out += "\r\n";
    for (size_t i = 0; i < resp.headers.size(); ++i) {
      const auto& [k, v] = resp.headers[i];
      bool replaced = false;
      for (size_t j = i + 1; j < resp.headers.size() && !replaced; ++j)
        replaced = beast::iequals(k, resp.headers[j].first);
      if (replaced) continue;
      out.append(k).append(": ").append(v).append("\r\n");
    }
    out.append("Content-Length: ").append(std::to_string(resp.body.size())).append("\r\n");
    if (!keep_alive_) out += "Connection: close\r\n";
    else if (version_ == 10) out += "Connection: keep-alive\r\n";
    out += "\r\n";
    out += resp.body;
    return out;
  }

  void AfterWrite() {
    if (!keep_alive_) return LingerThenClose();
    WaitForRequest();
  }

  // Answers a request the transport refuses, then closes the connection.
  void Refuse(TransportError error) {
    // What was parsed (the fields are all there once the header was read,
    // even when its Content-Length was refused), else the raw bytes.
    Request head;
    if (parser_) {
      const auto& req = parser_->get();
      head.method = std::string(req.method_string());
      head.target = std::string(req.target());
      for (const auto& f : req) head.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      head_ = req.method() == bhttp::verb::head;
    }
    for (const auto& name : options_.refusal_headers) {
      if (!head.Header(name).empty()) continue;
      auto data = buffer_.data();
      std::string value = SniffHeader({static_cast<const char*>(data.data()), data.size()}, name);
      if (!value.empty()) head.headers.emplace_back(name, std::move(value));
    }
    hold_.Reset();
    beast::error_code ignored;
    Lowest().cancel(ignored);  // a read still pending ends with operation_aborted and is ignored
    keep_alive_ = false;
    Write(options_.transport_error(error, head));
  }

  // ---- writing
  void Write(Response resp) {
    if (phase_ == Phase::kClosed) {
      if (resp.stream) resp.stream->Cancel();
      return;
    }
    if (resp.stream) return WriteStreaming(std::move(resp));
    phase_ = Phase::kWrite;
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
    SetDeadlineIn(TransferAllowance(out->body().size()));
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out](beast::error_code ec, size_t) {
      if (self->phase_ != Phase::kWrite) return;
      if (ec) return self->Close();
      self->AfterWrite();
    });
  }

  // A body from a BodySource, as chunked transfer encoding: the header, then
  // one chunk per piece the source delivers. No deadline while the source
  // has nothing to say (an event stream waits for records); each write has
  // the usual allowance.
  void WriteStreaming(Response resp) {
    phase_ = Phase::kWrite;
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
    head->version(version_ ? version_ : 11);
    head->result(resp.status);
    for (auto& [k, v] : resp.headers) head->set(k, v);
    head->keep_alive(keep_alive_);
    head->chunked(true);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    std::shared_ptr<BodySource> source = std::move(resp.stream);
    SetDeadlineIn(options_.body_timeout);
    bhttp::async_write_header(stream_, *serializer,
                              [self = shared_from_this(), head, serializer, source](beast::error_code ec, size_t) {
                                if (self->phase_ != Phase::kWrite || ec) {
                                  source->Cancel();
                                  return self->Close();
                                }
                                self->PullChunk(source);
                              });
  }

  void PullChunk(const std::shared_ptr<BodySource>& source) {
    ClearDeadline();
    source->Pull([self = shared_from_this(), source](std::string bytes, bool last) {
      Executor ex = self->Lowest().get_executor();
      asio::post(ex, [self, source, bytes = std::move(bytes), last]() mutable {
        self->WriteChunk(source, std::move(bytes), last);
      });
    });
  }

  void WriteChunk(const std::shared_ptr<BodySource>& source, std::string bytes, bool last) {
    if (phase_ != Phase::kWrite) return source->Cancel();
    auto data = std::make_shared<std::string>(std::move(bytes));
    auto after = [self = shared_from_this(), source, data, last](beast::error_code ec, size_t) {
      if (self->phase_ != Phase::kWrite || ec) {
        source->Cancel();
        return self->Close();
      }
      if (!last) return self->PullChunk(source);
      auto end = std::make_shared<decltype(bhttp::make_chunk_last())>(bhttp::make_chunk_last());
      asio::async_write(self->stream_, *end, [self, end](beast::error_code ec, size_t) {
        if (self->phase_ != Phase::kWrite) return;
        if (ec) return self->Close();
        if (!self->keep_alive_) return self->LingerThenClose();
        self->WaitForRequest();
      });
    };
    SetDeadlineIn(TransferAllowance(data->size()));
    if (data->empty()) return after({}, 0);
    asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*data)), std::move(after));
  }

  // Stops sending, then reads and drops what the client still sends for a
  // short while: closing a socket with unread input resets the connection,
  // and the reset can destroy the answer before the client reads it.
  void LingerThenClose() {
    phase_ = Phase::kLinger;
    beast::error_code ignored;
    Lowest().shutdown(tcp::socket::shutdown_send, ignored);
    drain_.resize(16384);
    SetDeadlineIn(std::chrono::duration_cast<std::chrono::milliseconds>(kLingerTime));
    Drain();
  }
  void Drain() {
    Lowest().async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->phase_ != Phase::kLinger) return;
      if (ec) return self->Close();
      self->Drain();
    });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    timer_.cancel();
    Lowest().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close(ignored);
  }

  Stream stream_;
  Timer timer_;
  const ServerOptions& options_;
  const Handler& handler_;
  std::atomic<int>& active_;
  InflightBudget& budget_;
  InflightHold hold_;  // this connection's request bytes in the budget
  Phase phase_ = Phase::kIdle;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool timer_waiting_ = false;
  Clock::time_point body_started_;
  uint64_t body_received_ = 0;
  beast::flat_buffer buffer_;
  std::string remote_address_;
  std::optional<BeastRequestParser> parser_;
  std::vector<char> drain_;  // allocated only to linger
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
        // One maximal request always fits.
        budget_(std::max(options_.max_inflight_bytes, options_.max_body_bytes + options_.max_header_bytes)),
        ios_(MakeContexts(threads_)),
        io_(*ios_[0]),
        acceptor_(io_),
        tls_acceptor_(io_),
        retry_timer_(io_) {
    if (!options_.transport_error) options_.transport_error = PlainTransportError;
  }

  Result<uint16_t> Listen() {
    beast::error_code ec;
    auto addr = asio::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("bad --host '" + options_.host + "': " + ec.message());
    tcp::endpoint ep(addr, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                                 ec.message());
    if (options_.tls_port >= 0) SLUICE_RETURN_IF_ERROR(ListenTls(addr));
    Accept();
    if (tls_) AcceptTls();
    return acceptor_.local_endpoint().port();
  }

  uint16_t TlsPort() const { return tls_ ? tls_acceptor_.local_endpoint().port() : 0; }

  void Run() {
    std::vector<std::thread> extra;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep;  // until Stop()
    for (auto& io : ios_) keep.push_back(asio::make_work_guard(*io));
    for (int i = 1; i < threads_; ++i) extra.emplace_back([this, i] { ios_[i]->run(); });
    io_.run();
    for (auto& io : ios_) io->stop();  // io_ ended for another reason: end the others too
    for (auto& t : extra) t.join();
  }

  void Stop() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      tls_acceptor_.close(ignored);
      for (auto& io : ios_) io->stop();
    });
  }

 private:
  void Accept() {
    acceptor_.async_accept(NextExecutor(), [this](beast::error_code ec, Socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // e.g. EMFILE: do not spin, and do not block this io thread; try again shortly.
        retry_timer_.expires_after(std::chrono::milliseconds(50));
        retry_timer_.async_wait([this](beast::error_code wec) {
          if (!wec) Accept();
        });
        return;
      }
      if (active_.load(std::memory_order_relaxed) >= options_.max_connections) {
        RefuseOverLimit(std::move(socket));
      } else {
        at_limit_ = false;
        active_.fetch_add(1, std::memory_order_relaxed);
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session<Socket>>(std::move(socket), options_, handler_, active_, budget_)->Start();
      }
      Accept();
    });
  }

  Status ListenTls(const asio::ip::address& addr) {
    tls_.emplace(asio::ssl::context::tls_server);
    beast::error_code ec;
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec) return Status::InvalidArgument("TLS certificate " + options_.tls_cert_file + ": " + ec.message());
    tls_->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("TLS key " + options_.tls_key_file + ": " + ec.message());
    // ALPN: HTTP/2 when the client offers it, else HTTP/1.1.
    SSL_CTX_set_alpn_select_cb(
        tls_->native_handle(),
        [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
           void*) -> int {
          static const unsigned char kProtocols[] = "\x02h2\x08http/1.1";
          unsigned char* selected = nullptr;
          if (SSL_select_next_proto(&selected, outlen, kProtocols, sizeof kProtocols - 1, in, inlen) !=
              OPENSSL_NPN_NEGOTIATED)
            return SSL_TLSEXT_ERR_NOACK;
          *out = selected;
          return SSL_TLSEXT_ERR_OK;
        },
        nullptr);
    tcp::endpoint ep(addr, static_cast<uint16_t>(options_.tls_port));
    tls_acceptor_.open(ep.protocol(), ec);
    if (!ec) tls_acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) tls_acceptor_.bind(ep, ec);
    if (!ec) tls_acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Status::Unavailable("cannot listen for TLS on " + options_.host + ":" + std::to_string(options_.tls_port) +
                                 ": " + ec.message());
    return Status::Ok();
  }

  void AcceptTls() {
    tls_acceptor_.async_accept(NextExecutor(), [this](beast::error_code ec, Socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        if (active_.load(std::memory_order_relaxed) >= options_.max_connections) {
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          socket.set_option(tcp::no_delay(true), ec);
          Handshake(std::move(socket));
        }
      }
      AcceptTls();
    });
  }

  // The TLS handshake, under the header timeout; ALPN then picks the session.
  void Handshake(Socket socket) {
    active_.fetch_add(1, std::memory_order_relaxed);
    auto stream = std::make_shared<internal::TlsStream>(std::move(socket), *tls_);
    auto timer = std::make_shared<Timer>(stream->next_layer().get_executor());
    timer->expires_after(options_.header_timeout);
    timer->async_wait([stream](beast::error_code ec) {
      if (!ec) beast::get_lowest_layer(*stream).close(ec);
    });
    stream->async_handshake(asio::ssl::stream_base::server, [this, stream, timer](beast::error_code ec) {
      timer->cancel();
      if (ec) {
        active_.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
      const unsigned char* proto = nullptr;
      unsigned int len = 0;
      SSL_get0_alpn_selected(stream->native_handle(), &proto, &len);
      if (std::string_view(reinterpret_cast<const char*>(proto), proto ? len : 0) == "h2") {
        internal::StartH2Session(std::move(*stream), options_, handler_, &active_, &budget_);
        active_.fetch_sub(1, std::memory_order_relaxed);  // the HTTP/2 session holds its own unit
        return;
      }
      std::make_shared<Session<internal::TlsStream>>(std::move(*stream), options_, handler_, active_, budget_)->Start();
    });
  }

  // Beyond max_connections: a best-effort 503 (one non-blocking send into the
  // new socket's empty buffer) and close. Clients retry a 503.
  void RefuseOverLimit(Socket socket) {
    if (!at_limit_) {
      at_limit_ = true;
      std::cerr << "sluice: " << options_.max_connections
                << " connections open (--max-connections); refusing new ones until some close" << std::endl;
    }
    static constexpr std::string_view kReply =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n"
        "Connection: close\r\nRetry-After: 1\r\n\r\nToo many connections\n";
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(kReply), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  // One io_context per I/O thread, each run by its own thread (concurrency
  // hint 1): a connection lives on one of them, chosen round robin, so its
  // handlers, timers and socket events never hand work to another I/O
  // thread (with one shared io_context any completion could wake the other
  // thread, and did, for most requests). ios_[0] also runs the acceptors.
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> ios;
    ios.reserve(n);
    for (int i = 0; i < n; ++i) ios.push_back(std::make_unique<asio::io_context>(1));
    return ios;
  }
  // The strand of the next new connection. Only the accept chains call it.
  Executor NextExecutor() {
    size_t i = next_io_.fetch_add(1, std::memory_order_relaxed) % ios_.size();
    return Executor(ios_[i]->get_executor());
  }

  ServerOptions options_;
  Handler handler_;
  int threads_;
  std::atomic<int> active_{0};  // before ios_: sessions destroyed with ios_ still count down
  InflightBudget budget_;       // before ios_ too: sessions give their bytes back
  bool at_limit_ = false;       // only touched by the accept chain
  std::atomic<size_t> next_io_{0};
  // Destroyed first to last, after the acceptors: ios_[0] may still hold an
  // aborted accept whose new socket belongs to a later context.
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  asio::io_context& io_;  // *ios_[0]
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> tls_;
  tcp::acceptor tls_acceptor_;
  asio::steady_timer retry_timer_;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
Server::~Server() = default;
Result<uint16_t> Server::Listen() { return impl_->Listen(); }
uint16_t Server::TlsPort() const { return impl_->TlsPort(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace sluice::http
