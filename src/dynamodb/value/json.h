// AttributeValue and Item to and from DynamoDB's wire JSON
// ({"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"SS":[..]}, {"L":[..]}, {"M":{..}}).
// Parse errors carry AWS's ValidationException messages; the API layer
// answers them as ValidationException.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "dynamodb/value/attribute_value.h"
#include "sluice/status.h"

namespace sluice::dynamodb {

// One AttributeValue object. Messages: "Supplied AttributeValue is empty,
// must contain exactly one of the supported datatypes", "Supplied
// AttributeValue has more than one datatypes set, must contain exactly one of
// the supported datatypes", "One or more parameter values were invalid: An
// string set  may not be empty", duplicates, numbers (Number::Parse).
Result<AttributeValue> ParseAttributeValue(const rapidjson::Value& json);
// An object of name -> AttributeValue (Item, Key, ExpressionAttributeValues).
Result<Item> ParseItem(const rapidjson::Value& json);

// Writes `value` / `item` (an object) on `w`; numbers normalized, binaries
// base64.
void WriteAttributeValue(rapidjson::Writer<rapidjson::StringBuffer>& w, const AttributeValue& value);
void WriteItem(rapidjson::Writer<rapidjson::StringBuffer>& w, const Item& item);
// The same as DOM values allocated in `alloc`.
rapidjson::Value ToJson(const AttributeValue& value, rapidjson::Document::AllocatorType& alloc);
rapidjson::Value ToJson(const Item& item, rapidjson::Document::AllocatorType& alloc);
// Compact JSON text of an item (tests, logs).
std::string ItemToJsonText(const Item& item);

}  // namespace sluice::dynamodb
