// AWS event-stream messages (`application/vnd.amazon.eventstream`), the
// framing of SubscribeToShard's answer:
//
//   total length (u32 BE) | headers length (u32 BE) | prelude CRC-32 (u32 BE)
//   headers: name length (u8) name, value type (u8; 7 = string),
//            value length (u16 BE), value
//   payload
//   message CRC-32 (u32 BE, of everything before it)
//
// CRC-32 is zlib's (IEEE). Only string-valued headers are written; the
// decoder (for tests and clients) skips values of the other types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::codec {

inline constexpr std::string_view kEventStreamContentType = "application/vnd.amazon.eventstream";

using EventHeaders = std::vector<std::pair<std::string, std::string>>;

std::string EncodeEventMessage(const EventHeaders& headers, std::string_view payload);

// An event (`:message-type` event) with a JSON payload.
std::string EncodeEvent(std::string_view event_type, std::string_view json_payload);
// An exception (`:message-type` exception) with AWS's {"message": ...} payload.
std::string EncodeEventException(std::string_view exception_type, std::string_view message);

struct EventMessage {
  EventHeaders headers;  // string-valued ones
  std::string payload;
  std::string_view Header(std::string_view name) const;
};

// Decodes the message at the start of `bytes`; sets *consumed. nullopt when
// the bytes are incomplete (*consumed = 0) or invalid (CRC, lengths;
// *consumed = SIZE_MAX).
std::optional<EventMessage> DecodeEventMessage(std::string_view bytes, size_t* consumed);

}  // namespace sluice::codec
