#include "compare/analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "compare/format.h"

namespace sluice::compare {
namespace {

std::string Plural(uint64_t n, const char* one, const char* many) {
  return FormatCount(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::vector<TimelinePoint> FirehoseDeliveries(const ComparisonResults& r) {
  std::vector<TimelinePoint> out = r.firehose.timeline;
  if (out.empty()) {
    for (const auto& o : r.firehose.object_list) out.push_back({o.visible_at_ms, o.records});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; });
  return out;
}

uint64_t ObjectCount(const ComparisonResults& r) {
  if (r.firehose.objects > 0) return r.firehose.objects;
  return r.firehose.object_list.size();
}

std::optional<double> MeanDeliveryIntervalMs(const ComparisonResults& r) {
  const auto d = FirehoseDeliveries(r);
  if (d.size() < 2) return std::nullopt;
  const double span = static_cast<double>(d.back().t_ms) - static_cast<double>(d.front().t_ms);
  return std::max(0.0, span / static_cast<double>(d.size() - 1));
}

std::optional<double> MedianLatencyRatio(const ComparisonResults& r) {
  const auto& s = r.streams.latency;
  const auto& f = r.firehose.latency;
  if (s.count == 0 || f.count == 0) return std::nullopt;
  if (!(s.p50_ms > 0) || !std::isfinite(s.p50_ms) || !std::isfinite(f.p50_ms)) return std::nullopt;
  const double ratio = f.p50_ms / s.p50_ms;
  if (!std::isfinite(ratio)) return std::nullopt;
  return ratio;
}

std::string FormatRatio(double ratio) {
  if (!std::isfinite(ratio) || ratio < 0) return "n/a";
  return FormatNumber(ratio, ratio < 9.95 ? 1 : 0);
}

std::string Takeaway(const ComparisonResults& r) {
  const auto& s = r.streams;
  const auto& f = r.firehose;
  const uint64_t unique = r.producer.unique_events;
  const uint64_t objects = ObjectCount(r);
  std::string t;

  // Latency: the headline difference.
  if (s.latency.count > 0) {
    t += "Kinesis Data Streams handed each event to the custom consumer in " + FormatMs(s.latency.p50_ms) +
         " at the median (" + FormatMs(s.latency.p99_ms) + " at p99)";
  } else {
    t += "The Streams consumer measured no latencies";
  }
  if (f.latency.count > 0 && objects > 0) {
    t += ", while Firehose made the same events visible in S3 after " + FormatMs(f.latency.p50_ms) + " at the median";
    if (auto ratio = MedianLatencyRatio(r); ratio && *ratio >= 1.5) {
      t += " - about " + FormatRatio(*ratio) + " times later -";
    } else if (ratio && *ratio < 0.67) {
      t += " - faster than the consumer this time -";
    }
    t += " because it buffers records into objects (" + Plural(objects, "object", "objects");
    if (objects > 0) t += " of ~" + FormatNumber(f.records_per_object.mean, 0) + " records";
    if (auto gap = MeanDeliveryIntervalMs(r)) t += ", one every ~" + FormatMs(*gap);
    t += ").";
  } else {
    t += ", while Firehose delivered no object to S3 during the run";
    if (r.config.buffering_interval_s > 0)
      t += " (its buffering interval is " + FormatCount(r.config.buffering_interval_s) +
           " s: run longer than that to see a delivery)";
    t += ".";
  }

  // Exactly-once on one side, at-least-once on the other.
  t += " The consumer dropped " + Plural(s.duplicates_dropped, "duplicate", "duplicates") + " and processed " +
       FormatCount(s.events_consumed) + " of " + FormatCount(unique) + " unique events once";
  t += "; Firehose, which is at-least-once and does not deduplicate, delivered " + FormatCount(f.events_delivered) +
       " of them (" + Plural(f.duplicates_seen, "duplicate", "duplicates") + " seen, " + FormatCount(f.missing) +
       " missing).";

  t += " Choose Streams with a consumer when you need per-event reactions in milliseconds and control over"
       " processing; choose Firehose when batches in S3 every few seconds or minutes are enough and you would"
       " rather run no consumer code.";
  return t;
}

void FillBehaviour(ComparisonResults& r) {
  const auto& c = r.config;
  const auto& s = r.streams;
  const auto& f = r.firehose;
  const uint64_t objects = ObjectCount(r);
  r.behaviour.clear();

  // Delivery.
  BehaviourRow delivery{"Delivery", "", ""};
  if (s.latency.count > 0) {
    delivery.streams = "near real time: p50 " + FormatMs(s.latency.p50_ms) + ", p99 " + FormatMs(s.latency.p99_ms);
  } else {
    delivery.streams = "near real time (no events consumed in this run)";
  }
  if (objects > 0) {
    delivery.firehose = "buffered: " + Plural(objects, "object", "objects");
    if (auto gap = MeanDeliveryIntervalMs(r)) delivery.firehose += ", every ~" + FormatMs(*gap);
    if (f.latency.count > 0) delivery.firehose += " (p50 " + FormatMs(f.latency.p50_ms) + ")";
  } else {
    delivery.firehose = "buffered: no object delivered during the run";
  }
  r.behaviour.push_back(std::move(delivery));

  // Destination.
  BehaviourRow destination{"Destination", "custom consumer (your code)", ""};
  destination.streams += ": " + FormatCount(s.events_consumed) + " events processed once";
  destination.firehose = "S3 bucket " + (c.bucket.empty() ? std::string("(unnamed)") : c.bucket) + " (" +
                         Plural(objects, "object", "objects");
  if (f.total_bytes > 0) destination.firehose += ", " + FormatBytes(static_cast<double>(f.total_bytes));
  destination.firehose += ")";
  r.behaviour.push_back(std::move(destination));

  // Control.
  BehaviourRow control{"Control", "per-record, flexible: checkpoints, dedup, replay", ""};
  control.streams += " (" + Plural(s.duplicates_dropped, "duplicate", "duplicates") + " dropped)";
  control.firehose = "automatic: buffering hints " + FormatCount(c.buffering_size_mb) + " MB / " +
                     FormatCount(c.buffering_interval_s) + " s, compression " +
                     (c.compression.empty() ? std::string("UNCOMPRESSED") : c.compression);
  r.behaviour.push_back(std::move(control));

  // Complexity.
  BehaviourRow complexity{"Complexity", "", "no consumer code: delivered to S3"};
  complexity.streams =
      "you run and scale consumers (" + Plural(c.shards, "shard", "shards") + ", checkpoints in SQLite)";
  r.behaviour.push_back(std::move(complexity));
}

}  // namespace sluice::compare
