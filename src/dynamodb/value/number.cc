// Numbers are kept as sign, significant digits and exponent (0.d1d2.. x
// 10^e), so every operation is exact decimal arithmetic on digit strings.
#include "dynamodb/value/number.h"

#include <algorithm>

namespace sluice::dynamodb {
namespace {

// Exponent bounds in the 0.ddd x 10^e form: 1E-130 = 0.1E-129 and
// 9.99..E+125 = 0.999..E+126.
constexpr int kMinExponent = -129;
constexpr int kMaxExponent = 126;

const char kNotNumeric[] = "The parameter cannot be converted to a numeric value";
const char kOverflow[] = "Number overflow. Attempting to store a number with magnitude larger than supported range";
const char kUnderflow[] = "Number underflow. Attempting to store a number with magnitude smaller than supported range";
const char kTooManyDigits[] = "Attempting to store more than 38 significant digits in a Number";

// Non-negative integers as decimal digit strings, most significant first,
// same length (callers pad).
std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out(a.size() + 1, '0');
  int carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') + (b[b.size() - 1 - i] - '0') + carry;
    out[out.size() - 1 - i] = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}

// a - b with a >= b, same length.
std::string SubtractDigits(const std::string& a, const std::string& b) {
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - (b[b.size() - 1 - i] - '0') - borrow;
    borrow = d < 0;
    if (d < 0) d += 10;
    out[out.size() - 1 - i] = static_cast<char>('0' + d);
  }
  return out;
}

// Compares magnitudes in the normalized form.
int CompareMagnitude(const std::string& da, int ea, const std::string& db, int eb) {
  if (da.empty() || db.empty()) return da.empty() ? (db.empty() ? 0 : -1) : 1;
  if (ea != eb) return ea < eb ? -1 : 1;
  int c = da.compare(db);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

Result<Number> Number::FromParts(bool negative, std::string digits, int exponent) {
  // Strip leading zeros (each lowers the exponent) and trailing zeros.
  size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) return Number();
  exponent -= static_cast<int>(lead);
  digits.erase(0, lead);
  digits.erase(digits.find_last_not_of('0') + 1);
  if (exponent > kMaxExponent) return Status::InvalidArgument(kOverflow);
  if (exponent < kMinExponent) return Status::InvalidArgument(kUnderflow);
  if (digits.size() > kMaxDigits) return Status::InvalidArgument(kTooManyDigits);
  Number n;
  n.negative_ = negative;
  n.digits_ = std::move(digits);
  n.exponent_ = exponent;
  return n;
}

Result<Number> Number::Parse(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument(kNotNumeric);
  auto invalid = [&] { return Status::InvalidArgument(std::string(kNotNumeric) + ": " + std::string(text)); };
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
  std::string digits;
  int point = -1;  // digits before the decimal point
  bool any_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      any_digit = true;
    } else if (c == '.' && point < 0) {
      point = static_cast<int>(digits.size());
    } else {
      break;
    }
  }
  if (!any_digit) return invalid();
  if (point < 0) point = static_cast<int>(digits.size());
  long long exp10 = 0;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return invalid();
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return invalid();
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return invalid();
      if (exp10 < 1000000000) exp10 = exp10 * 10 + (text[i] - '0');
    }
    if (exp_negative) exp10 = -exp10;
  }
  // A digit string this long is far beyond any bound; avoid int overflow.
  if (digits.size() > 100000) return invalid();
  long long exponent = point + exp10;
  size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) return Number();
  // Range checks before narrowing to int.
  long long normalized = exponent - static_cast<long long>(lead);
  if (normalized > kMaxExponent) return Status::InvalidArgument(kOverflow);
  if (normalized < kMinExponent) return Status::InvalidArgument(kUnderflow);
  return FromParts(negative, std::move(digits), static_cast<int>(exponent));
}

Number Number::FromInt(int64_t v) {
  bool negative = v < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string digits = std::to_string(magnitude);
  int exponent = static_cast<int>(digits.size());
  return FromParts(negative, std::move(digits), exponent).value();
}

Result<Number> Number::Add(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  // Align both to the scale of the lowest digit: value = int x 10^low.
  int low_a = a.exponent_ - static_cast<int>(a.digits_.size());
  int low_b = b.exponent_ - static_cast<int>(b.digits_.size());
  int low = std::min(low_a, low_b);
  int high = std::max(a.exponent_, b.exponent_);
  size_t width = static_cast<size_t>(high - low);
  auto widen = [&](const Number& n) {
    std::string s(static_cast<size_t>(high - n.exponent_), '0');
    s += n.digits_;
    s.append(width - s.size(), '0');
    return s;
  };
  std::string wa = widen(a), wb = widen(b);
  if (a.negative_ == b.negative_) return FromParts(a.negative_, AddDigits(wa, wb), high + 1);
  int c = CompareMagnitude(a.digits_, a.exponent_, b.digits_, b.exponent_);
  if (c == 0) return Number();
  if (c > 0) return FromParts(a.negative_, SubtractDigits(wa, wb), high);
  return FromParts(b.negative_, SubtractDigits(wb, wa), high);
}

Result<Number> Number::Subtract(const Number& a, const Number& b) {
  Number negated = b;
  if (!negated.is_zero()) negated.negative_ = !negated.negative_;
  return Add(a, negated);
}

std::string Number::ToString() const {
  if (is_zero()) return "0";
  std::string out = negative_ ? "-" : "";
  int n = static_cast<int>(digits_.size());
  if (exponent_ <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_), '0');
    out += digits_;
  } else if (exponent_ >= n) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - n), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out += '.';
    out.append(digits_, static_cast<size_t>(exponent_), std::string::npos);
  }
  return out;
}

int Number::Compare(const Number& other) const {
  bool neg_a = negative_ && !is_zero(), neg_b = other.negative_ && !other.is_zero();
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  int c = CompareMagnitude(digits_, exponent_, other.digits_, other.exponent_);
  return neg_a ? -c : c;
}

}  // namespace sluice::dynamodb
