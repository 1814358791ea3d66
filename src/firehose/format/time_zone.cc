#include "firehose/format/time_zone.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "base/mutex.h"

namespace sluice::firehose::format {

namespace {

int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// One end of a DST period in a POSIX TZ rule.
struct RuleDate {
  enum Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = kMonthWeekDay;
  int day = 0;          // J: 1..365, n: 0..365, M: weekday 0..6 (0 = Sunday)
  int month = 0;        // M only
  int week = 0;         // M only, 1..5 (5 = last)
  int32_t time = 7200;  // seconds after local midnight (may be negative or > 24h)

  // Local seconds since the epoch of this date-time in year y (local wall clock).
  int64_t LocalSeconds(int y) const {
    int64_t days = 0;
    switch (kind) {
      case kJulianNoLeap: {
        days = DaysFromCivil(y, 1, 1) + day - 1;
        if (IsLeap(y) && day >= 60) days += 1;  // Feb 29 is never counted
        break;
      }
      case kZeroBasedDay: days = DaysFromCivil(y, 1, 1) + day; break;
      case kMonthWeekDay: {
        int64_t first = DaysFromCivil(y, static_cast<unsigned>(month), 1);
        int wd_first = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was Thursday (4)
        int delta = (day - wd_first + 7) % 7;
        int64_t d = first + delta + 7 * (week - 1);
        int next_month_y = month == 12 ? y + 1 : y;
        unsigned next_month = month == 12 ? 1 : static_cast<unsigned>(month + 1);
        int64_t month_end = DaysFromCivil(next_month_y, next_month, 1);
        while (d >= month_end) d -= 7;
        days = d;
        break;
      }
    }
    return days * 86400 + time;
  }
};

}  // namespace

struct TimeZone::PosixRule {
  int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  RuleDate start, end;

