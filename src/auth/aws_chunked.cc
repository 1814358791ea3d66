#include "auth/aws_chunked.h"

#include <cstdint>

#include "codec/hex.h"

namespace sluice::auth {
namespace {

// The value of "chunk-signature=" among the ';'-separated chunk extensions.
std::string_view ChunkSignature(std::string_view extensions) {
  constexpr std::string_view kKey = "chunk-signature=";
  while (!extensions.empty()) {
    size_t semi = extensions.find(';');
    std::string_view ext = extensions.substr(0, semi);
    while (!ext.empty() && ext.front() == ' ') ext.remove_prefix(1);
    if (ext.substr(0, kKey.size()) == kKey) return ext.substr(kKey.size());
    if (semi == std::string_view::npos) break;
    extensions.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

Result<std::string> DecodeAwsChunked(std::string_view body, const ChunkCallback& on_chunk) {
  std::string out;
  size_t pos = 0;
  auto bad = [](const std::string& why) { return Status::InvalidArgument("Malformed aws-chunked body: " + why); };
  while (true) {
    size_t eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) return bad("missing chunk header");
    std::string_view header = body.substr(pos, eol - pos);
    size_t semi = header.find(';');
    std::string_view hex = header.substr(0, semi);
    while (!hex.empty() && hex.back() == ' ') hex.remove_suffix(1);
    if (hex.empty() || hex.size() > 15) return bad("bad chunk size");
    uint64_t n = 0;
    for (char c : hex) {
      int v = codec::HexDigitValue(c);
      if (v < 0) return bad("bad chunk size");
      n = n * 16 + static_cast<uint64_t>(v);
    }
    std::string_view signature =
        semi == std::string_view::npos ? std::string_view() : ChunkSignature(header.substr(semi + 1));
    pos = eol + 2;
    if (n > body.size() - pos) return bad("truncated chunk");
    std::string_view data = body.substr(pos, n);
    if (on_chunk) {
      if (Status st = on_chunk(AwsChunk{data, signature}); !st.ok()) return st;
    }
    if (n == 0) break;
    out.append(data);
    pos += n;
    if (body.substr(pos, 2) != "\r\n") return bad("chunk not followed by CRLF");
    pos += 2;
  }
  // Trailers ("x-amz-checksum-crc32:...\r\n") up to an empty line or the end.
  while (pos < body.size()) {
    size_t eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) break;
    if (eol == pos) break;
    pos = eol + 2;
  }
  return out;
}

}  // namespace sluice::auth
