// The server's HTTP/1.1 request parsing (http/request_parser.h): Beast's
// parser with the server's limits, fed in socket-sized pieces, then every
// pipelined request that follows on the same connection.
//
// Input: byte 0 = how the bytes arrive (piece size; 0 = all at once),
// byte 1 bit 0 = tiny limits (64-byte bodies, 256-byte headers) so the 413
// and header-limit paths are reachable with short inputs; the rest is what a
// client sent on one connection. Besides the sanitizers it checks that the
// outcome does not depend on how the bytes were split (except for the
// header limit, see below).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/request_parser.h"

using sluice::http::ParseLimits;
using sluice::http::ParseOutcome;
using sluice::http::ParseRequest;
using sluice::http::ParseResult;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t chunk = data[0];
  ParseLimits limits;
  if (data[1] & 1) {
    limits.max_body_bytes = 64;
    limits.max_header_bytes = 256;
  }
  std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);

  for (int n = 0; n < 8 && !bytes.empty(); ++n) {  // keep-alive: request after request
    ParseResult piecewise = ParseRequest(bytes, limits, chunk);
    ParseResult whole = ParseRequest(bytes, limits);
    // Beast applies header_limit to the request line and to the fields
    // separately when they arrive in one piece (up to about twice the limit
    // then), so only that error may depend on the split.
    static const std::string kHeaderLimit =
        boost::beast::http::make_error_code(boost::beast::http::error::header_limit).message();
    if (piecewise.error == kHeaderLimit || whole.error == kHeaderLimit) break;
    // Refused is refused: Beast may see a body-limit or a syntax error first
    // depending on where a piece ends (e.g. inside a long chunk-size line),
    // so 413 and 400 count as the same outcome.
    auto refused = [](ParseOutcome o) { return o == ParseOutcome::kTooLarge || o == ParseOutcome::kMalformed; };
    bool same =
        (piecewise.outcome == whole.outcome || (refused(piecewise.outcome) && refused(whole.outcome))) &&
        (whole.outcome != ParseOutcome::kComplete ||
         (piecewise.consumed == whole.consumed && piecewise.request.body == whole.request.body &&
          piecewise.request.target == whole.request.target && piecewise.request.headers == whole.request.headers));
    if (!same) {
      std::fprintf(stderr, "outcome depends on the split: %d/%zu vs %d/%zu\n", static_cast<int>(piecewise.outcome),
                   piecewise.consumed, static_cast<int>(whole.outcome), whole.consumed);
      std::abort();
    }
    if (whole.outcome != ParseOutcome::kComplete) break;
    if (whole.consumed == 0 || whole.consumed > bytes.size()) std::abort();
    if (whole.request.body.size() > limits.max_body_bytes) std::abort();
    // What handlers do first with every request.
    (void)whole.request.Header("X-Amz-Target");
    (void)whole.request.Header("Content-Type");
    if (!whole.keep_alive) break;
    bytes.remove_prefix(whole.consumed);
  }
  return 0;
}
