#include "firehose/format/date_time_format.h"

#include <chrono>
#include <cstdio>

namespace sluice::firehose::format {

namespace {

constexpr const char* kMonthShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kMonthLong[] = {"January", "February", "March",     "April",   "May",      "June",
                                      "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kDayShort[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kDayLong[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

void AppendPadded(std::string* out, int64_t v, int width) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  out->append(buf, static_cast<size_t>(n));
}

// Largest count Java accepts for each letter (0 = text/unbounded handled below).
int MaxCount(char letter) {
  switch (letter) {
    case 'M':
    case 'L':
    case 'E': return 5;
    case 'd':
    case 'H':
    case 'h':
    case 'k':
    case 'K':
    case 'm':
    case 's': return 2;
    case 'D': return 3;
    case 'S': return 9;
    case 'a': return 1;
    case 'y':
    case 'u': return 19;
    default: return 0;
  }
}

}  // namespace

LocalTime BreakDown(int64_t utc_millis, int32_t offset_seconds) {
  using namespace std::chrono;
  int64_t ms = utc_millis + int64_t{offset_seconds} * 1000;
  int64_t days_since = ms / 86'400'000;
  int64_t rem = ms % 86'400'000;
  if (rem < 0) {
    rem += 86'400'000;
    days_since -= 1;
  }
  sys_days sd{days{days_since}};
  year_month_day ymd{sd};
  LocalTime t;
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.hour = static_cast<int>(rem / 3'600'000);
  t.minute = static_cast<int>(rem / 60'000 % 60);
  t.second = static_cast<int>(rem / 1000 % 60);
  t.millis = static_cast<int>(rem % 1000);
  t.day_of_year = static_cast<int>((sd - sys_days{ymd.year() / January / 1}).count()) + 1;
  t.weekday = static_cast<int>(weekday{sd}.c_encoding());
  return t;
}

Result<DateTimePattern> DateTimePattern::Compile(std::string_view p) {
  DateTimePattern out;
  auto literal = [&](std::string_view s) {
    if (!out.fields_.empty() && out.fields_.back().letter == 0) {
      out.fields_.back().literal.append(s);
    } else {
      out.fields_.push_back(Field{0, 0, std::string(s)});
    }
  };
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {  // '' is a literal quote
        literal("'");
        i += 2;
        continue;
      }
      size_t j = i + 1;
      std::string text;
      bool closed = false;
      while (j < p.size()) {
        if (p[j] == '\'') {
          if (j + 1 < p.size() && p[j + 1] == '\'') {
            text.push_back('\'');
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        text.push_back(p[j++]);
      }
      if (!closed) return Status::InvalidArgument("Pattern ends with an incomplete string literal: " + std::string(p));
      literal(text);
      i = j + 1;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      int count = static_cast<int>(j - i);
      int max = MaxCount(c);
      if (max == 0) {
        return Status::InvalidArgument(std::string("Unsupported pattern letter '") + c +
                                       "' in timestamp pattern: " + std::string(p));
      }
      if (count > max) {
        return Status::InvalidArgument(std::string("Too many pattern letters: ") + c +
                                       " in timestamp pattern: " + std::string(p));
      }
      out.fields_.push_back(Field{c, count, {}});
      i = j;
      continue;
    }
    if (c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
      return Status::InvalidArgument(std::string("Unsupported pattern character '") + c +
                                     "' in timestamp pattern: " + std::string(p));
    }
    literal(std::string_view(&p[i], 1));
    ++i;
  }
  return out;
}

void DateTimePattern::AppendTo(const LocalTime& t, std::string* out) const {
  for (const Field& f : fields_) {
    switch (f.letter) {
      case 0: out->append(f.literal); break;
      case 'y':
      case 'u':
        if (f.count == 2) AppendPadded(out, ((t.year % 100) + 100) % 100, 2);
        else AppendPadded(out, t.year, f.count);
        break;
      case 'M':
      case 'L':
        if (f.count <= 2) AppendPadded(out, t.month, f.count);
        else if (f.count == 3) out->append(kMonthShort[t.month - 1]);
        else if (f.count == 4) out->append(kMonthLong[t.month - 1]);
        else out->push_back(kMonthLong[t.month - 1][0]);
        break;
      case 'd': AppendPadded(out, t.day, f.count); break;
      case 'D': AppendPadded(out, t.day_of_year, f.count); break;
      case 'H': AppendPadded(out, t.hour, f.count); break;
      case 'k': AppendPadded(out, t.hour == 0 ? 24 : t.hour, f.count); break;
      case 'h': AppendPadded(out, t.hour % 12 == 0 ? 12 : t.hour % 12, f.count); break;
      case 'K': AppendPadded(out, t.hour % 12, f.count); break;
      case 'm': AppendPadded(out, t.minute, f.count); break;
      case 's': AppendPadded(out, t.second, f.count); break;
      case 'S': {
        char frac[10];
        std::snprintf(frac, sizeof frac, "%03d000000", t.millis);
        out->append(frac, static_cast<size_t>(f.count));
        break;
      }
      case 'E':
        if (f.count <= 3) out->append(kDayShort[t.weekday]);
        else if (f.count == 4) out->append(kDayLong[t.weekday]);
        else out->push_back(kDayLong[t.weekday][0]);
        break;
      case 'a': out->append(t.hour < 12 ? "AM" : "PM"); break;
      default: break;
    }
  }
}

std::string DateTimePattern::Format(const LocalTime& t) const {
  std::string s;
  AppendTo(t, &s);
  return s;
}

}  // namespace sluice::firehose::format
