// http::ParseRequest: the server's request parsing on byte buffers (and the
// harness of fuzz/http_request_fuzz.cc).
#include <gtest/gtest.h>

#include "http/request_parser.h"

namespace sluice::http {
namespace {

TEST(HttpRequestParser, ParsesOneRequestWithBody) {
  std::string raw = "POST /x?y=1 HTTP/1.1\r\nHost: h\r\nX-Amz-Target: K.Op\r\nContent-Length: 5\r\n\r\nhelloGET";
  ParseResult r = ParseRequest(raw, {});
  ASSERT_EQ(r.outcome, ParseOutcome::kComplete) << r.error;
  EXPECT_EQ(r.request.method, "POST");
  EXPECT_EQ(r.request.target, "/x?y=1");
  EXPECT_EQ(r.request.Header("x-amz-target"), "K.Op");
  EXPECT_EQ(r.request.body, "hello");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.consumed, raw.size() - 3);  // the next request's bytes are left
}

TEST(HttpRequestParser, SameResultWhateverThePieceSize) {
  std::string raw =
      "PUT /b/k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n";
  for (size_t chunk : {0, 1, 2, 3, 7, 64}) {
    ParseResult r = ParseRequest(raw, {}, chunk);
    ASSERT_EQ(r.outcome, ParseOutcome::kComplete) << "chunk " << chunk << ": " << r.error;
    EXPECT_EQ(r.request.body, "hello!") << "chunk " << chunk;
    EXPECT_EQ(r.consumed, raw.size()) << "chunk " << chunk;
  }
}

TEST(HttpRequestParser, BodyOverTheLimitIsTooLarge) {
  ParseLimits limits;
  limits.max_body_bytes = 4;
  ParseResult r = ParseRequest("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", limits);
  EXPECT_EQ(r.outcome, ParseOutcome::kTooLarge);
  r = ParseRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", limits, 3);
  EXPECT_EQ(r.outcome, ParseOutcome::kTooLarge);
}

TEST(HttpRequestParser, HeadersOverTheLimitAreMalformed) {
  ParseLimits limits;
  limits.max_header_bytes = 64;
  ParseResult r = ParseRequest("GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n", limits);
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
}

TEST(HttpRequestParser, TruncatedRequestNeedsMoreOrIsPartial) {
  std::string raw = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc";
  EXPECT_EQ(ParseRequest(raw, {}, 0, /*end_of_stream=*/false).outcome, ParseOutcome::kNeedMore);
  ParseResult r = ParseRequest(raw, {}, 0, /*end_of_stream=*/true);
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(ParseRequest("", {}).outcome, ParseOutcome::kNeedMore);
}

// RFC 9112 section 6.3: a request whose last transfer coding is not chunked
// cannot be framed; Beast would read it as body-less and its body as the next
// request. Only a lone `chunked` is accepted, in one field or several.
TEST(HttpRequestParser, TransferEncodingOtherThanChunkedIsMalformed) {
  for (std::string te : {"gzip", "chunked, gzip", "gzip, chunked", "chunked, chunked", "identity", "chunked;x=1", "",
                         "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked"}) {
    std::string field = te.rfind("Transfer-Encoding:", 0) == 0 ? te : "Transfer-Encoding: " + te;
    std::string raw = "POST / HTTP/1.1\r\nHost: h\r\n" + field + "\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n";
    for (size_t chunk : {0, 1, 5}) {
      ParseResult r = ParseRequest(raw, {}, chunk);
      EXPECT_EQ(r.outcome, ParseOutcome::kMalformed) << te << " chunk " << chunk;
    }
  }
  for (std::string te : {"chunked", "Chunked", " chunked "}) {
    ParseResult r = ParseRequest("POST / HTTP/1.1\r\nTransfer-Encoding:" + te + "\r\n\r\n2\r\nhi\r\n0\r\n\r\n", {});
    ASSERT_EQ(r.outcome, ParseOutcome::kComplete) << te << ": " << r.error;
    EXPECT_EQ(r.request.body, "hi");
  }
  // HTTP/1.0 has no transfer codings: the field means faulty framing.
  EXPECT_EQ(ParseRequest("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", {}).outcome,
            ParseOutcome::kMalformed);
}

TEST(HttpRequestParser, GarbageIsMalformed) {
  EXPECT_EQ(ParseRequest("\x01\x02 nonsense\r\n\r\n", {}).outcome, ParseOutcome::kMalformed);
  EXPECT_EQ(ParseRequest("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", {}).outcome, ParseOutcome::kMalformed);
}

}  // namespace
}  // namespace sluice::http
