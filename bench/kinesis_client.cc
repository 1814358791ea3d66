#include "kinesis_client.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <ctime>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/document.h>

namespace sluice::bench {
namespace {

namespace http = beast::http;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// "20260101T000000Z" for now (UTC); the SigV4 X-Amz-Date format.
std::string AmzDateNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return Hex(md, sizeof md);
}

Result<Endpoint> ParseEndpoint(std::string_view url, bool allow_non_loopback) {
  Endpoint ep;
  ep.url = std::string(url);
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("endpoint must start with http:// (TLS is not supported): " + ep.url);
  }
  std::string_view rest = url.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return Status::InvalidArgument("endpoint must have no path");
    rest = rest.substr(0, slash);
  }
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:4567
    auto close = rest.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 host");
    host = rest.substr(1, close - 1);
    if (rest.size() <= close + 2 || rest[close + 1] != ':') return Status::InvalidArgument("endpoint needs a port");
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return Status::InvalidArgument("endpoint needs a port");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  unsigned long port_num = 0;
  try {
    port_num = std::stoul(std::string(port));
  } catch (...) {
    return Status::InvalidArgument("bad port in endpoint: " + ep.url);
  }
  if (port_num == 0 || port_num > 65535) return Status::InvalidArgument("bad port: " + ep.url);
  std::string host_str = host == "localhost" ? "127.0.0.1" : std::string(host);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host_str, ec);
  if (ec) return Status::InvalidArgument("host must be an IP address or localhost: " + ep.url);
  if (!addr.is_loopback() && !allow_non_loopback) {
    return Status::InvalidArgument("refusing non-loopback endpoint " + ep.url +
                                   " (pass --allow-non-loopback to override)");
  }
  ep.tcp = asio::ip::tcp::endpoint(addr, static_cast<uint16_t>(port_num));
  ep.host_header = std::string(rest);
  return ep;
}

std::string Response::ErrorType() const {
  if (transport) return "transport: " + transport.message();
  if (status == 200) return "";
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto it = doc.FindMember("__type");
    if (it != doc.MemberEnd() && it->value.IsString()) {
      std::string type = it->value.GetString();
      // Some servers send "namespace#Type".
      if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
      return type;
    }
  }
  return "HTTP " + std::to_string(status);
}

Connection::Connection(asio::any_io_executor ex, const Endpoint& endpoint, const Credentials& creds,
                       std::chrono::milliseconds timeout)
    : stream_(ex), endpoint_(endpoint), creds_(creds), timeout_(timeout) {}

void Connection::Close() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.clear();
  open_ = false;
}

std::string Connection::Authorization(std::string_view amz_date, std::string_view payload_sha256,
                                      std::string_view service) {
  std::string_view date = amz_date.substr(0, 8);
  if (key_date_ != date || key_service_ != service) {
    std::string k = Hmac("AWS4" + creds_.secret_key, date);
    k = Hmac(k, creds_.region);
    k = Hmac(k, service);
    signing_key_ = Hmac(k, "aws4_request");
    key_date_ = std::string(date);
    key_service_ = std::string(service);
  }
  std::string scope = std::string(date) + "/" + creds_.region + "/";
  scope.append(service).append("/aws4_request");
  std::string canonical;
  canonical.reserve(256);
  canonical.append("POST\n/\n\nhost:").append(endpoint_.host_header);
  canonical.append("\nx-amz-date:").append(amz_date);
  canonical.append("\n\nhost;x-amz-date\n").append(payload_sha256);
  std::string to_sign = "AWS4-HMAC-SHA256\n";
  to_sign.append(amz_date).append("\n").append(scope).append("\n").append(Sha256Hex(canonical));
  std::string sig = Hmac(signing_key_, to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + creds_.access_key + "/" + scope +
         ", SignedHeaders=host;x-amz-date, Signature=" +
         Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

asio::awaitable<boost::system::error_code> Connection::ConnectOnly() {
  Close();
  stream_.expires_after(timeout_);
  auto [ec] = co_await stream_.async_connect(endpoint_.tcp, kTuple);
  Close();
  co_return ec;
}

asio::awaitable<Response> Connection::Call(std::string_view op, std::string_view body, std::string_view payload_sha256,
                                           const Protocol& protocol) {
  Response r;
  std::string hash_storage;
  if (payload_sha256.empty()) {
    hash_storage = Sha256Hex(body);
    payload_sha256 = hash_storage;
  }
  std::string amz_date = AmzDateNow();

  http::request<http::span_body<const char>> req{http::verb::post, "/", 11};
  req.set(http::field::host, endpoint_.host_header);
  req.set(http::field::user_agent, "sluice-bench/0.1");
  req.set(http::field::content_type, protocol.content_type);
  std::string target;
  target.reserve(protocol.target_prefix.size() + op.size());
  target.append(protocol.target_prefix).append(op);
  req.set("X-Amz-Target", target);
  req.set("X-Amz-Date", amz_date);
  req.set(http::field::authorization, Authorization(amz_date, payload_sha256, protocol.signing_name));
  req.keep_alive(true);
  req.body() = boost::span<const char>(body.data(), body.size());
  req.prepare_payload();

  // A kept-alive connection that sat idle may have been closed by the server
  // (node's default keep-alive timeout is 5 s). Such a request is retried once
  // on a fresh connection, but only when the server provably saw nothing of
  // it: the write failed, or the connection ended before any response byte.
  for (int attempt = 0;; ++attempt) {
    const bool reused = open_;
    r = co_await CallOnce(req);
    if (!r.transport || !reused || attempt > 0 || !retry_safe_) co_return r;
  }
}

asio::awaitable<Response> Connection::CallOnce(http::request<http::span_body<const char>>& req) {
  Response r;
  retry_safe_ = false;
  r.sent = Clock::now();
  if (!open_) {
    stream_.expires_after(timeout_);
    auto [ec] = co_await stream_.async_connect(endpoint_.tcp, kTuple);
    if (ec) {
      r.transport = ec;
      r.received = Clock::now();
      Close();
      co_return r;
    }
    stream_.socket().set_option(asio::ip::tcp::no_delay(true));
    open_ = true;
  }
  stream_.expires_after(timeout_);
  auto [wec, wn] = co_await http::async_write(stream_, req, kTuple);
  if (wec) {
    retry_safe_ = wec != beast::error::timeout;
    r.transport = wec;
    r.received = Clock::now();
    Close();
    co_return r;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 30);
  auto [rec, rn] = co_await http::async_read(stream_, buffer_, parser, kTuple);
  r.received = Clock::now();
  if (rec) {
    retry_safe_ = !parser.got_some() && (rec == http::error::end_of_stream || rec == asio::error::connection_reset ||
                                         rec == asio::error::eof);
    r.transport = rec;
    Close();
    co_return r;
  }
  auto res = parser.release();
  r.status = res.result_int();
  r.body = std::move(res.body());
  if (!res.keep_alive()) Close();
  co_return r;
}

}  // namespace sluice::bench
