#include "http/request_parser.h"

#include <boost/asio/buffer.hpp>

#include <algorithm>

namespace sluice::http {

namespace bhttp = boost::beast::http;

void ConfigureParser(BeastRequestParser& parser, const ParseLimits& limits) {
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(limits.max_header_bytes);
}

bool TransferEncodingAcceptable(const BeastRequest& header) {
  size_t fields = 0, chunked = 0, others = 0;
  for (const auto& f : header) {
    if (f.name() != bhttp::field::transfer_encoding) continue;
    ++fields;
    std::string_view value(f.value().data(), f.value().size());
    size_t pos = 0;
    while (pos <= value.size()) {
      size_t comma = std::min(value.find(',', pos), value.size());
      std::string_view coding = value.substr(pos, comma - pos);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
      if (boost::beast::iequals(coding, "chunked")) ++chunked;
      else if (!coding.empty()) ++others;
      pos = comma + 1;
    }
  }
  if (fields == 0) return true;
  // RFC 9112 section 6.1: in HTTP/1.0 the field itself means faulty framing.
  return header.version() >= 11 && chunked == 1 && others == 0;
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
    // The server reads the header first (and refuses a Transfer-Encoding it
    // cannot frame), then the rest eagerly.
    if (parser.is_header_done() && !TransferEncodingAcceptable(parser.get())) {
      result.outcome = ParseOutcome::kMalformed;
      result.error = "unsupported Transfer-Encoding";
      result.consumed = used;
      return result;
    }
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
