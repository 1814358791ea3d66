// The expression grammars (AWS's precedence: comparators, IN, BETWEEN and
// functions bind tightest, then parentheses, NOT, AND, OR) into the trees of
// ast.h, with placeholders resolved. Errors are AWS's message text without
// the "Invalid <Kind>Expression: " prefix (ExpressionSet adds it).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dynamodb/expr/ast.h"
#include "dynamodb/expr/update.h"
#include "sluice/status.h"

namespace sluice::dynamodb::expr {

// The request's ExpressionAttributeNames/Values, and which of them the
// expressions parsed so far used (for the unused-placeholder check).
struct ParseContext {
  std::map<std::string, std::string> names;
  std::map<std::string, AttributeValue> values;
  std::set<std::string> used_names;
  std::set<std::string> used_values;
};

Result<ConditionNode> ParseCondition(std::string_view text, ParseContext& ctx);
Result<std::vector<UpdateAction>> ParseUpdate(std::string_view text, ParseContext& ctx);
Result<std::vector<Path>> ParseProjection(std::string_view text, ParseContext& ctx);

// "Two document paths overlap ..." / "... conflict ..." when any two of
// `paths` overlap (one is a prefix of the other) or conflict.
Status CheckPathsDisjoint(const std::vector<Path>& paths);

}  // namespace sluice::dynamodb::expr
