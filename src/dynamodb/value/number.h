// Number: DynamoDB's decimal (the N type). Up to 38 significant digits,
// magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125, or zero.
// Values are exact: parsing, comparison, addition and printing never round.
#pragma once

#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::dynamodb {

class Number {
 public:
  static constexpr int kMaxDigits = 38;

  Number() = default;  // zero

  // Parses the wire text ("-1.50", "1E+2", ".5", "0100"). Errors carry AWS's
  // ValidationException messages: "The parameter cannot be converted to a
  // numeric value[: text]", "Attempting to store more than 38 significant
  // digits in a Number", "Number overflow. ..." / "Number underflow. ...".
  static Result<Number> Parse(std::string_view text);
  // For small integers (sizes, counters in tests).
  static Number FromInt(int64_t v);

  // Exact sum / difference; overflow, underflow and more than 38 digits are
  // errors with the same messages as Parse.
  static Result<Number> Add(const Number& a, const Number& b);
  static Result<Number> Subtract(const Number& a, const Number& b);

  // Normalized as DynamoDB returns it: no exponent, no leading zeros before
  // the point, no trailing zeros after it, "0" for zero ("1.50" -> "1.5",
  // "1E+2" -> "100", "-0" -> "0").
  std::string ToString() const;

  // Numeric order: <0, 0, >0.
  int Compare(const Number& other) const;
  bool operator==(const Number& o) const { return Compare(o) == 0; }
  bool operator<(const Number& o) const { return Compare(o) < 0; }

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  // Significant digits without leading/trailing zeros ("" for zero), and the
  // exponent: value = 0.<digits> x 10^exponent.
  const std::string& digits() const { return digits_; }
  int exponent() const { return exponent_; }

  // From parts already normalized (no leading/trailing zero digits); checks
  // the range and digit count.
  static Result<Number> FromParts(bool negative, std::string digits, int exponent);

 private:
  bool negative_ = false;
  std::string digits_;
  int exponent_ = 0;
};

}  // namespace sluice::dynamodb
