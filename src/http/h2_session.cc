#include "http/h2_session.h"

#include <nghttp2/nghttp2.h>

#include <boost/beast/core/stream_traits.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <string>

namespace sluice::http::internal {

namespace {

constexpr uint32_t kMaxConcurrentStreams = 128;
constexpr int32_t kStreamWindow = 16 << 20;      // per-stream receive window
constexpr int32_t kConnectionWindow = 64 << 20;  // whole-connection receive window
constexpr size_t kMaxHeadersPerRequest = 256;

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
  H2Session(Stream stream, const ServerOptions& options, const Handler& handler, std::atomic<int>* active)
      : stream_(std::move(stream)), timer_(Lowest().get_executor()), options_(options), handler_(handler),
        active_(active) {
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
    std::array<nghttp2_settings_entry, 2> settings{{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
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
    bool too_large = false;
    size_t headers = 0;
    bool head = false;  // answering a HEAD request
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
    StreamState& s = Self(user_data)->streams_[frame->hd.stream_id];
    s.request.remote_address = Self(user_data)->remote_address_;
    return 0;
  }

  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    auto it = Self(user_data)->streams_.find(frame->hd.stream_id);
    if (it == Self(user_data)->streams_.end()) return 0;
    StreamState& s = it->second;
    if (++s.headers > kMaxHeadersPerRequest) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_ENHANCE_YOUR_CALM);
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") s.request.method = v;
    else if (n == ":path") s.request.target = v;
    else if (n == ":authority") {
      // Kept as a header too: the AWS SDKs sign ":authority" instead of
      // "host" over HTTP/2, so SigV4 verification needs its value.
      s.authority = v;
      s.request.headers.emplace_back(":authority", std::string(v));
    }
    else if (!n.empty() && n[0] != ':') s.request.headers.emplace_back(std::string(n), std::string(v));
    return 0;
  }

  static int OnDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                         void* user_data) {
    H2Session* self = Self(user_data);
    auto it = self->streams_.find(stream_id);
    if (it == self->streams_.end()) return 0;
    StreamState& s = it->second;
    if (s.too_large) return 0;
    // A body above the limit, or more buffered on this connection than two
    // maximal bodies: answered with 413, the rest discarded.
    if (s.request.body.size() + len > self->options_.max_body_bytes ||
        self->buffered_ + len > 2 * self->options_.max_body_bytes) {
      s.too_large = true;
      self->buffered_ -= s.request.body.size();
      std::string().swap(s.request.body);
      return 0;
    }
    s.request.body.append(reinterpret_cast<const char*>(data), len);
    self->buffered_ += len;
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    bool request_frame = frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA;
    if (request_frame && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) Self(user_data)->Dispatch(frame->hd.stream_id);
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
    H2Session* self = Self(user_data);
    auto it = self->streams_.find(stream_id);
    if (it != self->streams_.end()) {
      if (it->second.source && !it->second.last) it->second.source->Cancel();
      self->buffered_ -= it->second.request.body.size();
      self->streams_.erase(it);
    }
    return 0;
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
    if (s.too_large) {
      Response r;
      r.status = 413;
      r.SetHeader("Content-Type", "text/plain");
      r.body = "Request entity too large\n";
      return Respond(stream_id, std::move(r));
    }
    Request req = std::move(s.request);
    buffered_ -= req.body.size();
    s.request = Request{};
    // HTTP/1.1 handlers (and SigV4) know the host as the Host header.
    if (req.Header("host").empty() && !s.authority.empty()) req.headers.emplace_back("host", s.authority);
    if (req.Header("content-length").empty()) req.headers.emplace_back("content-length", std::to_string(req.body.size()));
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
      fields.emplace_back("content-length", head && !content_length.empty() ? content_length
                                                                             : std::to_string(resp.body.size()));
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
    nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(),
                            s.response_body.empty() ? nullptr : &provider);
  }

  bool Feed(std::string_view bytes) {
    if (bytes.empty()) return true;
    ssize_t rv = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return rv >= 0;
  }

  void Read() {
    ArmTimer();
    stream_.async_read_some(asio::buffer(read_buf_), [self = shared_from_this()](boost::system::error_code ec,
                                                                                  size_t n) {
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

  void Close() {
    if (closed_) return;
    closed_ = true;
    for (auto& [id, st] : streams_)
      if (st.source && !st.last) st.source->Cancel();
    boost::system::error_code ignored;
    timer_.cancel();
    Lowest().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close(ignored);
  }

  Stream stream_;
  Timer timer_;
  const ServerOptions& options_;
  const Handler& handler_;
  std::atomic<int>* active_;
  std::string remote_address_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, StreamState> streams_;
  size_t buffered_ = 0;           // request body bytes held on this connection
  std::array<char, 64 * 1024> read_buf_{};
  std::string out_;
  bool writing_ = false;
  bool closed_ = false;
  bool close_after_write_ = false;
};

}  // namespace

void StartH2Session(Socket socket, std::string_view already_read, const ServerOptions& options,
                    const Handler& handler, std::atomic<int>* active) {
  std::make_shared<H2Session<Socket>>(std::move(socket), options, handler, active)->Start(already_read);
}

void StartH2Session(TlsStream stream, const ServerOptions& options, const Handler& handler,
                    std::atomic<int>* active) {
  std::make_shared<H2Session<TlsStream>>(std::move(stream), options, handler, active)->Start({});
}

}  // namespace sluice::http::internal
