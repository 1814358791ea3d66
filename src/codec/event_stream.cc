#include "codec/event_stream.h"

#include <cstdint>

#include "base/crc32.h"

namespace sluice::codec {

namespace {

constexpr size_t kPreludeBytes = 12;
constexpr size_t kCrcBytes = 4;
constexpr uint8_t kStringType = 7;

void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

uint32_t GetU32(std::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) | (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(b[at + 3])};
}

// Bytes a header value of `type` takes after the type byte, or SIZE_MAX.
size_t ValueSize(uint8_t type, std::string_view rest) {
  switch (type) {
    case 0:
    case 1: return 0;  // bool true / false
    case 2: return 1;  // byte
    case 3: return 2;  // short
    case 4: return 4;  // int
    case 5:
    case 8: return 8;   // long, timestamp
    case 9: return 16;  // uuid
    case 6:
    case 7:  // bytes, string: u16 length
      if (rest.size() < 2) return SIZE_MAX;
      return 2 + ((static_cast<size_t>(static_cast<uint8_t>(rest[0])) << 8) | static_cast<uint8_t>(rest[1]));
    default: return SIZE_MAX;
  }
}

}  // namespace

std::string EncodeEventMessage(const EventHeaders& headers, std::string_view payload) {
  std::string h;
  for (const auto& [name, value] : headers) {
    h.push_back(static_cast<char>(name.size()));
    h += name;
    h.push_back(static_cast<char>(kStringType));
    h.push_back(static_cast<char>((value.size() >> 8) & 0xFF));
    h.push_back(static_cast<char>(value.size() & 0xFF));
    h += value;
  }
  std::string out;
  out.reserve(kPreludeBytes + h.size() + payload.size() + kCrcBytes);
  PutU32(out, static_cast<uint32_t>(kPreludeBytes + h.size() + payload.size() + kCrcBytes));
  PutU32(out, static_cast<uint32_t>(h.size()));
  PutU32(out, Crc32(out));
  out += h;
  out += payload;
  PutU32(out, Crc32(out));
  return out;
}

std::string EncodeEvent(std::string_view event_type, std::string_view json_payload) {
  return EncodeEventMessage(
      {{":event-type", std::string(event_type)}, {":content-type", "application/json"}, {":message-type", "event"}},
      json_payload);
}

std::string EncodeEventException(std::string_view exception_type, std::string_view message) {
  std::string payload = "{\"message\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') payload.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) payload.push_back(c);
  }
  payload += "\"}";
  return EncodeEventMessage({{":exception-type", std::string(exception_type)},
                             {":content-type", "application/json"},
                             {":message-type", "exception"}},
                            payload);
}

std::string_view EventMessage::Header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

std::optional<EventMessage> DecodeEventMessage(std::string_view bytes, size_t* consumed) {
  *consumed = 0;
  if (bytes.size() < kPreludeBytes) return std::nullopt;
  uint32_t total = GetU32(bytes, 0), header_len = GetU32(bytes, 4);
  auto invalid = [&] {
    *consumed = SIZE_MAX;
    return std::nullopt;
  };
  if (GetU32(bytes, 8) != Crc32(bytes.substr(0, 8))) return invalid();
  if (total < kPreludeBytes + kCrcBytes || header_len > total - kPreludeBytes - kCrcBytes) return invalid();
  if (bytes.size() < total) return std::nullopt;
  if (GetU32(bytes, total - kCrcBytes) != Crc32(bytes.substr(0, total - kCrcBytes))) return invalid();
  EventMessage m;
  std::string_view h = bytes.substr(kPreludeBytes, header_len);
  while (!h.empty()) {
    size_t name_len = static_cast<uint8_t>(h[0]);
    if (h.size() < 2 + name_len) return invalid();
    std::string name(h.substr(1, name_len));
    uint8_t type = static_cast<uint8_t>(h[1 + name_len]);
    h.remove_prefix(2 + name_len);
    size_t size = ValueSize(type, h);
    if (size == SIZE_MAX || size > h.size()) return invalid();
    if (type == kStringType) m.headers.emplace_back(std::move(name), std::string(h.substr(2, size - 2)));
    h.remove_prefix(size);
  }
  m.payload = std::string(bytes.substr(kPreludeBytes + header_len, total - kPreludeBytes - header_len - kCrcBytes));
  *consumed = total;
  return m;
}

}  // namespace sluice::codec
