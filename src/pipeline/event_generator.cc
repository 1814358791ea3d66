#include "sluice/pipeline/event_generator.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "pipeline/rng.h"

namespace sluice::pipeline {

Status ValidateEventGeneratorOptions(const EventGeneratorOptions& o) {
  if (o.user_count == 0) return Status::InvalidArgument("user_count must be > 0");
  if (o.event_types.empty()) return Status::InvalidArgument("event_types must not be empty");
  if (!(std::isfinite(o.value_min) && std::isfinite(o.value_max) && o.value_min < o.value_max))
    return Status::InvalidArgument("value range must be finite with value_min < value_max");
  if (std::fabs(o.value_min) > 1e13 || std::fabs(o.value_max) > 1e13)
    return Status::InvalidArgument("value range must lie within +-1e13");
  if (!(o.duplicate_fraction >= 0.0 && o.duplicate_fraction < 1.0))
    return Status::InvalidArgument("duplicate_fraction must be in [0, 1)");
  if (o.duplicate_fraction > 0 && o.duplicate_window == 0)
    return Status::InvalidArgument("duplicate_window must be > 0 when duplicates are injected");
  for (char c : o.run_id)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
      return Status::InvalidArgument("run_id must not contain quotes, backslashes or control characters");
  for (const auto& t : o.event_types)
    for (char c : t)
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
        return Status::InvalidArgument("event types must not contain quotes, backslashes or control characters");
  return Status::Ok();
}

Result<std::unique_ptr<EventGenerator>> EventGenerator::Create(EventGeneratorOptions options, const Clock* clock) {
  SLUICE_RETURN_IF_ERROR(ValidateEventGeneratorOptions(options));
  if (clock == nullptr) return Status::InvalidArgument("clock is null");
  return std::unique_ptr<EventGenerator>(new EventGenerator(std::move(options), clock));
}

EventGenerator::EventGenerator(EventGeneratorOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock), rng_(std::make_unique<internal::SplitMix64>(options_.seed)) {
  if (options_.run_id.empty()) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08" PRIx32, static_cast<uint32_t>(internal::SplitMix64(~options_.seed).Next()));
    options_.run_id = buf;
  }
}

EventGenerator::~EventGenerator() = default;

GeneratedEvent EventGenerator::Next() {
  ++emitted_;
  // Draw the duplicate decision first and always, so the sequence of random
  // numbers does not depend on the window's fill level.
  const double u = rng_->Unit();
  if (!recent_.empty() && u < options_.duplicate_fraction) {
    // Re-rendering the stored fields gives the original bytes exactly.
    GeneratedEvent e = Render(recent_[rng_->Below(recent_.size())]);
    e.duplicate = true;
    duplicate_ids_.push_back(e.event_id);
    return e;
  }
  EventFields f;
  f.n = unique_++;
  f.user = rng_->Below(options_.user_count);
  // Value in cents, so formatting is exact and platform independent.
  const int64_t lo = static_cast<int64_t>(std::ceil(options_.value_min * 100));
  const int64_t hi = static_cast<int64_t>(std::ceil(options_.value_max * 100));  // exclusive
  f.cents = hi > lo ? lo + static_cast<int64_t>(rng_->Below(static_cast<uint64_t>(hi - lo))) : lo;
  f.type = static_cast<uint32_t>(rng_->Below(options_.event_types.size()));
  f.produced_at_ms = clock_->NowMillis();
  if (options_.duplicate_fraction > 0) {
    recent_.push_back(f);
    if (recent_.size() > options_.duplicate_window) recent_.pop_front();
  }
  return Render(f);
}

GeneratedEvent EventGenerator::Render(const EventFields& f) const {
  GeneratedEvent e;
  e.event_id = options_.run_id + "-" + std::to_string(f.n);
  char buf[64];
  std::snprintf(buf, sizeof buf, "user-%04" PRIu64, f.user);
  e.user_id = buf;
  const uint64_t mag = static_cast<uint64_t>(f.cents < 0 ? -f.cents : f.cents);
  char value[48];
  std::snprintf(value, sizeof value, "%s%" PRIu64 ".%02" PRIu64, f.cents < 0 ? "-" : "", mag / 100, mag % 100);

  std::string& j = e.json;
  j.reserve(std::max<size_t>(160, options_.target_record_bytes));
  j += "{\"event_id\":\"";
  j += e.event_id;
  j += "\",\"user_id\":\"";
  j += e.user_id;
  j += "\",\"value\":";
  j += value;
  j += ",\"event_type\":\"";
  j += options_.event_types[f.type];
  j += "\",\"produced_at_ms\":";
  j += std::to_string(f.produced_at_ms);
  static constexpr std::string_view kPadding = ",\"padding\":\"\"";
  if (options_.target_record_bytes >= j.size() + 1 + kPadding.size()) {
    const size_t fill = options_.target_record_bytes - (j.size() + 1 + kPadding.size());
    j += ",\"padding\":\"";
    j.append(fill, 'x');
    j += '"';
  }
  j += '}';
  return e;
}

}  // namespace sluice::pipeline
