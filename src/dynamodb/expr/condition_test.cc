#include "dynamodb/expr/condition.h"

#include <gtest/gtest.h>

#include "dynamodb/expr/test_support.h"

namespace sluice::dynamodb::expr {
namespace {

using testing::ItemOf;
using testing::Valid;

const char kItem[] = R"({
  "id": {"S": "shard-1"}, "n": {"N": "10"}, "f": {"N": "2.5"}, "s": {"S": "hello world"},
  "b": {"B": "AAEC"}, "t": {"BOOL": true}, "z": {"NULL": true},
  "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AA=="]},
  "l": {"L": [{"S": "a"}, {"N": "5"}, {"M": {"deep": {"S": "v"}}}]},
  "m": {"M": {"k": {"S": "v"}, "kid": {"M": {"x": {"N": "1"}}}}}
})";

// Evaluates `expression` with `values` (a JSON object body) against kItem.
bool Eval(const std::string& expression, const std::string& values = "", const std::string& names = "") {
  std::string request = R"({"ConditionExpression": ")" + expression + "\"";
  if (!values.empty()) request += R"(, "ExpressionAttributeValues": )" + values;
  if (!names.empty()) request += R"(, "ExpressionAttributeNames": )" + names;
  request += "}";
  ExpressionSet set = Valid(request);
  if (!set.condition) return false;
  Item item = ItemOf(kItem);
  return set.condition->Matches(&item);
}

TEST(Condition, ComparatorsOnNumbersStringsAndBinaries) {
  EXPECT_TRUE(Eval("n = :v", R"({":v":{"N":"1E1"}})"));
  EXPECT_FALSE(Eval("n <> :v", R"({":v":{"N":"10.0"}})"));
  EXPECT_TRUE(Eval("n < :v", R"({":v":{"N":"11"}})"));
  EXPECT_TRUE(Eval("n <= :v", R"({":v":{"N":"10"}})"));
  EXPECT_TRUE(Eval("n > :v", R"({":v":{"N":"9.99"}})"));
  EXPECT_FALSE(Eval("n >= :v", R"({":v":{"N":"10.01"}})"));
  EXPECT_TRUE(Eval("s > :v", R"({":v":{"S":"hello"}})"));
  EXPECT_TRUE(Eval("b < :v", R"({":v":{"B":"AAED"}})"));
  EXPECT_TRUE(Eval(":v < n", R"({":v":{"N":"-1"}})"));
  EXPECT_TRUE(Eval("f < n"));
}

TEST(Condition, DifferentTypesNeverCompareAndMissingAttributesAreFalse) {
  EXPECT_FALSE(Eval("n = :v", R"({":v":{"S":"10"}})"));
  EXPECT_FALSE(Eval("n < :v", R"({":v":{"S":"99"}})"));
  EXPECT_TRUE(Eval("n <> :v", R"({":v":{"S":"10"}})"));
  EXPECT_FALSE(Eval("absent = :v", R"({":v":{"S":"x"}})"));
  EXPECT_FALSE(Eval("absent < :v", R"({":v":{"S":"x"}})"));
  EXPECT_TRUE(Eval("absent <> :v", R"({":v":{"S":"x"}})"));
  EXPECT_FALSE(Eval("ss < :v", R"({":v":{"SS":["z"]}})"));  // sets have no order
}

TEST(Condition, SetsAndDocumentsCompareByValue) {
  EXPECT_TRUE(Eval("ss = :v", R"({":v":{"SS":["y","x"]}})"));
  EXPECT_TRUE(Eval("m.k = :v", R"({":v":{"S":"v"}})"));
  EXPECT_TRUE(Eval("m.kid = :v", R"({":v":{"M":{"x":{"N":"1.0"}}}})"));
  EXPECT_TRUE(Eval("l[1] = :v", R"({":v":{"N":"5"}})"));
  EXPECT_TRUE(Eval("l[2].deep = :v", R"({":v":{"S":"v"}})"));
  EXPECT_FALSE(Eval("l[7] = :v", R"({":v":{"N":"5"}})"));
  EXPECT_FALSE(Eval("m[0] = :v", R"({":v":{"S":"v"}})"));
}

TEST(Condition, BetweenAndIn) {
  EXPECT_TRUE(Eval("n BETWEEN :a AND :b", R"({":a":{"N":"10"},":b":{"N":"20"}})"));
  EXPECT_FALSE(Eval("n BETWEEN :a AND :b", R"({":a":{"N":"11"},":b":{"N":"20"}})"));
  EXPECT_FALSE(Eval("s BETWEEN :a AND :b", R"({":a":{"N":"1"},":b":{"N":"20"}})"));
  EXPECT_TRUE(Eval("n IN (:a, :b)", R"({":a":{"N":"1"},":b":{"N":"10"}})"));
  EXPECT_FALSE(Eval("n IN (:a)", R"({":a":{"S":"10"}})"));
  EXPECT_TRUE(Eval("s in (:a, s)", R"({":a":{"N":"1"}})"));
}