  int32_t OffsetAt(int64_t t) const {
    if (!has_dst) return std_offset;
    using namespace std::chrono;
    int64_t local_days = (t + std_offset) / 86400 - ((t + std_offset) % 86400 < 0 ? 1 : 0);
    int y = static_cast<int>(year_month_day{sys_days{days{local_days}}}.year());
    // Transition instants in UTC: start is given in standard time, end in DST.
    int64_t s = start.LocalSeconds(y) - std_offset;
    int64_t e = end.LocalSeconds(y) - dst_offset;
    bool in_dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
    return in_dst ? dst_offset : std_offset;
  }
};

namespace {

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  std::optional<TimeZone::PosixRule> Parse() {
    TimeZone::PosixRule r;
    if (!Name()) return std::nullopt;
    auto off = Offset();
    if (!off) return std::nullopt;
    r.std_offset = -*off;  // POSIX offsets are positive west of Greenwich
    if (AtEnd()) return r;
    if (!Name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset = r.std_offset + 3600;
    if (!AtEnd() && Peek() != ',') {
      auto d = Offset();
      if (!d) return std::nullopt;
      r.dst_offset = -*d;
    }
    if (AtEnd()) {
      // No rule: the US default, as glibc assumes.
      r.start = {RuleDate::kMonthWeekDay, 0, 3, 2, 7200};
      r.end = {RuleDate::kMonthWeekDay, 0, 11, 1, 7200};
      return r;
    }
    if (!Eat(',') || !Date(&r.start) || !Eat(',') || !Date(&r.end) || !AtEnd()) return std::nullopt;
    return r;
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return s_[i_]; }
  bool Eat(char c) {
    if (!AtEnd() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Name() {
    if (Eat('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string_view::npos || close == i_) return false;
      i_ = close + 1;
      return true;
    }
    size_t b = i_;
    while (!AtEnd() && ((Peek() >= 'A' && Peek() <= 'Z') || (Peek() >= 'a' && Peek() <= 'z'))) ++i_;
    return i_ - b >= 3;
  }
  std::optional<int> Number() {
    size_t b = i_;
    int v = 0;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9' && i_ - b < 4) v = v * 10 + (s_[i_++] - '0');
    if (i_ == b) return std::nullopt;
    return v;
  }
  // [+|-]hh[:mm[:ss]] in seconds.
  std::optional<int32_t> Offset() {
    int sign = 1;
    if (Eat('-')) sign = -1;
    else Eat('+');
    auto h = Number();
    if (!h || *h > 167) return std::nullopt;
    int32_t v = *h * 3600;
    if (Eat(':')) {
      auto m = Number();
      if (!m || *m > 59) return std::nullopt;
      v += *m * 60;
      if (Eat(':')) {
        auto sec = Number();
        if (!sec || *sec > 59) return std::nullopt;
        v += *sec;
      }
    }
    return sign * v;
  }
  bool Date(RuleDate* d) {
    if (Eat('J')) {
      auto n = Number();
      if (!n || *n < 1 || *n > 365) return false;
      d->kind = RuleDate::kJulianNoLeap;
      d->day = *n;
    } else if (Eat('M')) {
      auto m = Number();
      if (!m || *m < 1 || *m > 12 || !Eat('.')) return false;
      auto w = Number();
      if (!w || *w < 1 || *w > 5 || !Eat('.')) return false;
      auto wd = Number();
      if (!wd || *wd > 6) return false;
      d->kind = RuleDate::kMonthWeekDay;
      d->month = *m;
      d->week = *w;
      d->day = *wd;
    } else {
      auto n = Number();
      if (!n || *n > 365) return false;
      d->kind = RuleDate::kZeroBasedDay;
      d->day = *n;
    }
    d->time = 7200;
    if (Eat('/')) {
      auto t = Offset();
      if (!t) return false;
      d->time = *t;
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

uint32_t Be32(std::string_view b, size_t at) {
  auto u = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(b[at + k])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}
int64_t Be64(std::string_view b, size_t at) {
  return static_cast<int64_t>((static_cast<uint64_t>(Be32(b, at)) << 32) | Be32(b, at + 4));
}

bool ValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 50 || name.front() == '/') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '_';
    if (!ok) return false;
  }
  return name.find("//") == std::string_view::npos;
}

}  // namespace

TimeZone::TimeZone() = default;
TimeZone::~TimeZone() = default;

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const std::shared_ptr<const TimeZone> utc = [] {
    std::shared_ptr<TimeZone> z(new TimeZone());
    z->name_ = "UTC";
    return z;
  }();
  return utc;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::FromPosix(std::string name, std::string_view posix_tz) {
  auto rule = PosixParser(posix_tz).Parse();
  if (!rule) return Status::InvalidArgument("invalid POSIX TZ string: " + std::string(posix_tz));
  std::shared_ptr<TimeZone> z(new TimeZone());
  z->name_ = std::move(name);
  z->initial_offset_ = rule->std_offset;
  z->footer_ = std::make_unique<PosixRule>(*rule);
  return std::shared_ptr<const TimeZone>(std::move(z));
}

Result<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(std::string name, std::string_view b) {
  auto bad = [&](const char* why) { return Status::Corruption("time zone " + name + ": bad TZif data (" + why + ")"); };
  if (b.size() < 44 || b.substr(0, 4) != "TZif") return bad("magic");
  char version = b[4];
  auto counts = [&](size_t at, uint32_t c[6]) {
    for (int k = 0; k < 6; ++k) c[k] = Be32(b, at + 20 + 4 * k);
  };
  uint32_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  size_t at = 44;
  int time_size = 4;
  if (version >= '2') {
    uint64_t v1 = uint64_t{c[3]} * 5 + uint64_t{c[4]} * 6 + c[5] + uint64_t{c[2]} * 8 + c[1] + c[0];
    at += v1;
    if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return bad("v2 header");
    counts(at, c);
    at += 44;
    time_size = 8;
  }
  const uint32_t isutcnt = c[0], isstdcnt = c[1], leapcnt = c[2], timecnt = c[3], typecnt = c[4], charcnt = c[5];
  uint64_t need = uint64_t{timecnt} * (time_size + 1) + uint64_t{typecnt} * 6 + charcnt +
                  uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  if (typecnt == 0 || b.size() < at + need) return bad("truncated");

  std::shared_ptr<TimeZone> z(new TimeZone());
  z->name_ = std::move(name);
  z->transitions_.reserve(timecnt);
  for (uint32_t k = 0; k < timecnt; ++k) {
    z->transitions_.push_back(time_size == 8 ? Be64(b, at + 8 * k) : static_cast<int32_t>(Be32(b, at + 4 * k)));
  }
  at += size_t{timecnt} * time_size;
  for (uint32_t k = 0; k < timecnt; ++k) {
    uint8_t t = static_cast<uint8_t>(b[at + k]);
    if (t >= typecnt) return bad("type index");
    z->transition_types_.push_back(t);
  }
  at += timecnt;
  std::vector<bool> is_dst;
  for (uint32_t k = 0; k < typecnt; ++k) {
    z->type_offsets_.push_back(static_cast<int32_t>(Be32(b, at + 6 * k)));
    is_dst.push_back(b[at + 6 * k + 4] != 0);
  }
  at += size_t{typecnt} * 6;
  // RFC 8536: local time for timestamps before the first transition uses type 0.
  z->initial_offset_ = z->type_offsets_[0];
  at += charcnt + size_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  if (version >= '2' && at < b.size() && b[at] == '\n') {
    size_t end = b.find('\n', at + 1);
    if (end != std::string_view::npos && end > at + 1) {
      auto rule = PosixParser(b.substr(at + 1, end - at - 1)).Parse();
      if (rule) z->footer_ = std::make_unique<PosixRule>(*rule);
    }
  }
  return std::shared_ptr<const TimeZone>(std::move(z));
}

int32_t TimeZone::OffsetSeconds(int64_t t) const {
  if (transitions_.empty()) return footer_ ? footer_->OffsetAt(t) : initial_offset_;
  if (t < transitions_.front()) return initial_offset_;
  if (t >= transitions_.back() && footer_) return footer_->OffsetAt(t);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  size_t idx = static_cast<size_t>(it - transitions_.begin()) - 1;
  return type_offsets_[transition_types_[idx]];
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name) {
  if (name.empty() || name == "UTC") return Utc();
  if (!ValidZoneName(name)) {
    return Status::InvalidArgument("CustomTimeZone '" + std::string(name) + "' is not a valid time zone");
  }
  static Mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  {
    MutexLock lock(mu);
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
  }
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("CustomTimeZone '" + std::string(name) + "' is not a supported time zone");
  std::ostringstream ss;
  ss << in.rdbuf();
  auto z = FromTzif(std::string(name), ss.str());
  if (!z.ok())
    return Status::InvalidArgument("CustomTimeZone '" + std::string(name) + "' is not a supported time zone");
  MutexLock lock(mu);
  cache.emplace(std::string(name), *z);
  return *z;
}

}  // namespace sluice::firehose::format
