// AWS event-stream framing (codec/event_stream.h): arbitrary bytes
// decoded message by message; every decoded message must encode back to the
// same bytes when all its headers were strings.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/event_stream.h"

namespace proto = sluice::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    size_t used = 0;
    auto m = proto::DecodeEventMessage(rest, &used);
    if (!m) return 0;
    if (used == 0 || used > rest.size()) std::abort();
    std::string again = proto::EncodeEventMessage(m->headers, m->payload);
    size_t used2 = 0;
    auto m2 = proto::DecodeEventMessage(again, &used2);
    if (!m2 || used2 != again.size() || m2->payload != m->payload || m2->headers != m->headers) std::abort();
    rest.remove_prefix(used);
  }
  return 0;
}
