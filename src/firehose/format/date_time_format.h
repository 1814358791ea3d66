// DateTimePattern: the subset of Java DateTimeFormatter patterns that Firehose
// users write in !{timestamp:<pattern>} (docs: "valid Java DateTimeFormatter
// strings"), compiled once and formatted many times.
//
// Supported letters (Java semantics for the count of letters):
//   y/u  year (yy = two digits, y/yyy/yyyy... = at least that many digits)
//   M/L  month (M, MM; MMM = "Jan", MMMM = "January")
//   d    day of month     D  day of year (D, DD, DDD)
//   H    hour 0-23        k  hour 1-24      h  hour 1-12     K  hour 0-11
//   m    minute           s  second         S  fraction (S..SSSSSSSSS)
//   E    weekday (E..EEE = "Mon", EEEE = "Monday")    a  AM/PM
// Text in single quotes is literal ('' is a quote); other non-letters are
// literal. Letters outside this list (zones, eras, weeks, ...) and the
// reserved characters [ ] { } # are InvalidArgument, as Java's
// ofPattern would reject them or we cannot format them faithfully.
// Fields wider than 2 letters where Java allows at most 2 (dd ok, ddd not)
// are InvalidArgument like Java's "Too many pattern letters".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::firehose::format {

// A broken-down local time.
struct LocalTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0, minute = 0, second = 0;
  int millis = 0;
  int day_of_year = 1;  // 1..366
  int weekday = 4;      // 0 = Sunday .. 6 = Saturday
};

// `utc_millis` shifted by `offset_seconds` and broken down.
LocalTime BreakDown(int64_t utc_millis, int32_t offset_seconds);

class DateTimePattern {
 public:
  static Result<DateTimePattern> Compile(std::string_view pattern);
  std::string Format(const LocalTime& t) const;
  void AppendTo(const LocalTime& t, std::string* out) const;

 private:
  struct Field {
    char letter = 0;  // 0 = literal
    int count = 0;
    std::string literal;
  };
  std::vector<Field> fields_;
};

}  // namespace sluice::firehose::format
