// SVG plots for the HTML report. Everything is laid out here in a fixed
// 960 x 440 coordinate system (the viewBox), so the page can scale it; all
// colours and fonts come from CSS classes in the page:
//   .grid .grid-minor .axis .tick .axis-title .legend .note   chrome
//   .s-streams .s-firehose .s-produced   series colour (stroke/fill)
//   .curve .marker .marker-label .drop .bar .bar-label        marks
#include "compare/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "compare/analysis.h"
#include "compare/format.h"

namespace sluice::compare {
namespace {

constexpr double kWidth = 960, kHeight = 440;
constexpr double kLeft = 76, kRight = 28, kTop = 58, kBottom = 58;
constexpr double kX0 = kLeft, kX1 = kWidth - kRight, kY0 = kTop, kY1 = kHeight - kBottom;

// A coordinate with one decimal; non-finite values (never expected) become 0
// so that the SVG stays valid.
std::string F(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Appends one path command ("H123.4").
void Cmd(std::string& d, char command, double v) {
  d += command;
  d += F(v);
}

std::string Open(const char* id, const std::string& title, const std::string& desc) {
  std::string s = "<svg id=\"";
  s += id;
  s += "\" class=\"plot\" viewBox=\"0 0 " + F(kWidth) + " " + F(kHeight) +
       "\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-labelledby=\"" + id + std::string("-title ") + id +
       "-desc\">\n";
  s += "<title id=\"" + std::string(id) + "-title\">" + HtmlEscape(title) + "</title>\n";
  s += "<desc id=\"" + std::string(id) + "-desc\">" + HtmlEscape(desc) + "</desc>\n";
  return s;
}

std::string Text(double x, double y, const std::string& cls, const std::string& text, const char* anchor = "start",
                 const std::string& extra = "") {
  return "<text x=\"" + F(x) + "\" y=\"" + F(y) + "\" class=\"" + cls + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + HtmlEscape(text) + "</text>\n";
}

std::string Line(double x1, double y1, double x2, double y2, const std::string& cls) {
  return "<line x1=\"" + F(x1) + "\" y1=\"" + F(y1) + "\" x2=\"" + F(x2) + "\" y2=\"" + F(y2) + "\" class=\"" + cls +
         "\"/>\n";
}

// A legend entry in the top margin: a swatch and its label; returns the x
// after it.
enum class Swatch { kLine, kDashed, kBar };
double LegendItem(std::string& s, double x, double y, const std::string& series, const std::string& label,
                  Swatch swatch = Swatch::kLine) {
  if (swatch == Swatch::kBar) {
    s += "<rect x=\"" + F(x + 5) + "\" y=\"" + F(y - 12) + "\" width=\"12\" height=\"12\" class=\"bar " + series +
         "\"/>\n";
  } else {
    s += "<line x1=\"" + F(x) + "\" y1=\"" + F(y - 4) + "\" x2=\"" + F(x + 22) + "\" y2=\"" + F(y - 4) +
         "\" class=\"curve " + series + (swatch == Swatch::kDashed ? " dashed" : "") + "\"/>\n";
  }
  s += Text(x + 28, y, "legend", label);
  return x + 28 + 7.7 * static_cast<double>(DisplayWidth(label)) + 28;
}

// 1, 2 or 5 times a power of ten, so that [0, max] gets about `target` ticks.
double NiceStep(double max, int target) {
  if (!(max > 0) || !std::isfinite(max)) return 1;
  const double raw = max / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

// Tick label for 10^e milliseconds.
std::string DecadeLabel(int e) {
  char buf[32];
  if (e < 0) {
    std::snprintf(buf, sizeof buf, "%.*f ms", -e, std::pow(10.0, e));
  } else if (e < 3) {
    std::snprintf(buf, sizeof buf, "%.0f ms", std::pow(10.0, e));
  } else if (e < 6) {
    std::snprintf(buf, sizeof buf, "%.0f s", std::pow(10.0, e - 3));
  } else {
    std::snprintf(buf, sizeof buf, "1e%d s", e - 3);
  }
  return buf;
}

// Seconds on a linear axis: "0 s", "15 s", "2.5 s", "90 s".
std::string SecondsLabel(double s) {
  char buf[32];
  if (std::fabs(s - std::round(s)) < 1e-9) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

struct LatencySeries {
  const char* cls;
  std::string name;
  std::vector<double> samples;  // finite, sorted
  LatencySummary summary;
};

}  // namespace

std::string CompactCount(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  char buf[32];
  const auto fmt = [&](double x, const char* suffix) {
    const double r = std::round(x * 10) / 10;
    if (std::fabs(r - std::round(r)) < 1e-9) std::snprintf(buf, sizeof buf, "%.0f%s", r, suffix);
    else std::snprintf(buf, sizeof buf, "%.1f%s", r, suffix);
    return std::string(buf);
  };
  if (a < 1000) return fmt(v, "");
  if (a < 1e6) return fmt(v / 1e3, "k");
  if (a < 1e9) return fmt(v / 1e6, "M");
  if (a < 1e12) return fmt(v / 1e9, "G");
  std::snprintf(buf, sizeof buf, "%.1e", v);
  return buf;
}

std::string LatencyPlotSvg(const ComparisonResults& r) {
  std::vector<LatencySeries> series = {
      {"s-streams", "Streams: put \u2192 consumed", r.streams.latency_samples_ms, r.streams.latency},
      {"s-firehose", "Firehose: put \u2192 visible in S3", r.firehose.latency_samples_ms, r.firehose.latency},
  };
  // Domain: decades covering every sample and marker.
  double lo = INFINITY, hi = 0;
  for (auto& s : series) {
    std::erase_if(s.samples, [](double v) { return !std::isfinite(v); });
    std::sort(s.samples.begin(), s.samples.end());
    for (double v : s.samples)
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    if (s.summary.count > 0) {
      for (double v : {s.summary.p50_ms, s.summary.p99_ms, s.summary.max_ms})
        if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  const bool has_data = hi > 0;
  if (!has_data) lo = 1, hi = 10000;
  constexpr int kMinE = -3, kMaxE = 15;
  int lo_e = std::clamp(static_cast<int>(std::floor(std::log10(lo))), kMinE, kMaxE - 1);
  int hi_e = std::clamp(static_cast<int>(std::ceil(std::log10(hi))), lo_e + 1, kMaxE);
  if (hi_e - lo_e < 2) lo_e = std::max(kMinE, hi_e - 2);
  if (hi_e - lo_e < 2) hi_e = lo_e + 2;
  const double span = hi_e - lo_e;
  const auto X = [&](double ms) {
    const double e = ms > 0 && std::isfinite(ms) ? std::log10(ms) : lo_e;
    return kX0 + std::clamp((e - lo_e) / span, 0.0, 1.0) * (kX1 - kX0);
  };
  const auto Y = [&](double frac) { return kY1 - std::clamp(frac, 0.0, 1.0) * (kY1 - kY0); };

  std::string desc = "Cumulative distribution of latency per path, log-scaled milliseconds.";
  for (const auto& s : series) {
    if (s.summary.count > 0)
      desc += " " + s.name + ": p50 " + FormatMs(s.summary.p50_ms) + ", p99 " + FormatMs(s.summary.p99_ms) + ".";
    else desc += " " + s.name + ": no samples.";
  }
  std::string svg = Open("latency-plot", "Latency distribution: Streams vs Firehose", desc);

  // Grid and axes.
  const int step = std::max(1, static_cast<int>(std::ceil(span / 10)));
  for (int e = lo_e; e <= hi_e; ++e) {
    const double x = X(std::pow(10.0, e));
    if ((e - lo_e) % step == 0) {
      svg += Line(x, kY0, x, kY1, "grid");
      svg += Text(x, kY1 + 18, "tick", DecadeLabel(e), "middle");
    }
    if (step == 1 && e < hi_e) {
      for (double m : {2.0, 5.0}) {
        const double xm = X(m * std::pow(10.0, e));
        svg += Line(xm, kY0, xm, kY1, "grid-minor");
      }
    }
  }
  for (int pct = 0; pct <= 100; pct += 25) {
    const double y = Y(pct / 100.0);
    svg += Line(kX0, y, kX1, y, pct == 0 ? "axis" : "grid");
    svg += Text(kX0 - 8, y + 4, "tick", std::to_string(pct) + "%", "end");
  }
  svg += Line(kX0, kY0, kX0, kY1, "axis");
  svg += Text((kX0 + kX1) / 2, kHeight - 14, "axis-title", "latency from put (log scale)", "middle");
  svg += Text(18, (kY0 + kY1) / 2, "axis-title", "events at or below this latency", "middle",
              " transform=\"rotate(-90 18 " + F((kY0 + kY1) / 2) + ")\"");

  // Legend.
  double lx = kX0;
  for (const auto& s : series) {
    std::string label = s.name;
    if (s.summary.count > 0) label += " (" + FormatCount(s.summary.count) + " events)";
    else label += " (no samples)";
    lx = LegendItem(svg, lx, 26, s.cls, label);
  }

  if (!has_data) {
    svg += Text((kX0 + kX1) / 2, (kY0 + kY1) / 2, "note", "No latency samples on either path", "middle");
  }

  // CDF curves: a step function over the sorted samples, merged per 0.3 px.
  for (const auto& s : series) {
    if (s.samples.empty()) continue;
    const double n = static_cast<double>(s.samples.size());
    double cx = X(s.samples.front());
    std::string d = "M" + F(cx) + "," + F(Y(0));
    double pending = -1;  // CDF level to rise to before the next horizontal move
    for (size_t i = 0; i < s.samples.size(); ++i) {
      const double x = X(s.samples[i]);
      if (x > cx + 0.3) {
        if (pending >= 0) Cmd(d, 'V', Y(pending));
        Cmd(d, 'H', x);
        cx = x;
      }
      pending = static_cast<double>(i + 1) / n;
    }
    if (pending >= 0) Cmd(d, 'V', Y(pending));
    Cmd(d, 'H', kX1);
    svg += "<path class=\"curve " + std::string(s.cls) + "\" d=\"" + d + "\"/>\n";
  }

  // p50 / p99 markers: the faster path labels to the left, the slower to the
  // right, flipped when the label would leave the plot.
  const bool streams_left = !(series[0].summary.count > 0 && series[1].summary.count > 0) ||
                            series[0].summary.p50_ms <= series[1].summary.p50_ms;
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    if (s.summary.count == 0) continue;
    const bool left_default = (k == 0) == streams_left;
    for (auto [p, v] : {std::pair{0.5, s.summary.p50_ms}, std::pair{0.99, s.summary.p99_ms}}) {
      const double x = X(v), y = Y(p);
      const std::string label = std::string(p == 0.5 ? "p50 " : "p99 ") + FormatMs(v);
      const double w = 7.2 * static_cast<double>(label.size());
      bool left = left_default;
      if (left && x - 10 - w < kX0) left = false;
      if (!left && x + 10 + w > kX1) left = true;
      svg += Line(x, y, x, kY1, "drop " + std::string(s.cls));
      svg += "<circle class=\"marker " + std::string(s.cls) + "\" cx=\"" + F(x) + "\" cy=\"" + F(y) + "\" r=\"5\"/>\n";
      svg += Text(left ? x - 10 : x + 10, y + (p == 0.5 ? 4 : 16), "marker-label " + std::string(s.cls), label,
                  left ? "end" : "start");
    }
  }
  svg += "</svg>\n";
  return svg;
}

namespace {

// Cumulative (t_ms at the end of each bucket, running total) from 1-s
// buckets, starting at (0, 0).
std::vector<std::pair<double, double>> Cumulative(std::vector<TimelinePoint> buckets) {
  std::stable_sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; });
  std::vector<std::pair<double, double>> out = {{0, 0}};
  double total = 0;
  for (const auto& b : buckets) {
    total += static_cast<double>(b.count);
    out.push_back({static_cast<double>(std::max<int64_t>(b.t_ms, 0)) + 1000, total});
  }
  return out;
}

}  // namespace

std::string TimelinePlotSvg(const ComparisonResults& r) {
  const auto produced = Cumulative(r.produced_timeline);
  const auto consumed = Cumulative(r.streams.timeline);
  const auto deliveries = FirehoseDeliveries(r);

  double x_max = std::max(0.0, r.config.duration_s * 1000), y_max = 0;
  for (const auto* c : {&produced, &consumed}) {
    x_max = std::max(x_max, c->back().first);
    y_max = std::max(y_max, c->back().second);
  }
  double delivered_total = 0;
  for (const auto& d : deliveries) {
    x_max = std::max(x_max, static_cast<double>(d.t_ms));
    delivered_total += static_cast<double>(d.count);
  }
  y_max = std::max(y_max, delivered_total);
  if (!(x_max > 0) || !std::isfinite(x_max)) x_max = 1000;
  if (!(y_max > 0) || !std::isfinite(y_max)) y_max = 1;
  const double x_step = NiceStep(x_max / 1000 * 1.02, 10);
  const double x_top = std::ceil(x_max / 1000 * 1.02 / x_step) * x_step * 1000;
  const double y_step = NiceStep(y_max * 1.05, 5);
  const double y_top = std::ceil(y_max * 1.05 / y_step) * y_step;
  const auto X = [&](double ms) { return kX0 + std::clamp(ms / x_top, 0.0, 1.0) * (kX1 - kX0); };
  const auto Y = [&](double n) { return kY1 - std::clamp(n / y_top, 0.0, 1.0) * (kY1 - kY0); };

  std::string desc = "Cumulative events over time since the producer started: produced " +
                     FormatNumber(produced.back().second, 0) + ", consumed by the Streams consumer " +
                     FormatNumber(consumed.back().second, 0) + ", delivered to S3 by Firehose " +
                     FormatNumber(delivered_total, 0) + " in " + FormatCount(deliveries.size()) + " objects.";
  std::string svg = Open("timeline-plot", "Timeline: events produced, consumed and delivered to S3", desc);

  // Grid and axes.
  for (int i = 0; i <= 40; ++i) {
    const double s = i * x_step;
    if (s * 1000 > x_top * (1 + 1e-9)) break;
    const double x = X(s * 1000);
    svg += Line(x, kY0, x, kY1, "grid");
    svg += Text(x, kY1 + 18, "tick", SecondsLabel(s), "middle");
  }
  for (int i = 0; i <= 20; ++i) {
    const double n = i * y_step;
    if (n > y_top * (1 + 1e-9)) break;
    const double y = Y(n);
    svg += Line(kX0, y, kX1, y, i == 0 ? "axis" : "grid");
    svg += Text(kX0 - 8, y + 4, "tick", CompactCount(n), "end");
  }
  svg += Line(kX0, kY0, kX0, kY1, "axis");
  svg += Text((kX0 + kX1) / 2, kHeight - 14, "axis-title", "time since the producer started", "middle");
  svg += Text(18, (kY0 + kY1) / 2, "axis-title", "events (cumulative)", "middle",
              " transform=\"rotate(-90 18 " + F((kY0 + kY1) / 2) + ")\"");

  // Legend.
  double lx = kX0;
  lx = LegendItem(svg, lx, 26, "s-produced", "produced", Swatch::kDashed);
  lx = LegendItem(svg, lx, 26, "s-streams", "consumed (Streams consumer)");
  lx = LegendItem(svg, lx, 26, "s-firehose", "delivered to S3 (Firehose; \u25CF = one object, +records)");

  // Produced and consumed as lines through the bucket ends.
  const auto polyline = [&](const std::vector<std::pair<double, double>>& pts, const std::string& cls) {
    if (pts.size() < 2) return;
    std::string d;
    for (size_t i = 0; i < pts.size(); ++i) {
      Cmd(d, i == 0 ? 'M' : 'L', X(pts[i].first));
      d += ',';
      d += F(Y(pts[i].second));
    }
    svg += "<path class=\"curve " + cls + "\" d=\"" + d + "\"/>\n";
  };
  polyline(produced, "s-produced dashed");
  polyline(consumed, "s-streams");

  // Firehose: a staircase, one step per object, with a labelled marker.
  if (!deliveries.empty()) {
    std::string d = "M" + F(X(0)) + "," + F(Y(0));
    double total = 0;
    for (const auto& p : deliveries) {
      total += static_cast<double>(p.count);
      Cmd(d, 'H', X(static_cast<double>(p.t_ms)));
      Cmd(d, 'V', Y(total));
    }
    d += "H" + F(kX1);
    svg += "<path class=\"curve s-firehose\" d=\"" + d + "\"/>\n";
    total = 0;
    double last_label_right = -1e9;
    for (size_t i = 0; i < deliveries.size(); ++i) {
      const auto& p = deliveries[i];
      total += static_cast<double>(p.count);
      const double x = X(static_cast<double>(p.t_ms)), y = Y(total);
      svg += "<circle class=\"marker s-firehose\" cx=\"" + F(x) + "\" cy=\"" + F(y) + "\" r=\"4.5\"><title>" +
             HtmlEscape("object " + std::to_string(i + 1) + ": +" + FormatCount(p.count) + " records at " +
                        FormatMs(static_cast<double>(p.t_ms))) +
             "</title></circle>\n";
      std::string label(1, '+');
      label += CompactCount(static_cast<double>(p.count));
      const double w = 6.8 * static_cast<double>(label.size());
      // Above-left of the step, skipped when it would overlap the previous one.
      const double lx_right = x - 6;
      if (lx_right - w > last_label_right + 4 && lx_right - w > kX0) {
        svg += Text(lx_right, y - 8, "marker-label s-firehose", label, "end");
        last_label_right = lx_right;
      }
    }
  } else {
    svg += Text((kX0 + kX1) / 2, (kY0 + kY1) / 2, "note", "No object was delivered to S3 during the run", "middle");
  }
  svg += "</svg>\n";
  return svg;
}

std::string ObjectsPlotSvg(const ComparisonResults& r) {
  const auto& objects = r.firehose.object_list;
  double y_max = 0;
  for (const auto& o : objects) y_max = std::max(y_max, static_cast<double>(o.records));
  if (!(y_max > 0)) y_max = 1;
  const double y_step = NiceStep(y_max * 1.1, 5);
  const double y_top = std::ceil(y_max * 1.1 / y_step) * y_step;
  const auto Y = [&](double n) { return kY1 - std::clamp(n / y_top, 0.0, 1.0) * (kY1 - kY0); };

  std::string desc = FormatCount(objects.size()) + " objects delivered to S3; records per object min " +
                     FormatNumber(r.firehose.records_per_object.min, 0) + ", mean " +
                     FormatNumber(r.firehose.records_per_object.mean, 0) + ", max " +
                     FormatNumber(r.firehose.records_per_object.max, 0) + ".";
  std::string svg = Open("objects-plot", "Records per S3 object, in delivery order", desc);

  for (int i = 0; i <= 20; ++i) {
    const double n = i * y_step;
    if (n > y_top * (1 + 1e-9)) break;
    const double y = Y(n);
    svg += Line(kX0, y, kX1, y, i == 0 ? "axis" : "grid");
    svg += Text(kX0 - 8, y + 4, "tick", CompactCount(n), "end");
  }
  svg += Line(kX0, kY0, kX0, kY1, "axis");
  svg +=
      Text((kX0 + kX1) / 2, kHeight - 14, "axis-title", "object, in delivery order (hover for key and size)", "middle");
  svg += Text(18, (kY0 + kY1) / 2, "axis-title", "records in the object", "middle",
              " transform=\"rotate(-90 18 " + F((kY0 + kY1) / 2) + ")\"");
  LegendItem(svg, kX0, 26, "s-firehose", "records per object (label: stored size)", Swatch::kBar);

  if (objects.empty()) {
    svg += Text((kX0 + kX1) / 2, (kY0 + kY1) / 2, "note", "No object was delivered to S3 during the run", "middle");
  } else {
    const double n = static_cast<double>(objects.size());
    const double slot = (kX1 - kX0) / n;
    const double bar = std::max(1.0, slot * 0.7);
    const bool labels = slot >= 44;
    const size_t tick_every = std::max<size_t>(1, static_cast<size_t>(std::ceil(30 / slot)));
    for (size_t i = 0; i < objects.size(); ++i) {
      const auto& o = objects[i];
      const double cx = kX0 + slot * (static_cast<double>(i) + 0.5);
      const double y = Y(static_cast<double>(o.records));
      svg += "<rect class=\"bar s-firehose\" x=\"" + F(cx - bar / 2) + "\" y=\"" + F(y) + "\" width=\"" + F(bar) +
             "\" height=\"" + F(std::max(0.0, kY1 - y)) + "\"><title>" +
             HtmlEscape(o.key + "\n" + FormatCount(o.records) + " records, " +
                        FormatBytes(static_cast<double>(o.size_bytes)) + ", visible at " +
                        FormatMs(static_cast<double>(o.visible_at_ms))) +
             "</title></rect>\n";
      if (labels) svg += Text(cx, y - 6, "bar-label", FormatBytes(static_cast<double>(o.size_bytes)), "middle");
      if (i % tick_every == 0 || i + 1 == objects.size())
        svg += Text(cx, kY1 + 18, "tick", std::to_string(i + 1), "middle");
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace sluice::compare
