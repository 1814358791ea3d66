// N: byte 0 is 0x00 (negative), 0x01 (zero) or 0x02 (positive); then the
// exponent biased into 0..255 and the digits as '0'..'9', ended by 0x00. A
// negative number inverts exponent and digits and ends in 0xFF, so that a
// larger magnitude sorts first and a shorter digit string sorts after its
// extensions.
#include "dynamodb/value/key_encoding.h"

namespace sluice::dynamodb {
namespace {

constexpr int kExponentBias = 129;  // Number exponents are -129..126

std::string EncodeNumber(const Number& n) {
  std::string out;
  if (n.is_zero()) return std::string(1, '\x01');
  bool neg = n.negative();
  out.push_back(neg ? '\x00' : '\x02');
  unsigned char e = static_cast<unsigned char>(n.exponent() + kExponentBias);
  out.push_back(static_cast<char>(neg ? 255 - e : e));
  for (char d : n.digits()) out.push_back(neg ? static_cast<char>('9' - (d - '0')) : d);
  out.push_back(neg ? '\xff' : '\x00');
  return out;
}

Result<AttributeValue> DecodeNumber(std::string_view bytes) {
  auto corrupt = [] { return Status::Corruption("invalid encoded number key"); };
  if (bytes.empty()) return corrupt();
  unsigned char sign = static_cast<unsigned char>(bytes[0]);
  if (sign == 1) {
    if (bytes.size() != 1) return corrupt();
    return AttributeValue::Num(Number());
  }
  if (sign > 2 || bytes.size() < 4) return corrupt();
  bool neg = sign == 0;
  unsigned char e = static_cast<unsigned char>(bytes[1]);
  int exponent = (neg ? 255 - e : e) - kExponentBias;
  char terminator = neg ? '\xff' : '\x00';
  if (bytes.back() != terminator) return corrupt();
  std::string digits;
  for (size_t i = 2; i + 1 < bytes.size(); ++i) {
    char c = bytes[i];
    if (c < '0' || c > '9') return corrupt();
    digits.push_back(neg ? static_cast<char>('9' - (c - '0')) : c);
  }
  if (digits.front() == '0' || digits.back() == '0') return corrupt();
  auto n = Number::FromParts(neg, std::move(digits), exponent);
  if (!n.ok()) return corrupt();
  return AttributeValue::Num(std::move(n).value());
}

}  // namespace

Result<std::string> EncodeKeyValue(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS: return value.s();
    case AttributeType::kB: return value.b();
    case AttributeType::kN: return EncodeNumber(value.n());
    default: return Status::InvalidArgument("key attributes are of type S, N or B");
  }
}

Result<AttributeValue> DecodeKeyValue(AttributeType type, std::string_view bytes) {
  switch (type) {
    case AttributeType::kS: return AttributeValue::String(std::string(bytes));
    case AttributeType::kB: return AttributeValue::Binary(std::string(bytes));
    case AttributeType::kN: return DecodeNumber(bytes);
    default: return Status::Corruption("key attributes are of type S, N or B");
  }
}

uint32_t PartitionHash(const AttributeValue& value) {
  uint32_t h = 2166136261u;
  auto mix = [&](unsigned char c) {
    h ^= c;
    h *= 16777619u;
  };
  mix(static_cast<unsigned char>(value.type()));
  auto encoded = EncodeKeyValue(value);
  if (encoded.ok()) {
    for (char c : encoded.value()) mix(static_cast<unsigned char>(c));
  }
  return h;
}

}  // namespace sluice::dynamodb
