// DynamoDB's reserved words (developer guide, "Reserved words in DynamoDB"):
// none may appear as a literal attribute name in an expression.
#pragma once

#include <string_view>

namespace sluice::dynamodb::expr {

// Case-insensitive: "status" and "STATUS" are both reserved.
bool IsReservedWord(std::string_view word);

}  // namespace sluice::dynamodb::expr
