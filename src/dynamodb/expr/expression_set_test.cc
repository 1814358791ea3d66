#include "dynamodb/expr/expression_set.h"

#include <gtest/gtest.h>

#include "dynamodb/expr/reserved_words.h"
#include "dynamodb/expr/test_support.h"

namespace sluice::dynamodb::expr {
namespace {

using testing::Error;
using testing::Valid;

TEST(ExpressionErrors, SyntaxErrorsQuoteTheTokenAndItsNeighbours) {
  EXPECT_EQ(Error(R"({"ProjectionExpression": "my-attr"})"),
            "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"my-attr\"");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = = :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\"");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a ="})"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(Error(R"({"UpdateExpression": "SET"})"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\"");
  EXPECT_EQ(Error(R"({"UpdateExpression": "PUT a = :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid UpdateExpression: Syntax error; token: \"PUT\", near: \"PUT a\"");
  EXPECT_EQ(Error(R"({"FilterExpression": "a BETWEEN :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
  EXPECT_EQ(Error(R"({"ConditionExpression": ""})"), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(Error(R"({"ProjectionExpression": "1a"})"),
            "Invalid ProjectionExpression: Syntax error; token: \"1a\", near: \"1a\"");
  EXPECT_EQ(Error(R"({"ProjectionExpression": "a, é"})"),
            "Invalid ProjectionExpression: Syntax error; token: \"é\", near: \", é\"");
}

TEST(ExpressionErrors, ReservedWordsAsNames) {
  EXPECT_EQ(Error(R"({"UpdateExpression": "SET status = :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_EQ(Error(R"({"ProjectionExpression": "a.Name"})"),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Name");
  EXPECT_TRUE(IsReservedWord("ABORT"));
  EXPECT_TRUE(IsReservedWord("zone"));
  EXPECT_TRUE(IsReservedWord("Timestamp"));
  EXPECT_FALSE(IsReservedWord("leaseKey"));
  EXPECT_FALSE(IsReservedWord("leaseCounter"));
}

TEST(ExpressionErrors, UndefinedPlaceholders) {
  EXPECT_EQ(Error(R"({"ConditionExpression": "#n = :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
            "attribute name: #n");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = :v"})"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
            "attribute value: :v");
}

TEST(ExpressionErrors, UnusedPlaceholdersAcrossAllExpressionsOfTheRequest) {
  // #a is used by the condition, :v by the update: the request is valid.
  Valid(R"j({"UpdateExpression": "SET b = :v", "ConditionExpression": "attribute_exists(#a)",
            "ExpressionAttributeNames": {"#a":"a"}, "ExpressionAttributeValues": {":v":{"N":"1"}}})j");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = :v", "ExpressionAttributeNames": {"#n":"n", "#m":"m"},
                      "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#m, #n}");
  EXPECT_EQ(
      Error(R"({"ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v":{"N":"1"}, ":w":{"N":"2"}}})"),
      "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
}

TEST(ExpressionErrors, PlaceholderMaps) {
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = b", "ExpressionAttributeNames": {}})"),
            "ExpressionAttributeNames must not be empty");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = b", "ExpressionAttributeNames": {"n":"x"}})"),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\"");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = b", "ExpressionAttributeValues": {"v":{"N":"1"}}})"),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"");
  EXPECT_EQ(
      Error(R"({"ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v":{"SS":[]}}})"),
      "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  "
      "may not be empty for key :v");
  EXPECT_EQ(Error(R"({"Key": {}, "ExpressionAttributeNames": {"#n":"n"}})"),
            "ExpressionAttributeNames can only be specified when using expressions");
}

TEST(ExpressionErrors, FunctionsAndOperands) {
  const std::string v = R"(, "ExpressionAttributeValues": {":v":{"N":"1"}}})";
  EXPECT_EQ(Error(R"j({"ConditionExpression": "foo(a)"})j"),
            "Invalid ConditionExpression: Invalid function name; function: foo");
  EXPECT_EQ(
      Error(R"j({"ConditionExpression": "size(a)"})j"),
      "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
  EXPECT_EQ(Error(R"({"ConditionExpression": "attribute_exists(a) = :v")" + v),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \") = :v\"");
  EXPECT_EQ(Error(R"j({"ConditionExpression": "begins_with(a)"})j"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: "
            "begins_with, number of operands: 1");
  EXPECT_EQ(Error(R"j({"ConditionExpression": "attribute_exists(:v)")j" + v),
            "Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
            "attribute_exists");
  EXPECT_EQ(Error(R"j({"ConditionExpression": "attribute_type(a, :v)")j" + v),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: "
            "attribute_type, operand type: N");
  EXPECT_EQ(
      Error(R"j({"ConditionExpression": "attribute_type(a, :v)", "ExpressionAttributeValues": {":v":{"S":"X"}}})j"),
      "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: "
      "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  EXPECT_EQ(Error(R"({"ConditionExpression": "a = a"})"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this "
            "operator or function; operator: =, first operand: [a]");
  EXPECT_EQ(
      Error(
          R"({"ConditionExpression": "a BETWEEN :h AND :l", "ExpressionAttributeValues": {":h":{"N":"2"}, ":l":{"N":"1"}}})"),
      "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower "
      "bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}");
  EXPECT_EQ(Error(R"j({"ConditionExpression": "((a = :v))")j" + v),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
}

TEST(ExpressionErrors, InAcceptsAtMostOneHundredOperands) {
  std::string values = "{";
  std::string list;
  for (int i = 0; i <= 100; ++i) {
    values += (i ? "," : "") + std::string("\":v") + std::to_string(i) + "\":{\"N\":\"" + std::to_string(i) + "\"}";
  }
  values += "}";
  for (int i = 0; i < 100; ++i) list += (i ? ", :v" : ":v") + std::to_string(i);
  Valid(R"j({"ConditionExpression": "a IN ()j" + list + R"j() OR a = :v100", "ExpressionAttributeValues": )j" + values +
        "}");
  EXPECT_EQ(Error(R"j({"ConditionExpression": "a IN ()j" + list + R"j(, :v100)", "ExpressionAttributeValues": )j" +
                  values + "}"),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101");
}

TEST(ExpressionErrors, SizeAndOperatorLimits) {
  std::string at_limit = "a" + std::string(4095, ' ');
  Valid(R"({"ProjectionExpression": ")" + at_limit + "\"}");
  EXPECT_EQ(
      Error(R"({"ProjectionExpression": ")" + at_limit + " \"}"),
      "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
  auto chain = [](int comparisons) {
    std::string text = "a = :v";
    for (int i = 1; i < comparisons; ++i) text += " OR a = :v";
    return R"({"FilterExpression": ")" + text + R"(", "ExpressionAttributeValues": {":v": {"N": "1"}}})";
  };
  Valid(chain(150));  // 150 comparisons + 149 ORs
  EXPECT_EQ(Error(chain(151)),
            "Invalid FilterExpression: The expression contains too many operators; operator count: 301");
}

TEST(ExpressionErrors, UpdateClausesAndPaths) {
  const std::string v = R"(, "ExpressionAttributeValues": {":v":{"N":"1"}, ":s":{"S":"x"}}})";
  EXPECT_EQ(Error(R"({"UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
  EXPECT_EQ(Error(R"({"UpdateExpression": "SET a = :v REMOVE a.b", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these "
            "paths; path one: [a], path two: [a, b]");
  EXPECT_EQ(
      Error(R"({"UpdateExpression": "SET a[1] = :v REMOVE a.b", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
      "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these "
      "paths; path one: [a, [1]], path two: [a, b]");
  EXPECT_EQ(
      Error(R"({"UpdateExpression": "ADD a :s, b :v")" + v),
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING");
  EXPECT_EQ(Error(R"({"UpdateExpression": "DELETE a :v", "ExpressionAttributeValues": {":v":{"N":"1"}}})"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand "
            "type: NUMBER");
  EXPECT_EQ(
      Error(R"({"UpdateExpression": "SET a = :s + :v")" + v),
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: +, operand type: STRING");
  EXPECT_EQ(
      Error(R"j({"UpdateExpression": "SET a = list_append(:v, b)", "ExpressionAttributeValues": {":v":{"N":"1"}}})j"),
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
      "list_append, operand type: N");
  EXPECT_EQ(Error(R"j({"UpdateExpression": "SET a = size(b)"})j"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
}

TEST(ExpressionErrors, LegacyAndExpressionParametersDoNotMix) {
  EXPECT_EQ(Error(R"({"AttributesToGet": ["a"], "ProjectionExpression": "a"})"),
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
            "{AttributesToGet} Expression parameters: {ProjectionExpression}");
  EXPECT_EQ(Error(R"({"Expected": {"a": {"Exists": false}}, "AttributeUpdates": {}, "UpdateExpression": "REMOVE a"})"),
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
            "{AttributeUpdates, Expected} Expression parameters: {UpdateExpression}");
  rapidjson::Document d;
  d.Parse(R"({"AttributeUpdates": {}, "Expected": {}, "ConditionalOperator": "AND", "UpdateExpression": "REMOVE a"})");
  EXPECT_EQ(ExpressionSet::FromRequest(d, "UpdateItem").status().message(),
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
            "{AttributeUpdates, Expected} Expression parameters: {UpdateExpression}");
  d.Parse(R"({"Key": {}, "ExpressionAttributeValues": {":v": {"S": "x"}}})");
  EXPECT_EQ(ExpressionSet::FromRequest(d, "UpdateItem").status().message(),
            "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and "
            "ConditionExpression are null");
  EXPECT_EQ(ExpressionSet::FromRequest(d, "PutItem").status().message(),
            "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null");
  d.Parse(R"({"ProjectionExpression": "a", "ExpressionAttributeValues": {":v": {"S": "x"}}})");
  EXPECT_EQ(ExpressionSet::FromRequest(d, "Scan").status().message(),
            "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null");
  // KeyConditions may go with a FilterExpression.
  ExpressionSet set =
      Valid(R"j({"KeyConditions": {"id": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S":"x"}]}},
                                 "FilterExpression": "attribute_exists(a)"})j");
  EXPECT_TRUE(set.key_condition.has_value());
  EXPECT_TRUE(set.filter.has_value());
}

TEST(ExpressionSet, AbsentFieldsStayAbsent) {
  ExpressionSet set = Valid(R"({"TableName": "t", "Key": {"id": {"S": "x"}}})");
  EXPECT_FALSE(set.condition || set.filter || set.update || set.projection || set.key_condition);
}

}  // namespace
}  // namespace sluice::dynamodb::expr
