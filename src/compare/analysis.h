// Figures derived from ComparisonResults that both renderers and
// FillBehaviour share, so the table, the HTML report and the behaviour rows
// never disagree. All functions are pure and accept degenerate input (no
// samples, no objects, zeros, huge values) without producing NaN.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compare/results.h"

namespace sluice::compare {

// The Firehose deliveries as (t_ms, records) points in time order: the
// `firehose.timeline` when present, else derived from `firehose.object_list`.
std::vector<TimelinePoint> FirehoseDeliveries(const ComparisonResults& r);

// Number of objects: `firehose.objects`, or the list's size when that is 0.
uint64_t ObjectCount(const ComparisonResults& r);

// Mean time between consecutive object deliveries, or nullopt with fewer
// than two deliveries.
std::optional<double> MeanDeliveryIntervalMs(const ComparisonResults& r);

// firehose p50 / streams p50, when both paths have samples and a positive
// median (nullopt otherwise).
std::optional<double> MedianLatencyRatio(const ComparisonResults& r);

// "52", "4.3": a ratio as shown in prose ("about 52 times later").
std::string FormatRatio(double ratio);

// One plain-English paragraph (ASCII only, no markup) saying what the
// numbers show; used by both the terminal table and the HTML report.
std::string Takeaway(const ComparisonResults& r);

}  // namespace sluice::compare
