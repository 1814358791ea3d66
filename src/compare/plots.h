// The report's plots as inline SVG fragments (no xmlns, no external
// references: they are meant to sit inside an HTML document that styles them
// through the CSS classes documented in html.cc).
//
// Each returns one complete <svg> element with a stable id, role="img", a
// <title> and a <desc>, and a viewBox so it scales to the page width:
//
//   LatencyPlotSvg  id="latency-plot":  CDF of put -> consumed (Streams) and
//                   put -> visible in S3 (Firehose) on a log-scaled ms axis,
//                   with p50 / p99 markers.
//   TimelinePlotSvg id="timeline-plot": cumulative events produced, consumed
//                   and delivered over time; one marker per S3 object,
//                   labelled with its record count.
//   ObjectsPlotSvg  id="objects-plot":  records per object, one bar each in
//                   delivery order (hover for key, size and time).
#pragma once

#include <string>

#include "compare/results.h"

namespace sluice::compare {

std::string LatencyPlotSvg(const ComparisonResults& r);
std::string TimelinePlotSvg(const ComparisonResults& r);
std::string ObjectsPlotSvg(const ComparisonResults& r);

// Compact count for axis ticks: "0", "950", "5k", "12.5k", "3M", "1.2G".
std::string CompactCount(double v);

}  // namespace sluice::compare
