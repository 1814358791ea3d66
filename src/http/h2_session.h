// HTTP/2 connections (RFC 9113) for the server, on nghttp2: cleartext with
// prior knowledge (h2c, what the AWS SDK for JavaScript v3 uses for Kinesis
// on an http:// endpoint) and over TLS with ALPN "h2" (https://). Every stream is one Request handed to the same
// Handler as HTTP/1.1, so the API layers do not know which protocol carried
// it; answers may come from any thread and in any order.
//
// Limits, per connection: at most 128 concurrent streams; a request body
// above max_body_bytes is answered with 413 and the rest of it discarded; at
// most two maximal bodies buffered; closed after idle_timeout without a
// frame. Per stream, with the HTTP/1.1 options:
//  * decoded header fields count name + value + 32 bytes each (as
//    SETTINGS_MAX_HEADER_LIST_SIZE, which is advertised as max_header_bytes):
//    a request above max_header_bytes is answered 431 when its header block
//    ends and the rest of its fields are dropped; at most 256 fields
//    (beyond: RST_STREAM ENHANCE_YOUR_CALM);
//  * the header blocks of the streams not yet handed to the handler may hold
//    4 x max_header_bytes per connection together; a stream beyond that, or
//    beyond the server's InflightBudget (headers and bodies until answered),
//    is refused with RST_STREAM REFUSED_STREAM and its memory freed;
//  * a request's header block must arrive within header_timeout of its
//    start, and its body within body_timeout plus one second per
//    min_body_rate bytes; otherwise the stream is reset (CANCEL).
#pragma once

#include <atomic>
#include <string_view>

#include "http/asio_types.h"
#include "http/inflight_budget.h"
#include "http/message.h"
#include "http/server.h"

namespace sluice::http::internal {

// Takes over `socket`, whose first bytes (`already_read`, starting with the
// connection preface) were read by the HTTP/1.1 sniffing code. `options` and
// `handler` must outlive the connection (they belong to the Server); so must
// `active`, the server's count of open connections, which this connection
// holds one unit of until it closes, and `budget`, the server's request bytes.
void StartH2Session(Socket socket, std::string_view already_read, const ServerOptions& options, const Handler& handler,
                    std::atomic<int>* active, InflightBudget* budget);
// The same over TLS, after a handshake whose ALPN chose "h2".
void StartH2Session(TlsStream stream, const ServerOptions& options, const Handler& handler, std::atomic<int>* active,
                    InflightBudget* budget);

}  // namespace sluice::http::internal
