#include "http/request_parser.h"

#include <boost/asio/buffer.hpp>

#include <algorithm>

namespace sluice::http {

namespace bhttp = boost::beast::http;

void ConfigureParser(BeastRequestParser& parser, const ParseLimits& limits) {
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(limits.max_header_bytes);
}

Request ToRequest(BeastRequest&& message) {
  Request req;
  req.method = std::string(message.method_string());
  req.target = std::string(message.target());
  req.headers.reserve(16);
  for (const auto& f : message) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(message.body());
  return req;
}

ParseResult ParseRequest(std::string_view bytes, const ParseLimits& limits, size_t chunk, bool end_of_stream) {
  ParseResult result;
  BeastRequestParser parser;
  ConfigureParser(parser, limits);
  if (chunk == 0) chunk = bytes.size();
  size_t used = 0;                                 // bytes the parser consumed
  size_t arrived = std::min(chunk, bytes.size());  // bytes "read from the socket" so far
  auto fail = [&](const boost::beast::error_code& ec) {
    result.outcome = ec == bhttp::error::body_limit ? ParseOutcome::kTooLarge : ParseOutcome::kMalformed;
    result.error = ec.message();
    result.consumed = used;
    return std::move(result);
  };
  while (!parser.is_done()) {
    boost::beast::error_code ec;
    used += parser.put(boost::asio::buffer(bytes.data() + used, arrived - used), ec);
    // The server reads the header first, then the rest eagerly.
    if (parser.is_header_done()) parser.eager(true);
    if (ec && ec != bhttp::error::need_more) return fail(ec);
    if (parser.is_done()) break;
    if (!ec && used < arrived) continue;  // progress; more of what arrived to parse
    if (arrived < bytes.size()) {
      arrived = std::min(bytes.size(), arrived + chunk);
      continue;
    }
    // Every byte is in and the request is unfinished.
    if (!end_of_stream || !parser.got_some()) {
      result.consumed = used;
      return result;  // kNeedMore
    }
    parser.put_eof(ec);
    if (!ec && !parser.is_done()) ec = bhttp::error::partial_message;
    if (ec) return fail(ec);
  }
  result.outcome = ParseOutcome::kComplete;
  result.consumed = used;
  auto message = parser.release();
  result.keep_alive = message.keep_alive();
  result.request = ToRequest(std::move(message));
  return result;
}

}  // namespace sluice::http
