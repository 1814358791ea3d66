#include "dynamodb/expr/update.h"

#include <gtest/gtest.h>

#include "dynamodb/expr/test_support.h"

namespace sluice::dynamodb::expr {
namespace {

using testing::ItemOf;
using testing::Text;
using testing::Valid;

// Applies `expression` to `item_json`; returns the item's JSON or the error.
std::string Apply(const std::string& item_json, const std::string& expression, const std::string& values = "",
                  const std::string& names = "") {
  std::string request = R"({"UpdateExpression": ")" + expression + "\"";
  if (!values.empty()) request += R"(, "ExpressionAttributeValues": )" + values;
  if (!names.empty()) request += R"(, "ExpressionAttributeNames": )" + names;
  request += "}";
  ExpressionSet set = Valid(request);
  if (!set.update) return "<no update>";
  Item item = ItemOf(item_json);
  Item before = item;
  Status st = set.update->Apply(item);
  if (!st.ok()) {
    EXPECT_EQ(Text(item), Text(before)) << "a failed update leaves the item unchanged";
    return "error: " + st.message();
  }
  return Text(item);
}

TEST(Update, SetWithArithmeticAndFunctions) {
  EXPECT_EQ(Apply(R"({"a":{"N":"1"}})", "SET a = a + :x", R"({":x":{"N":"1.5"}})"), R"({"a":{"N":"2.5"}})");
  EXPECT_EQ(Apply(R"({"a":{"N":"1"}})", "SET b = a - :x", R"({":x":{"N":"3"}})"), R"({"a":{"N":"1"},"b":{"N":"-2"}})");
  EXPECT_EQ(Apply("{}", "SET c = if_not_exists(c, :z) + :one", R"({":z":{"N":"0"},":one":{"N":"1"}})"),
            R"({"c":{"N":"1"}})");
  EXPECT_EQ(Apply(R"({"c":{"N":"7"}})", "SET c = if_not_exists(c, :z)", R"({":z":{"N":"0"}})"), R"({"c":{"N":"7"}})");
  EXPECT_EQ(Apply(R"({"l":{"L":[{"N":"1"}]}})", "SET l = list_append(l, :more)", R"({":more":{"L":[{"N":"2"}]}})"),
            R"({"l":{"L":[{"N":"1"},{"N":"2"}]}})");
  EXPECT_EQ(Apply(R"({"l":{"L":[{"N":"1"}]}})", "SET l = list_append(:more, l)", R"({":more":{"L":[{"N":"0"}]}})"),
            R"({"l":{"L":[{"N":"0"},{"N":"1"}]}})");
  // Operands read the item before the update: a swap.
  EXPECT_EQ(Apply(R"({"a":{"S":"x"},"b":{"S":"y"}})", "SET a = b, b = a"), R"({"a":{"S":"y"},"b":{"S":"x"}})");
}

TEST(Update, SetNestedPathsAndListIndexes) {
  EXPECT_EQ(Apply(R"({"m":{"M":{}}})", "SET m.k = :v", R"({":v":{"S":"x"}})"), R"({"m":{"M":{"k":{"S":"x"}}}})");
  EXPECT_EQ(Apply(R"({"l":{"L":[{"N":"1"},{"N":"2"}]}})", "SET l[1] = :v", R"({":v":{"S":"x"}})"),
            R"({"l":{"L":[{"N":"1"},{"S":"x"}]}})");
  // An index past the end appends.
  EXPECT_EQ(Apply(R"({"l":{"L":[{"N":"1"}]}})", "SET l[10] = :v", R"({":v":{"S":"x"}})"),
            R"({"l":{"L":[{"N":"1"},{"S":"x"}]}})");
}

TEST(Update, RemoveAttributesAndListElements) {
  EXPECT_EQ(Apply(R"({"a":{"N":"1"},"b":{"N":"2"}})", "REMOVE a, nothing"), R"({"b":{"N":"2"}})");
  EXPECT_EQ(Apply(R"({"m":{"M":{"k":{"N":"1"},"j":{"N":"2"}}}})", "REMOVE m.k"), R"({"m":{"M":{"j":{"N":"2"}}}})");
  // Indexes name positions in the list before the update.
  EXPECT_EQ(Apply(R"({"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}})", "REMOVE l[1], l[2]"),
            R"({"l":{"L":[{"N":"0"},{"N":"3"}]}})");
  EXPECT_EQ(Apply(R"({"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]},"m":{"N":"1"},"k":{"L":[{"N":"0"},{"N":"1"}]}})",
                  "REMOVE l[0], m, k[0], l[2], k[1]"),
            R"({"k":{"L":[]},"l":{"L":[{"N":"1"}]}})");
}

