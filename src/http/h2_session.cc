#include "http/h2_session.h"

#include <nghttp2/nghttp2.h>

#include <boost/beast/core/stream_traits.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace sluice::http::internal {

namespace {

constexpr uint32_t kMaxConcurrentStreams = 128;
constexpr int32_t kStreamWindow = 16 << 20;      // per-stream receive window
constexpr int32_t kConnectionWindow = 64 << 20;  // whole-connection receive window
constexpr size_t kMaxHeadersPerRequest = 256;
// The header blocks of a connection's streams not yet dispatched may hold this
// many times max_header_bytes together.
constexpr uint64_t kConnectionHeaderFactor = 4;
// What a decoded header field costs (RFC 9113, 6.5.2: SETTINGS_MAX_HEADER_LIST_SIZE).
constexpr size_t kHeaderFieldOverhead = 32;

using Clock = std::chrono::steady_clock;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Hop-by-hop headers HTTP/2 forbids (RFC 9113, 8.2.2).
bool IsConnectionSpecific(std::string_view lower) {
  return lower == "connection" || lower == "keep-alive" || lower == "transfer-encoding" || lower == "upgrade" ||
         lower == "proxy-connection";
}

// `Stream`: a plain socket (h2c) or a TLS stream (ALPN "h2").
template <class Stream>
class H2Session : public std::enable_shared_from_this<H2Session<Stream>> {
 public:
  H2Session(Stream stream, const ServerOptions& options, const Handler& handler, std::atomic<int>* active,
            InflightBudget* budget)
      : stream_(std::move(stream)),
        timer_(Lowest().get_executor()),
        stream_timer_(Lowest().get_executor()),
        options_(options),
        handler_(handler),
        active_(active),
        budget_(budget) {
    active_->fetch_add(1, std::memory_order_relaxed);
    boost::system::error_code ec;
    auto ep = Lowest().remote_endpoint(ec);
    if (!ec) remote_address_ = ep.address().to_string();
  }

  ~H2Session() {
    if (session_) nghttp2_session_del(session_);
    active_->fetch_sub(1, std::memory_order_relaxed);
  }

