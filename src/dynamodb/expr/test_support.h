// Helpers for the expression tests: requests and items from JSON text.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "dynamodb/expr/expression_set.h"
#include "dynamodb/value/json.h"

namespace sluice::dynamodb::expr::testing {

inline Result<ExpressionSet> Request(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  EXPECT_FALSE(d.HasParseError()) << json;
  return ExpressionSet::FromRequest(d);
}

inline ExpressionSet Valid(const std::string& json) {
  auto set = Request(json);
  EXPECT_TRUE(set.ok()) << json << ": " << set.status().message();
  return set.ok() ? std::move(set).value() : ExpressionSet{};
}

inline std::string Error(const std::string& json) {
  auto set = Request(json);
  EXPECT_FALSE(set.ok()) << json;
  return set.ok() ? "" : set.status().message();
}

inline Item ItemOf(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  auto item = ParseItem(d);
  EXPECT_TRUE(item.ok()) << json << ": " << item.status().message();
  return item.ok() ? std::move(item).value() : Item{};
}

inline std::string Text(const Item& item) { return ItemToJsonText(item); }

}  // namespace sluice::dynamodb::expr::testing
