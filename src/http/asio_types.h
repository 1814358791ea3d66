// The concrete Asio types the HTTP server's connections use (internal to
// src/http). No type-erased executors on the hot path: each connection runs
// on its own strand of the shared io_context.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>

namespace sluice::http::internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using Executor = asio::strand<asio::io_context::executor_type>;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Timer =
    asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, Executor>;
using TlsStream = asio::ssl::stream<Socket>;

// The client connection preface of HTTP/2 (RFC 9113, 3.4): a connection that
// starts with it speaks HTTP/2 with prior knowledge (h2c).
inline constexpr std::string_view kH2Preface{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24};

}  // namespace sluice::http::internal
