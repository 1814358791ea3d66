// HTTP/2 connections (RFC 9113) for the server, on nghttp2: cleartext with
// prior knowledge (h2c, what the AWS SDK for JavaScript v3 uses for Kinesis
// on an http:// endpoint) and over TLS with ALPN "h2" (https://). Every stream is one Request handed to the same
// Handler as HTTP/1.1, so the API layers do not know which protocol carried
// it; answers may come from any thread and in any order.
//
// Limits: a request body above max_body_bytes is answered with 413 and the
// rest of it discarded; at most 128 concurrent streams per connection and 256
// header fields per request; at most two maximal bodies buffered per
// connection; the connection is closed after idle_timeout without a frame.
#pragma once

#include <atomic>
#include <string_view>

#include "http/asio_types.h"
#include "http/message.h"
#include "http/server.h"

namespace sluice::http::internal {

// Takes over `socket`, whose first bytes (`already_read`, starting with the
// connection preface) were read by the HTTP/1.1 sniffing code. `options` and
// `handler` must outlive the connection (they belong to the Server); so must
// `active`, the server's count of open connections, which this connection
// holds one unit of until it closes.
void StartH2Session(Socket socket, std::string_view already_read, const ServerOptions& options,
                    const Handler& handler, std::atomic<int>* active);
// The same over TLS, after a handshake whose ALPN chose "h2".
void StartH2Session(TlsStream stream, const ServerOptions& options, const Handler& handler,
                    std::atomic<int>* active);

}  // namespace sluice::http::internal
