// TimeZone: UTC offsets of an IANA time zone (Firehose's CustomTimeZone), read
// from the system tz database (/usr/share/zoneinfo, or $TZDIR) without touching
// the process-wide TZ / localtime_r state, so it is safe from any thread.
// (libstdc++ 12 has no std::chrono::locate_zone.)
//
// Contract:
// - Load("") and Load("UTC") give UTC. Other names must match the API's
//   CustomTimeZone pattern [a-zA-Z/_]+ (no "..", no leading '/') and name a
//   TZif file; otherwise InvalidArgument.
// - OffsetSeconds(t) is the zone's offset from UTC at instant t (seconds since
//   the epoch): from the TZif transitions, and past the last one from the
//   file's POSIX TZ footer rule (so future DST changes are right too).
// - Loaded zones are immutable and cached; Load is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::firehose::format {

class TimeZone {
 public:
  static Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);
  static std::shared_ptr<const TimeZone> Utc();

  // Parses TZif bytes (for tests and Load).
  static Result<std::shared_ptr<const TimeZone>> FromTzif(std::string name, std::string_view tzif);
  // A zone described only by a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0".
  static Result<std::shared_ptr<const TimeZone>> FromPosix(std::string name, std::string_view posix_tz);

  const std::string& name() const { return name_; }
  int32_t OffsetSeconds(int64_t utc_seconds) const;

  struct PosixRule;  // parsed footer (defined in time_zone.cc)
  ~TimeZone();
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

 private:
  TimeZone();
  std::string name_;
  std::vector<int64_t> transitions_;       // UTC seconds, ascending
  std::vector<uint8_t> transition_types_;  // index into type_offsets_
  std::vector<int32_t> type_offsets_;      // utoff of each local time type
  int32_t initial_offset_ = 0;             // before the first transition
  std::unique_ptr<PosixRule> footer_;      // may be null
};

}  // namespace sluice::firehose::format