TEST(Condition, Functions) {
  EXPECT_TRUE(Eval("attribute_exists(m.kid.x)"));
  EXPECT_FALSE(Eval("attribute_exists(m.kid.y)"));
  EXPECT_TRUE(Eval("attribute_not_exists(nope)"));
  EXPECT_TRUE(Eval("attribute_exists(z)"));  // NULL is a value
  EXPECT_TRUE(Eval("attribute_type(ns, :t)", R"({":t":{"S":"NS"}})"));
  EXPECT_FALSE(Eval("attribute_type(n, :t)", R"({":t":{"S":"S"}})"));
  EXPECT_TRUE(Eval("begins_with(s, :p)", R"({":p":{"S":"hell"}})"));
  EXPECT_FALSE(Eval("begins_with(n, :p)", R"({":p":{"S":"1"}})"));
  EXPECT_TRUE(Eval("begins_with(b, :p)", R"({":p":{"B":"AA=="}})"));
  EXPECT_TRUE(Eval("contains(s, :p)", R"({":p":{"S":"o w"}})"));
  EXPECT_TRUE(Eval("contains(ss, :p)", R"({":p":{"S":"y"}})"));
  EXPECT_TRUE(Eval("contains(ns, :p)", R"({":p":{"N":"2.0"}})"));
  EXPECT_FALSE(Eval("contains(ns, :p)", R"({":p":{"S":"2"}})"));
  EXPECT_TRUE(Eval("contains(l, :p)", R"({":p":{"S":"a"}})"));
  EXPECT_TRUE(Eval("contains(bs, :p)", R"({":p":{"B":"AA=="}})"));
  EXPECT_TRUE(Eval("size(s) = :n", R"({":n":{"N":"11"}})"));
  EXPECT_TRUE(Eval("size(b) = :n", R"({":n":{"N":"3"}})"));
  EXPECT_TRUE(Eval("size(ss) = :n", R"({":n":{"N":"2"}})"));
  EXPECT_TRUE(Eval("size(l) > :n", R"({":n":{"N":"2"}})"));
  EXPECT_TRUE(Eval("size(m) = :n", R"({":n":{"N":"2"}})"));
  EXPECT_FALSE(Eval("size(n) = :n", R"({":n":{"N":"2"}})"));  // numbers have no size
  EXPECT_TRUE(Eval("size(s) > size(l)"));
}

TEST(Condition, PrecedenceIsNotThenAndThenOr) {
  const std::string v = R"({":one":{"N":"1"},":ten":{"N":"10"}})";
  // OR binds looser than AND: true OR (false AND false).
  EXPECT_TRUE(Eval("n = :ten OR n = :one AND n = :one", v));
  // (false OR true) AND false would be false; as AWS parses it it is true.
  EXPECT_TRUE(Eval("n = :one OR n = :ten AND n <> :one", v));
  EXPECT_FALSE(Eval("(n = :one OR n = :ten) AND n = :one", v));
  // NOT binds tighter than AND.
  EXPECT_TRUE(Eval("NOT n = :one AND n = :ten", v));
  EXPECT_FALSE(Eval("NOT (n = :one OR n = :ten)", v));
  EXPECT_TRUE(Eval("not not n = :ten AND n <> :one", v));
  EXPECT_TRUE(Eval("n = :ten and (n = :one or n = :ten)", v));
}

TEST(Condition, NamePlaceholdersReachReservedAndDottedNames) {
  EXPECT_TRUE(Eval("#s = :v", R"({":v":{"S":"hello world"}})", R"({"#s":"s"})"));
  EXPECT_TRUE(Eval("#m.#k = :v", R"({":v":{"S":"v"}})", R"({"#m":"m","#k":"k"})"));
  // A placeholder holding a dot names one attribute, not a path.
  EXPECT_FALSE(Eval("attribute_exists(#mk)", "", R"({"#mk":"m.k"})"));
}

TEST(Condition, NullItemMeansNoItem) {
  ExpressionSet set = Valid(R"j({"ConditionExpression": "attribute_not_exists(id)"})j");
  EXPECT_TRUE(set.condition->Matches(nullptr));
  set = Valid(R"j({"ConditionExpression": "attribute_exists(id)"})j");
  EXPECT_FALSE(set.condition->Matches(nullptr));
}

TEST(Condition, TopLevelNames) {
  ExpressionSet set =
      Valid(R"({"FilterExpression": "a.b = :v OR size(c[1]) > :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})");
  EXPECT_EQ(set.filter->TopLevelNames(), (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace sluice::dynamodb::expr