  void Start(std::string_view already_read) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cb, &OnHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &OnDataChunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &OnFrameRecv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &OnStreamClose);
    int rv = nghttp2_session_server_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    if (rv != 0) return Close();
    std::array<nghttp2_settings_entry, 3> settings{{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, options_.max_header_bytes},
    }};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    if (!Feed(already_read)) return Close();
    Flush();
    Read();
  }

 private:
  using std::enable_shared_from_this<H2Session<Stream>>::shared_from_this;
  Socket& Lowest() { return boost::beast::get_lowest_layer(stream_); }

  struct StreamState {
    Request request;
    std::string authority;
    bool too_large = false;         // body above the limits: 413 at its end
    bool header_too_large = false;  // header list above max_header_bytes: 431
    bool reset = false;             // RST_STREAM submitted: the rest is ignored
    bool dispatched = false;        // handed to the handler, or answered by the transport
    size_t headers = 0;
    uint64_t header_bytes = 0;  // decoded, in the connection's header_bytes_ until dispatched
    InflightHold hold;          // headers and body in the server's budget, until answered
    // The request must be complete by then (header, then body deadline).
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point body_started;
    uint64_t body_received = 0;
    bool head = false;          // answering a HEAD request
    std::string response_body;  // being sent
    size_t sent = 0;
    // A streamed answer (BodySource): bytes delivered and not yet framed.
    std::shared_ptr<BodySource> source;
    std::string pending;
    bool last = false;
    bool pulling = false;
  };

  static H2Session* Self(void* user_data) { return static_cast<H2Session*>(user_data); }

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    H2Session* self = Self(user_data);
    StreamState& s = self->streams_[frame->hd.stream_id];
    s.hold = InflightHold(self->budget_);
    s.request.remote_address = self->remote_address_;
    s.deadline = Clock::now() + self->options_.header_timeout;
    // No room left for another header block on this connection or server.
    if (self->header_bytes_ >= self->ConnectionHeaderBudget() || self->budget_->used() >= self->budget_->limit())
      self->ResetStream(frame->hd.stream_id, s, NGHTTP2_REFUSED_STREAM);
    return 0;
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    H2Session* self = Self(user_data);
    auto it = self->streams_.find(frame->hd.stream_id);
    if (it == self->streams_.end()) return 0;
    StreamState& s = it->second;
    if (s.reset || s.dispatched || s.header_too_large) return 0;  // the rest of the block is dropped
    if (++s.headers > kMaxHeadersPerRequest) {
      self->ResetStream(frame->hd.stream_id, s, NGHTTP2_ENHANCE_YOUR_CALM);
      return 0;
    }
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    const uint64_t cost = namelen + valuelen + kHeaderFieldOverhead;
    if (s.header_bytes + cost > self->options_.max_header_bytes) {
      self->DropHeaders(s);
      return 0;
    }
    if (self->header_bytes_ + cost > self->ConnectionHeaderBudget() || !s.hold.Grow(cost)) {
      self->ResetStream(frame->hd.stream_id, s, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    s.header_bytes += cost;
    self->header_bytes_ += cost;
    if (n == ":method") s.request.method = v;
    else if (n == ":path") s.request.target = v;
    else if (n == ":authority") {
      // Kept as a header too: the AWS SDKs sign ":authority" instead of
      // "host" over HTTP/2, so SigV4 verification needs its value.
      s.authority = v;
      s.request.headers.emplace_back(":authority", std::string(v));
    } else if (!n.empty() && n[0] != ':') s.request.headers.emplace_back(std::string(n), std::string(v));
    return 0;
  }

  static int OnDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                         void* user_data) {
    H2Session* self = Self(user_data);
    auto it = self->streams_.find(stream_id);
    if (it == self->streams_.end()) return 0;
    StreamState& s = it->second;
    if (s.too_large || s.reset || s.dispatched || s.header_too_large) return 0;
    s.body_received += len;
    s.deadline = std::max(s.deadline, s.body_started + self->TransferAllowance(s.body_received));
    // A body above the limit, or more buffered on this connection than two
    // maximal bodies: answered with 413, the rest discarded.
    if (s.request.body.size() + len > self->options_.max_body_bytes ||
        self->buffered_ + len > 2 * self->options_.max_body_bytes) {
      s.too_large = true;
      self->buffered_ -= s.request.body.size();
      s.hold.Reset();
      std::string().swap(s.request.body);
      return 0;
    }
    if (!s.hold.Grow(len)) {
      self->ResetStream(stream_id, s, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    s.request.body.append(reinterpret_cast<const char*>(data), len);
    self->buffered_ += len;
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    H2Session* self = Self(user_data);
    const bool end = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST && !end) {
      // The header block is complete: a too large one is answered at once;
      // otherwise the body's deadline starts.
      auto it = self->streams_.find(frame->hd.stream_id);
      if (it == self->streams_.end()) return 0;
      StreamState& s = it->second;
      if (s.reset) return 0;
      if (s.header_too_large) {
        self->Dispatch(frame->hd.stream_id);
        return 0;
      }
      s.body_started = Clock::now();
      s.deadline = s.body_started + self->TransferAllowance(0);
      return 0;
    }
    bool request_frame = frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA;
    if (request_frame && end) self->Dispatch(frame->hd.stream_id);
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
    H2Session* self = Self(user_data);
    auto it = self->streams_.find(stream_id);
    if (it != self->streams_.end()) {
      if (it->second.source && !it->second.last) it->second.source->Cancel();
      self->ForgetRequest(it->second);
      self->streams_.erase(it);  // gives its hold back
    }
    return 0;
  }

  uint64_t ConnectionHeaderBudget() const { return kConnectionHeaderFactor * options_.max_header_bytes; }

  // Time allowed for a body of `bytes` (as HTTP/1.1's).
  std::chrono::milliseconds TransferAllowance(uint64_t bytes) const {
    auto extra = options_.min_body_rate ? std::chrono::milliseconds(bytes * 1000 / options_.min_body_rate)
                                        : std::chrono::milliseconds(0);
    return options_.body_timeout + extra;
  }

  // Frees what a stream's request holds on this connection and in the budget.
  void ForgetRequest(StreamState& s) {
    if (!s.dispatched) header_bytes_ -= s.header_bytes;
    s.header_bytes = 0;
    buffered_ -= s.request.body.size();
    s.request = Request{};
    s.hold.Reset();
    s.deadline = Clock::time_point::max();
  }

  // Over max_header_bytes: the fields so far are freed but for what shapes
  // the 431 (method, path, ServerOptions::refusal_headers); later fields are
  // ignored.
  void DropHeaders(StreamState& s) {
    s.header_too_large = true;
    Request head;
    head.method = std::move(s.request.method);
    head.target = std::move(s.request.target);
    for (const auto& name : options_.refusal_headers) {
      if (std::string_view value = s.request.Header(name); !value.empty())
        head.headers.emplace_back(name, std::string(value));
    }
    const auto deadline = s.deadline;
    ForgetRequest(s);
    s.request = std::move(head);
    s.deadline = deadline;
  }

  // Resets a stream not yet answered; its memory is freed now, its state
  // when nghttp2 has sent the RST_STREAM (OnStreamClose).
  void ResetStream(int32_t stream_id, StreamState& s, uint32_t error_code) {
    if (s.reset) return;
    s.reset = true;
    ForgetRequest(s);
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void*) {
    StreamState* s = static_cast<StreamState*>(source->ptr);
    size_t n = std::min(length, s->response_body.size() - s->sent);
    std::copy_n(s->response_body.data() + s->sent, n, buf);
    s->sent += n;
    if (s->sent == s->response_body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  // DATA of a streamed answer: what the source delivered so far; when that is
  // used up, ask the source for more and defer until it answers.
  static ssize_t ReadStream(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags,
                            nghttp2_data_source* source, void* user_data) {
    StreamState* s = static_cast<StreamState*>(source->ptr);
    if (!s->pending.empty()) {
      size_t n = std::min(length, s->pending.size());
      std::copy_n(s->pending.data(), n, buf);
      s->pending.erase(0, n);
      return static_cast<ssize_t>(n);
    }
    if (s->last) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    Self(user_data)->PullStream(stream_id, *s);
    return NGHTTP2_ERR_DEFERRED;
  }

  void PullStream(int32_t stream_id, StreamState& s) {
    if (s.pulling) return;
    s.pulling = true;
    s.source->Pull([self = shared_from_this(), stream_id](std::string bytes, bool last) {
      Executor ex = self->Lowest().get_executor();
      asio::post(ex, [self, stream_id, bytes = std::move(bytes), last]() mutable {
        self->OnStreamData(stream_id, std::move(bytes), last);
      });
    });
  }

  void OnStreamData(int32_t stream_id, std::string bytes, bool last) {
    auto it = streams_.find(stream_id);
    if (it == streams_.end() || closed_) return;  // reset meanwhile: the source was cancelled
    StreamState& s = it->second;
    s.pending += bytes;
    s.last = last;
    s.pulling = false;
    nghttp2_session_resume_data(session_, stream_id);
    Flush();
  }

  void Dispatch(int32_t stream_id) {
    auto it = streams_.find(stream_id);
    if (it == streams_.end()) return;
    StreamState& s = it->second;
    if (s.reset || s.dispatched) return;
    if (s.too_large || s.header_too_large) {
      Request head = std::move(s.request);
      ForgetRequest(s);
      s.dispatched = true;
      // Answered before the client ended its request, maybe: the stream may
      // stay open for the usual allowance, then it is reset.
      s.deadline = Clock::now() + TransferAllowance(0);
      return Respond(stream_id,
                     options_.transport_error(
                         s.header_too_large ? TransportError::kHeaderTooLarge : TransportError::kBodyTooLarge, head));
    }
    // The handler has the request now: its bytes stay in the budget (hold)
    // until the answer, but no longer count against this connection.
    Request req = std::move(s.request);
    buffered_ -= req.body.size();
    header_bytes_ -= s.header_bytes;
    s.header_bytes = 0;
    s.dispatched = true;
    s.deadline = Clock::time_point::max();
    s.request = Request{};
    // HTTP/1.1 handlers (and SigV4) know the host as the Host header.
    if (req.Header("host").empty() && !s.authority.empty()) req.headers.emplace_back("host", s.authority);
    if (req.Header("content-length").empty())
      req.headers.emplace_back("content-length", std::to_string(req.body.size()));
    s.head = req.method == "HEAD";
    handler_(std::move(req), [self = shared_from_this(), stream_id](Response resp) {
      Executor ex = self->Lowest().get_executor();
      asio::post(ex, [self = std::move(self), stream_id, resp = std::move(resp)]() mutable {
        self->Respond(stream_id, std::move(resp));
        self->Flush();
      });
    });
  }

  void Respond(int32_t stream_id, Response resp) {
    auto it = streams_.find(stream_id);
    if (it == streams_.end() || closed_) {  // the client reset the stream
      if (resp.stream) resp.stream->Cancel();
      return;
    }
    StreamState& s = it->second;
    s.hold.Reset();
    const bool head = s.head;
    std::vector<std::pair<std::string, std::string>> fields;
    fields.emplace_back(":status", std::to_string(resp.status));
    std::string content_length;
    for (auto& [name, value] : resp.headers) {
      std::string lower = Lower(name);
      if (IsConnectionSpecific(lower)) continue;
      if (lower == "content-length") {
        content_length = value;
        continue;
      }
      fields.emplace_back(std::move(lower), std::move(value));
    }
    // HEAD announces the length a GET would send (S3 HeadObject); a streamed
    // answer has no length.
    if (!resp.stream)
      fields.emplace_back("content-length",
                          head && !content_length.empty() ? content_length : std::to_string(resp.body.size()));
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (auto& [n, v] : fields)
      nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()), n.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    nghttp2_data_provider provider{};
    provider.source.ptr = &s;
    if (resp.stream) {
      s.source = std::move(resp.stream);
      provider.read_callback = &ReadStream;
      nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(), &provider);
      return;
    }
    s.response_body = head ? std::string() : std::move(resp.body);
    s.sent = 0;
    provider.read_callback = &ReadBody;
    nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(), s.response_body.empty() ? nullptr : &provider);
  }

  bool Feed(std::string_view bytes) {
    if (bytes.empty()) return true;
    ssize_t rv = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return rv >= 0;
  }

  void Read() {
    ArmTimer();
    ArmStreamTimer();
    stream_.async_read_some(asio::buffer(read_buf_),
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              if (ec || self->closed_) return self->Close();
                              if (!self->Feed(std::string_view(self->read_buf_.data(), n))) {
                                self->Flush();  // e.g. a GOAWAY nghttp2 queued for a protocol error
                                return self->CloseAfterWrite();
                              }
                              self->Flush();
                              self->Read();
                            });
  }

  // Writes whatever nghttp2 has queued; one write in flight at a time.
  void Flush() {
    if (writing_ || closed_) return;
    out_.clear();
    for (;;) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return Close();
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
      if (out_.size() >= (1u << 20)) break;  // bounded; the rest after this write
    }
    if (out_.empty()) {
      if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) Close();
      return;
    }
    writing_ = true;
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) return self->Close();
      if (self->close_after_write_) return self->Close();
      self->Flush();
    });
  }

  void CloseAfterWrite() {
    close_after_write_ = true;
    if (!writing_) Close();
  }

  void ArmTimer() {
    timer_.expires_after(options_.idle_timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Close();
    });
  }

  // Wakes at the earliest stream deadline (each read calls it again).
  void ArmStreamTimer() {
    Clock::time_point next = Clock::time_point::max();
    for (const auto& [id, st] : streams_) next = std::min(next, st.deadline);
    if (next == Clock::time_point::max() || closed_) return;
    if (stream_timer_waiting_ && next >= stream_timer_.expiry()) return;
    stream_timer_.expires_at(next);  // a pending wait ends with operation_aborted
    stream_timer_waiting_ = true;
    stream_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      self->stream_timer_waiting_ = false;
      self->OnStreamDeadline();
    });
  }

  // Resets the streams whose request is late, freeing what they hold.
  void OnStreamDeadline() {
    if (closed_) return;
    const auto now = Clock::now();
    for (auto& [id, st] : streams_)
      if (st.deadline <= now) ResetStream(id, st, NGHTTP2_CANCEL);
    Flush();
    ArmStreamTimer();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    for (auto& [id, st] : streams_)
      if (st.source && !st.last) st.source->Cancel();
    // Requests still with the handler find no stream when answered; every
    // stream's bytes go back to the budget now.
    streams_.clear();
    header_bytes_ = 0;
    buffered_ = 0;
    boost::system::error_code ignored;
    timer_.cancel();
    stream_timer_.cancel();
    Lowest().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close(ignored);
  }

  Stream stream_;
  Timer timer_;
  Timer stream_timer_;  // the earliest stream deadline
  bool stream_timer_waiting_ = false;
  const ServerOptions& options_;
  const Handler& handler_;
  std::atomic<int>* active_;
  InflightBudget* budget_;
  std::string remote_address_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, StreamState> streams_;
  size_t buffered_ = 0;        // request body bytes held on this connection
  uint64_t header_bytes_ = 0;  // decoded header bytes of streams not yet dispatched
  std::array<char, 64 * 1024> read_buf_{};
  std::string out_;
  bool writing_ = false;
  bool closed_ = false;
  bool close_after_write_ = false;
};

}  // namespace

void StartH2Session(Socket socket, std::string_view already_read, const ServerOptions& options, const Handler& handler,
                    std::atomic<int>* active, InflightBudget* budget) {
  std::make_shared<H2Session<Socket>>(std::move(socket), options, handler, active, budget)->Start(already_read);
}

void StartH2Session(TlsStream stream, const ServerOptions& options, const Handler& handler, std::atomic<int>* active,
                    InflightBudget* budget) {
  std::make_shared<H2Session<TlsStream>>(std::move(stream), options, handler, active, budget)->Start({});
}

}  // namespace sluice::http::internal
