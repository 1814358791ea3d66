#include "dynamodb/value/attribute_value.h"

#include <gtest/gtest.h>

#include "dynamodb/value/item_size.h"
#include "dynamodb/value/json.h"

namespace sluice::dynamodb {
namespace {

Result<AttributeValue> ParseText(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  EXPECT_FALSE(d.HasParseError()) << json;
  return ParseAttributeValue(d);
}

std::string Error(const std::string& json) {
  auto v = ParseText(json);
  EXPECT_FALSE(v.ok()) << json;
  return v.ok() ? "" : v.status().message();
}

std::string RoundTrip(const std::string& json) {
  auto v = ParseText(json);
  EXPECT_TRUE(v.ok()) << json << ": " << v.status().message();
  Item item;
  if (v.ok()) item["a"] = v.value();
  std::string text = ItemToJsonText(item);
  return text.substr(5, text.size() - 6);  // strip {"a": ... }
}

TEST(AttributeValueJson, EveryTypeRoundTripsNormalized) {
  EXPECT_EQ(RoundTrip(R"({"S":"x"})"), R"({"S":"x"})");
  EXPECT_EQ(RoundTrip(R"({"N":"1.50"})"), R"({"N":"1.5"})");
  EXPECT_EQ(RoundTrip(R"({"B":"AAEC"})"), R"({"B":"AAEC"})");
  EXPECT_EQ(RoundTrip(R"({"BOOL":false})"), R"({"BOOL":false})");
  EXPECT_EQ(RoundTrip(R"({"NULL":true})"), R"({"NULL":true})");
  EXPECT_EQ(RoundTrip(R"({"SS":["b","a"]})"), R"({"SS":["a","b"]})");
  EXPECT_EQ(RoundTrip(R"({"NS":["10","9","1E0"]})"), R"({"NS":["1","9","10"]})");
  EXPECT_EQ(RoundTrip(R"({"BS":["AQ==","AA=="]})"), R"({"BS":["AA==","AQ=="]})");
  EXPECT_EQ(RoundTrip(R"({"L":[{"S":"x"},{"N":"01"}]})"), R"({"L":[{"S":"x"},{"N":"1"}]})");
  EXPECT_EQ(RoundTrip(R"({"M":{"k":{"L":[]},"j":{"M":{}}}})"), R"({"M":{"j":{"M":{}},"k":{"L":[]}}})");
}

TEST(AttributeValueJson, MalformedValuesGetAwsMessages) {
  EXPECT_EQ(Error("{}"), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(
      Error(R"({"S":"a","N":"1"})"),
      "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  EXPECT_EQ(Error(R"({"SS":[]})"), "One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(Error(R"({"NS":[]})"), "One or more parameter values were invalid: An number set  may not be empty");
  EXPECT_EQ(Error(R"({"BS":[]})"), "One or more parameter values were invalid: Binary sets should not be empty");
  EXPECT_EQ(Error(R"({"SS":["a","a"]})"),
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates.");
  EXPECT_EQ(Error(R"({"NS":["1","1.0"]})"), "Input collection contains duplicates");
  EXPECT_EQ(Error(R"({"BS":["AA==","AA=="]})"),
            "One or more parameter values were invalid: Input collection [AA==, AA==]of type BS contains duplicates.");
  EXPECT_EQ(Error(R"({"N":""})"), "The parameter cannot be converted to a numeric value");
  EXPECT_EQ(Error(R"({"N":"x1"})"), "The parameter cannot be converted to a numeric value: x1");
  EXPECT_EQ(Error(R"({"NULL":false})"),
            "One or more parameter values were invalid: Null attribute value types must have the value of true");
  EXPECT_EQ(Error(R"({"L":[{}]})"),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(Error(R"({"M":{"x":{"N":"1E+200"}}})"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

TEST(AttributeValue, SetEqualityIgnoresOrder) {
  EXPECT_EQ(AttributeValue::StringSet({"a", "b"}), AttributeValue::StringSet({"b", "a"}));
  EXPECT_EQ(AttributeValue::NumberSet({Number::FromInt(1), Number::Parse("2.0").value()}),
            AttributeValue::NumberSet({Number::FromInt(2), Number::FromInt(1)}));
  EXPECT_NE(AttributeValue::StringSet({"a"}), AttributeValue::StringSet({"a", "b"}));
  EXPECT_NE(AttributeValue::String("1"), AttributeValue::Num(Number::FromInt(1)));
  EXPECT_EQ(AttributeValue::List({AttributeValue::Null()}), AttributeValue::List({AttributeValue::Null()}));
}

TEST(ItemSize, CountsAsAwsDocuments) {
  Item item;
  item["name"] = AttributeValue::String("héllo");  // 4 + 6 bytes of UTF-8
  EXPECT_EQ(ItemSize(item), 10u);
  item.clear();
  item["b"] = AttributeValue::Bool(true);
  item["n"] = AttributeValue::Null();
  EXPECT_EQ(ItemSize(item), 4u);
  // Numbers: 1 byte + 1 per two significant digits (base-100 digits aligned
  // on the decimal point), +1 for negatives.
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::FromInt(0))), 1u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::FromInt(1))), 2u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::FromInt(12))), 2u);           // one pair: 12
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::Parse("1.2").value())), 3u);  // two: 01.20
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::FromInt(123))), 3u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::FromInt(-123))), 4u);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Num(Number::Parse("12345678901234567890123456789012345678").value())),
            20u);
  // L and M: 3 bytes + 1 per element + the elements (map keys count).
  EXPECT_EQ(AttributeValueSize(AttributeValue::List({AttributeValue::String("ab"), AttributeValue::Bool(true)})),
            3u + 3 + 2);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Map({{"k", AttributeValue::String("ab")}})), 3u + 1 + 1 + 2);
  EXPECT_EQ(AttributeValueSize(AttributeValue::StringSet({"a", "bc"})), 3u);
  item.clear();
  item["big"] = AttributeValue::String(std::string(kMaxItemSize, 'x'));
  EXPECT_GT(ItemSize(item), kMaxItemSize);
}

}  // namespace
}  // namespace sluice::dynamodb
