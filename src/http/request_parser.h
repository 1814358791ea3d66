// The server's HTTP/1.1 request parsing, as pure functions: the limits a
// Beast request parser gets, the conversion of a parsed message into the
// transport-neutral http::Request, and ParseRequest(), which runs both on a
// byte buffer (the fuzz target fuzz/http_request_fuzz.cc and unit tests use
// it; the server reads with the same parser configuration from its socket).
#pragma once

#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace sluice::http {

using BeastRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct ParseLimits {
  uint64_t max_body_bytes = 16ull << 20;  // ServerOptions::max_body_bytes; above it: 413
  uint32_t max_header_bytes = 64 * 1024;  // request line + headers; above it: 400
};

// Applies `limits` to a freshly constructed parser.
void ConfigureParser(BeastRequestParser& parser, const ParseLimits& limits);

// RFC 9112 section 6.3: a request whose Transfer-Encoding does not end in
// `chunked` has no knowable length, and the server must answer 400 and close
// the connection (Beast would take it as body-less and parse its body as the
// next request: request smuggling). False for such a header, and for any
// coding other than a lone `chunked` (nothing else is implemented), in one
// field or spread over several, and for any Transfer-Encoding in an HTTP/1.0
// request (section 6.1: faulty framing); true without Transfer-Encoding.
bool TransferEncodingAcceptable(const BeastRequest& header);

// The message as handlers see it (the body is moved out).
Request ToRequest(BeastRequest&& message);

enum class ParseOutcome {
  kComplete,   // one whole request parsed (`request` is set)
  kNeedMore,   // the bytes end inside a request (the server would wait)
  kTooLarge,   // the body exceeds max_body_bytes (the server answers 413)
  kMalformed,  // anything else Beast rejects, or a refused Transfer-Encoding (the server answers 400)
};

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::kNeedMore;
  Request request;          // when kComplete
  bool keep_alive = false;  // when kComplete
  size_t consumed = 0;      // bytes of `bytes` that belong to this request
  std::string error;        // Beast's message when kTooLarge / kMalformed
};

// Parses the first request in `bytes`. The bytes are handed to the parser in
// pieces of at most `chunk` bytes (0 = all at once), as they would arrive
// from a socket; `end_of_stream` says the peer closed after `bytes`.
ParseResult ParseRequest(std::string_view bytes, const ParseLimits& limits, size_t chunk = 0,
                         bool end_of_stream = true);

}  // namespace sluice::http
