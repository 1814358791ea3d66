#include "dynamodb/value/item_size.h"

namespace sluice::dynamodb {
namespace {

// DynamoDB stores numbers in base 100: digit pairs aligned on the decimal
// point, plus a byte of sign and exponent (and one more for negatives).
size_t NumberSize(const Number& n) {
  if (n.is_zero()) return 1;
  size_t digits = n.digits().size();
  int sci_exponent = n.exponent() - 1;  // d.ddd x 10^e
  size_t pairs = (digits + 1) / 2 + ((digits % 2 == 0 && sci_exponent % 2 == 0) ? 1 : 0);
  return 1 + pairs + (n.negative() ? 1 : 0);
}

}  // namespace

size_t AttributeValueSize(const AttributeValue& v) {
  size_t size = 0;
  switch (v.type()) {
    case AttributeType::kS: return v.s().size();
    case AttributeType::kB: return v.b().size();
    case AttributeType::kN: return NumberSize(v.n());
    case AttributeType::kBool:
    case AttributeType::kNull: return 1;
    case AttributeType::kSS:
      for (const auto& s : v.ss()) size += s.size();
      return size;
    case AttributeType::kBS:
      for (const auto& b : v.bs()) size += b.size();
      return size;
    case AttributeType::kNS:
      for (const auto& n : v.ns()) size += NumberSize(n);
      return size;
    case AttributeType::kL:
      size = 3;
      for (const auto& e : v.l()) size += 1 + AttributeValueSize(e);
      return size;
    case AttributeType::kM: return 3 + v.m().size() + ItemSize(v.m());
  }
  return size;
}

size_t ItemSize(const Item& item) {
  size_t size = 0;
  for (const auto& [name, value] : item) size += name.size() + AttributeValueSize(value);
  return size;
}

}  // namespace sluice::dynamodb
