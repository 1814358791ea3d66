#include "dynamodb/value/attribute_value.h"

#include <algorithm>
#include <array>

namespace sluice::dynamodb {
namespace {

constexpr std::array<std::string_view, 10> kTypeNames = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"};

template <typename T, typename Less>
std::vector<T> SortedUnique(std::vector<T> v, Less less) {
  std::sort(v.begin(), v.end(), less);
  v.erase(std::unique(v.begin(), v.end(), [&](const T& a, const T& b) { return !less(a, b) && !less(b, a); }), v.end());
  return v;
}

// Unsigned byte order, as DynamoDB sorts strings and binaries.
bool BytesLess(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  });
}

}  // namespace

std::string_view TypeName(AttributeType type) { return kTypeNames[static_cast<size_t>(type)]; }

bool ParseTypeName(std::string_view name, AttributeType* type) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) {
      *type = static_cast<AttributeType>(i);
      return true;
    }
  }
  return false;
}

AttributeValue AttributeValue::String(std::string s) { return AttributeValue(Variant(StrTag{std::move(s)})); }
AttributeValue AttributeValue::Num(Number n) { return AttributeValue(Variant(NumTag{std::move(n)})); }
AttributeValue AttributeValue::Binary(std::string bytes) { return AttributeValue(Variant(BinTag{std::move(bytes)})); }
AttributeValue AttributeValue::Bool(bool b) { return AttributeValue(Variant(BoolTag{b})); }
AttributeValue AttributeValue::Null() { return AttributeValue(Variant(NullTag{})); }
AttributeValue AttributeValue::StringSet(std::vector<std::string> members) {
  return AttributeValue(Variant(SsTag{SortedUnique(std::move(members), BytesLess)}));
}
AttributeValue AttributeValue::NumberSet(std::vector<Number> members) {
  return AttributeValue(
      Variant(NsTag{SortedUnique(std::move(members), [](const Number& a, const Number& b) { return a < b; })}));
}
AttributeValue AttributeValue::BinarySet(std::vector<std::string> members) {
  return AttributeValue(Variant(BsTag{SortedUnique(std::move(members), BytesLess)}));
}
AttributeValue AttributeValue::List(AttributeList elements) {
  return AttributeValue(Variant(ListTag{std::move(elements)}));
}
AttributeValue AttributeValue::Map(Item members) { return AttributeValue(Variant(MapTag{std::move(members)})); }

bool AttributeValue::operator==(const AttributeValue& o) const {
  if (type() != o.type()) return false;
  switch (type()) {
    case AttributeType::kS: return s() == o.s();
    case AttributeType::kN: return n() == o.n();
    case AttributeType::kB: return b() == o.b();
    case AttributeType::kBool: return boolean() == o.boolean();
    case AttributeType::kNull: return true;
    case AttributeType::kSS: return ss() == o.ss();
    case AttributeType::kNS: return ns() == o.ns();
    case AttributeType::kBS: return bs() == o.bs();
    case AttributeType::kL: return l() == o.l();
    case AttributeType::kM: return m() == o.m();
  }
  return false;
}

}  // namespace sluice::dynamodb
