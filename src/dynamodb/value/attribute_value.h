// AttributeValue: one DynamoDB value (S, N, B, BOOL, NULL, SS, NS, BS, L, M),
// and Item, an item's attributes by name. Sets are kept sorted (strings and
// binaries by unsigned bytes, numbers numerically) and without duplicates,
// so equality of sets is order-insensitive and plain.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dynamodb/value/number.h"

namespace sluice::dynamodb {

enum class AttributeType { kS, kN, kB, kBool, kNull, kSS, kNS, kBS, kL, kM };

// "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M".
std::string_view TypeName(AttributeType type);
// The inverse; false when `name` is no type descriptor.
bool ParseTypeName(std::string_view name, AttributeType* type);

class AttributeValue;
using Item = std::map<std::string, AttributeValue>;
using AttributeList = std::vector<AttributeValue>;

class AttributeValue {
 public:
  AttributeValue() : v_(NullTag{}) {}  // NULL

  static AttributeValue String(std::string s);
  static AttributeValue Num(Number n);
  static AttributeValue Binary(std::string bytes);
  static AttributeValue Bool(bool b);
  static AttributeValue Null();
  // Sets: sorted and deduplicated here; the caller checks non-emptiness.
  static AttributeValue StringSet(std::vector<std::string> members);
  static AttributeValue NumberSet(std::vector<Number> members);
  static AttributeValue BinarySet(std::vector<std::string> members);
  static AttributeValue List(AttributeList elements);
  static AttributeValue Map(Item members);

  AttributeType type() const { return static_cast<AttributeType>(v_.index()); }
  bool is(AttributeType t) const { return type() == t; }

  // Accessors: valid only for the matching type (checked by std::get).
  const std::string& s() const { return std::get<StrTag>(v_).v; }
  const Number& n() const { return std::get<NumTag>(v_).v; }
  const std::string& b() const { return std::get<BinTag>(v_).v; }
  bool boolean() const { return std::get<BoolTag>(v_).v; }
  const std::vector<std::string>& ss() const { return std::get<SsTag>(v_).v; }
  const std::vector<Number>& ns() const { return std::get<NsTag>(v_).v; }
  const std::vector<std::string>& bs() const { return std::get<BsTag>(v_).v; }
  const AttributeList& l() const { return std::get<ListTag>(v_).v; }
  AttributeList& l() { return std::get<ListTag>(v_).v; }
  const Item& m() const { return std::get<MapTag>(v_).v; }
  Item& m() { return std::get<MapTag>(v_).v; }

  bool operator==(const AttributeValue& o) const;
  bool operator!=(const AttributeValue& o) const { return !(*this == o); }

 private:
  struct StrTag {
    std::string v;
  };
  struct NumTag {
    Number v;
  };
  struct BinTag {
    std::string v;
  };
  struct BoolTag {
    bool v;
  };
  struct NullTag {};
  struct SsTag {
    std::vector<std::string> v;
  };
  struct NsTag {
    std::vector<Number> v;
  };
  struct BsTag {
    std::vector<std::string> v;
  };
  struct ListTag {
    AttributeList v;
  };
  struct MapTag {
    Item v;
  };
  // Alternative order = AttributeType order.
  using Variant = std::variant<StrTag, NumTag, BinTag, BoolTag, NullTag, SsTag, NsTag, BsTag, ListTag, MapTag>;
  explicit AttributeValue(Variant v) : v_(std::move(v)) {}
  Variant v_;
};

}  // namespace sluice::dynamodb