TEST(Update, AddNumbersAndSets) {
  EXPECT_EQ(Apply(R"({"n":{"N":"5"}})", "ADD n :d", R"({":d":{"N":"-6"}})"), R"({"n":{"N":"-1"}})");
  EXPECT_EQ(Apply("{}", "ADD n :d", R"({":d":{"N":"3"}})"), R"({"n":{"N":"3"}})");
  EXPECT_EQ(Apply(R"({"s":{"SS":["a"]}})", "ADD s :d", R"({":d":{"SS":["b","a"]}})"), R"({"s":{"SS":["a","b"]}})");
  EXPECT_EQ(Apply(R"({"s":{"SS":["a"]}})", "ADD s :d", R"({":d":{"NS":["1"]}})"),
            "error: An operand in the update expression has an incorrect data type");
}

TEST(Update, DeleteFromSets) {
  EXPECT_EQ(Apply(R"({"s":{"SS":["a","b"]}})", "DELETE s :d", R"({":d":{"SS":["a","z"]}})"), R"({"s":{"SS":["b"]}})");
  EXPECT_EQ(Apply(R"({"s":{"NS":["1"]}})", "DELETE s :d", R"({":d":{"NS":["1.0"]}})"), "{}");
  EXPECT_EQ(Apply("{}", "DELETE s :d", R"({":d":{"NS":["1"]}})"), "{}");
  EXPECT_EQ(Apply(R"({"s":{"S":"a"}})", "DELETE s :d", R"({":d":{"SS":["a"]}})"),
            "error: An operand in the update expression has an incorrect data type");
}

TEST(Update, AllClausesTogetherInAnyOrderAndCase) {
  EXPECT_EQ(
      Apply(R"({"a":{"N":"1"},"r":{"S":"x"},"s":{"SS":["a","b"]}})", "remove r add a :one set #t = :t delete s :a",
            R"({":one":{"N":"1"},":t":{"S":"new"},":a":{"SS":["a"]}})", R"({"#t":"status"})"),
      R"({"a":{"N":"2"},"s":{"SS":["b"]},"status":{"S":"new"}})");
}

TEST(Update, ApplyErrorsHaveAwsMessages) {
  EXPECT_EQ(Apply("{}", "SET a = b + :x", R"({":x":{"N":"1"}})"),
            "error: The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(Apply(R"({"b":{"S":"x"}})", "SET a = b + :x", R"({":x":{"N":"1"}})"),
            "error: An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply(R"({"b":{"N":"1"}})", "SET a = list_append(b, :x)", R"({":x":{"L":[]}})"),
            "error: An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply("{}", "SET m.k = :x", R"({":x":{"N":"1"}})"),
            "error: The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Apply(R"({"m":{"S":"x"}})", "SET m[0] = :x", R"({":x":{"N":"1"}})"),
            "error: The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Apply(R"({"n":{"S":"x"}})", "ADD n :x", R"({":x":{"N":"1"}})"),
            "error: An operand in the update expression has an incorrect data type");
}

TEST(Update, PathsListsWhatIsWritten) {
  ExpressionSet set =
      Valid(R"({"UpdateExpression": "SET a.b = :v REMOVE c[2]", "ExpressionAttributeValues": {":v":{"N":"1"}}})");
  auto paths = set.update->Paths();
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].ToString(), "[a, b]");
  EXPECT_EQ(paths[1].ToString(), "[c, [2]]");
}

}  // namespace
}  // namespace sluice::dynamodb::expr
