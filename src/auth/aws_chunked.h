// The aws-chunked body encoding S3 clients use for streaming uploads:
//   <hex size>[;chunk-signature=<64 hex>]\r\n<data>\r\n ... 0[;...]\r\n
//   [<trailer>:<value>\r\n ...]\r\n
// (docs/auth.md). The decoder hands every chunk, the final empty one
// included, to an optional callback, which is how the verifier checks the
// chain of chunk signatures.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::auth {

struct AwsChunk {
  std::string_view data;
  std::string_view signature;  // the chunk-signature extension, "" when absent
};

// A non-ok Status from the callback stops decoding and is returned.
using ChunkCallback = std::function<Status(const AwsChunk&)>;

// The decoded payload; InvalidArgument "Malformed aws-chunked body: ..." on
// broken framing. Trailers are skipped.
Result<std::string> DecodeAwsChunked(std::string_view body, const ChunkCallback& on_chunk = {});

}  // namespace sluice::auth
