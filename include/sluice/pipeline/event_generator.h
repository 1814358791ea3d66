// EventGenerator: the built-in source of `sluice produce`, modelled on the seed
// tutorial's producer (JSON events with an id, a user, a value and a
// timestamp), with optional padding and injected duplicates to exercise a
// deduplicating consumer.
//
// One event is one line of compact JSON, fields always in this order:
//   {"event_id":"3f2a9c1b-42","user_id":"user-0007","value":123.45,
//    "event_type":"purchase","produced_at_ms":1700000000123,"padding":"xxx"}
// - event_id:       "<run_id>-<n>", n = 0, 1, 2, ... over unique events.
// - user_id:        "user-NNNN", uniform over `user_count` users.
// - value:          a number with two decimals in [value_min, value_max).
// - event_type:     uniform over `event_types`.
// - produced_at_ms: the clock's wall time when Next() made the event
//                   (consumers subtract it from their own clock: end-to-end latency).
// - padding:        present only when `target_record_bytes` asks for it: 'x's
//                   so the whole line is exactly target_record_bytes long
//                   (when the event without padding is shorter than that).
//
// Duplicates: with probability `duplicate_fraction` (once at least one unique
// event exists) Next() re-emits, byte for byte (same event_id, same
// produced_at_ms), one of the last `duplicate_window` unique events, chosen
// uniformly. Keep duplicate_window below the consumer's dedup window.
//
// Determinism: everything but produced_at_ms is a function of the options
// (seed included); with a ManualClock the output is byte-identical across runs
// and platforms (own PRNG, no std:: distributions).
//
// Thread-safety: none; one generator per thread. Memory: ~40 bytes per
// window entry (duplicates are re-rendered, not stored) plus one id per
// injected duplicate (duplicate_ids()).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sluice/clock.h"
#include "sluice/status.h"

namespace sluice::pipeline {

namespace internal {
class SplitMix64;
}

struct EventGeneratorOptions {
  uint64_t seed = 1;
  // Prefix of event ids. Empty = 8 hex digits derived from `seed` (so two runs
  // with the same seed produce the same ids: pass a fresh seed or run_id when
  // runs must not collide).
  std::string run_id;
  uint32_t user_count = 1000;                                                                // > 0
  std::vector<std::string> event_types = {"page_view", "click", "add_to_cart", "purchase"};  // non-empty
  double value_min = 0.0;     // value in [value_min, value_max), two decimals
  double value_max = 1000.0;  // > value_min
  // Fraction of emitted events that are duplicates, in [0, 1).
  double duplicate_fraction = 0.0;
  size_t duplicate_window = 1000;  // > 0 when duplicate_fraction > 0
  // 0 = no padding; otherwise pad each event to exactly this many bytes.
  size_t target_record_bytes = 0;
};

// Checks ranges; InvalidArgument naming the offending option.
Status ValidateEventGeneratorOptions(const EventGeneratorOptions& options);

struct GeneratedEvent {
  std::string event_id;
  std::string user_id;  // a natural partition key
  std::string json;     // the record data: one compact JSON object, no newline
  bool duplicate = false;
};

class EventGenerator {
 public:
  // Fails with InvalidArgument when the options are out of range. `clock`
  // must outlive the generator.
  static Result<std::unique_ptr<EventGenerator>> Create(EventGeneratorOptions options,
                                                        const Clock* clock = &Clock::Real());
  ~EventGenerator();
  EventGenerator(const EventGenerator&) = delete;
  EventGenerator& operator=(const EventGenerator&) = delete;

  GeneratedEvent Next();

  const std::string& run_id() const { return options_.run_id; }
  uint64_t emitted() const { return emitted_; }        // unique + duplicates
  uint64_t unique_emitted() const { return unique_; }  // distinct event ids
  uint64_t duplicates_injected() const { return duplicate_ids_.size(); }
  // The event_id of every injected duplicate, in emission order (an id can
  // appear more than once when it was re-emitted several times).
  const std::vector<std::string>& duplicate_ids() const { return duplicate_ids_; }

 private:
  // What determines an event's bytes; duplicates are re-rendered from it, so
  // the window costs ~40 bytes per event whatever the padding.
  struct EventFields {
    uint64_t n = 0;
    uint64_t user = 0;
    int64_t cents = 0;
    uint32_t type = 0;
    int64_t produced_at_ms = 0;
  };
  EventGenerator(EventGeneratorOptions options, const Clock* clock);
  GeneratedEvent Render(const EventFields& fields) const;

  EventGeneratorOptions options_;
  const Clock* clock_;
  std::unique_ptr<internal::SplitMix64> rng_;
  std::deque<EventFields> recent_;  // last duplicate_window unique events
  std::vector<std::string> duplicate_ids_;
  uint64_t emitted_ = 0;
  uint64_t unique_ = 0;
};

}  // namespace sluice::pipeline
