// RenderHtml: the self-contained report. One HTML document with inline CSS,
// inline SVG plots (plots.cc) and a few lines of inline JavaScript that only
// record whether the page loaded without errors (body[data-ok="1"]), which the
// browser test checks. A Content-Security-Policy forbids every fetch (no
// network, no fonts, no images), so the file opens offline and cannot leak.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

#include "compare/analysis.h"
#include "compare/format.h"
#include "compare/plots.h"
#include "compare/render.h"

namespace sluice::compare {
namespace {

constexpr size_t kMaxObjectRows = 500;  // the object table lists at most this many

constexpr const char* kStyle = R"CSS(
:root {
  --bg: #f7f8fa; --card: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d8dee4; --grid: #e7ebef;
  --streams: #1f6feb; --firehose: #c2410c; --produced: #6e7781; --accent-bg: #eef4ff;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --grid: #21262d;
    --streams: #58a6ff; --firehose: #f0883e; --produced: #8b949e; --accent-bg: #132339;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 4px; }
header .sub { color: var(--muted); margin: 0 0 16px; }
h2 { font-size: 1.2rem; margin: 0 0 12px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 16px 0; }
section p.caption { color: var(--muted); font-size: 0.9rem; margin: 8px 0 0; }
dl.config { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 4px 20px; margin: 0; font-size: 0.92rem; }
dl.config div { min-width: 0; }
dl.config dt { color: var(--muted); font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; }
dl.config dd { margin: 0 0 4px; font-weight: 600; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; margin: 16px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; border-top: 4px solid var(--line); }
.card.streams { border-top-color: var(--streams); }
.card.firehose { border-top-color: var(--firehose); }
.card.ratio { border-top-color: var(--fg); }
.card .label { color: var(--muted); font-size: 0.9rem; }
.card .big { font-size: 2.1rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card .small { color: var(--muted); font-size: 0.9rem; }
.takeaway { background: var(--accent-bg); }
.takeaway p { margin: 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.85rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
tbody th { font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
th.path-streams { color: var(--streams); }
th.path-firehose { color: var(--firehose); }
td.key { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem; overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--muted); margin-top: 8px; }
svg.plot { display: block; width: 100%; height: auto; font-family: inherit; }
svg.plot .grid { stroke: var(--grid); stroke-width: 1; }
svg.plot .grid-minor { stroke: var(--grid); stroke-width: 1; stroke-dasharray: 2 3; }
svg.plot .axis { stroke: var(--muted); stroke-width: 1.2; }
svg.plot .tick { fill: var(--muted); font-size: 13px; }
svg.plot .axis-title { fill: var(--fg); font-size: 14px; }
svg.plot .legend { fill: var(--fg); font-size: 14px; }
svg.plot .note { fill: var(--muted); font-size: 16px; font-style: italic; }
svg.plot .curve { fill: none; stroke-width: 2.5; stroke-linejoin: round; }
svg.plot .curve.dashed { stroke-dasharray: 6 4; stroke-width: 2; }
svg.plot .drop { stroke-width: 1; stroke-dasharray: 3 3; opacity: 0.6; }
svg.plot .marker { stroke: var(--card); stroke-width: 1.5; }
svg.plot .marker-label { font-size: 13px; font-weight: 600; paint-order: stroke; stroke: var(--card); stroke-width: 4px; stroke-linejoin: round; }
svg.plot .bar-label { fill: var(--muted); font-size: 11px; }
svg.plot .s-streams { stroke: var(--streams); }
svg.plot .s-firehose { stroke: var(--firehose); }
svg.plot .s-produced { stroke: var(--produced); }
svg.plot .marker.s-streams, svg.plot .bar.s-streams, svg.plot .marker-label.s-streams { fill: var(--streams); }
svg.plot .marker.s-firehose, svg.plot .bar.s-firehose, svg.plot .marker-label.s-firehose { fill: var(--firehose); }
svg.plot .marker-label { stroke: var(--card); }
svg.plot .bar { stroke: none; opacity: 0.9; }
footer { color: var(--muted); font-size: 0.85rem; text-align: center; margin-top: 24px; }
@media (max-width: 640px) { main { padding: 12px 8px 32px; } section { padding: 14px 12px; } .card .big { font-size: 1.7rem; } }
)CSS";

// Records errors (including blocked fetches) and marks the body when the
// page finished loading cleanly; the report itself needs no script.
constexpr const char* kScript = R"JS(
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message || e.type)); });
  document.addEventListener('securitypolicyviolation', function (e) { errors.push('csp: ' + e.blockedURI); });
  window.addEventListener('load', function () {
    var plots = document.querySelectorAll('svg.plot').length;
    document.body.dataset.plots = String(plots);
    document.body.dataset.height = String(document.documentElement.scrollHeight);
    document.body.dataset.ok = errors.length === 0 && plots >= 2 ? '1' : '0';
    if (errors.length) document.body.dataset.errors = errors.join(' | ');
  });
})();
)JS";

std::string E(std::string_view s) { return HtmlEscape(s); }

std::string UtcTime(int64_t epoch_ms) {
  if (epoch_ms <= 0) return "";
  const std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "";
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return "";
  return buf;
}

std::string Rate(double per_s) { return FormatNumber(per_s, per_s < 10 ? 1 : 0) + " events/s"; }

void ConfigItem(std::string& h, const std::string& label, const std::string& value) {
  h += "<div><dt>" + E(label) + "</dt><dd>" + E(value.empty() ? "-" : value) + "</dd></div>\n";
}

void SummaryRow(std::string& h, const std::string& label, const std::string& streams, const std::string& firehose) {
  h += "<tr><th scope=\"row\">" + E(label) + "</th><td class=\"num\">" + E(streams) + "</td><td class=\"num\">" +
       E(firehose) + "</td></tr>\n";
}

}  // namespace

std::string RenderHtml(const ComparisonResults& input) {
  ComparisonResults r = input;
  if (r.behaviour.empty()) FillBehaviour(r);
  const auto& c = r.config;
  const auto& p = r.producer;
  const auto& s = r.streams;
  const auto& f = r.firehose;
  const uint64_t objects = ObjectCount(r);

  std::string h;
  h.reserve(64 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n";
  h += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  h += "<meta name=\"generator\" content=\"sluice compare\">\n";
  h += "<title>Sluice: Kinesis Data Streams vs Firehose</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n";
  h += "<script>" + std::string(kScript) + "</script>\n";
  h += "</head>\n<body>\n<main>\n";

  // Header with the configuration.
  const std::string when = UtcTime(c.started_at_ms);
  h += "<header>\n<h1>Kinesis Data Streams vs Firehose, measured</h1>\n";
  h += "<p class=\"sub\">" +
       E(FormatNumber(c.duration_s, c.duration_s < 10 ? 1 : 0) + " s at " + Rate(c.rate) + ", " +
         FormatCount(c.record_size) + "-byte records, " + FormatPercent(c.duplicates_fraction) +
         " duplicates injected" + (when.empty() ? "" : " \u00B7 run started " + when)) +
       "</p>\n";
  h += "<section id=\"config\">\n<h2>Configuration</h2>\n<dl class=\"config\">\n";
  ConfigItem(h, "Endpoint", c.endpoint + (c.embedded ? " (embedded server)" : ""));
  ConfigItem(h, "Region", c.region);
  ConfigItem(h, "Stream", c.stream_name + " (" + FormatCount(c.shards) + (c.shards == 1 ? " shard)" : " shards)"));
  ConfigItem(h, "Delivery stream", c.delivery_stream);
  ConfigItem(h, "Bucket", c.bucket);
  ConfigItem(h, "Buffering hints",
             FormatCount(c.buffering_size_mb) + " MB / " + FormatCount(c.buffering_interval_s) + " s");
  ConfigItem(h, "Compression", c.compression.empty() ? "UNCOMPRESSED" : c.compression);
  ConfigItem(h, "Producer",
             FormatCount(p.records_sent) + " records sent (" + FormatCount(p.unique_events) + " unique + " +
                 FormatCount(p.duplicates_injected) + " duplicates), " + Rate(p.records_per_s) + ", " +
                 FormatCount(p.failed) + " failed");
  h += "</dl>\n</section>\n</header>\n";

  // Headline cards.
  h += "<div class=\"cards\">\n";
  h += "<div class=\"card streams\" id=\"card-streams\"><div class=\"label\">Streams \u2192 consumer \u00B7 median "
       "latency</div><div class=\"big\">" +
       E(s.latency.count ? FormatMs(s.latency.p50_ms) : "-") + "</div><div class=\"small\">" +
       E(s.latency.count ? "p99 " + FormatMs(s.latency.p99_ms) + " \u00B7 " + Rate(s.throughput_per_s)
                         : std::string("no events consumed")) +
       "</div></div>\n";
  h +=
      "<div class=\"card firehose\" id=\"card-firehose\"><div class=\"label\">Firehose \u2192 S3 \u00B7 median latency "
      "to a visible object</div><div class=\"big\">" +
      E(f.latency.count ? FormatMs(f.latency.p50_ms) : "-") + "</div><div class=\"small\">" +
      E(objects ? "p99 " + FormatMs(f.latency.p99_ms) + " \u00B7 " + FormatCount(objects) +
                      (objects == 1 ? " object" : " objects") + " of ~" + FormatNumber(f.records_per_object.mean, 0) +
                      " records"
                : std::string("no object delivered")) +
      "</div></div>\n";
  const auto ratio = MedianLatencyRatio(r);
  h += "<div class=\"card ratio\" id=\"card-ratio\"><div class=\"label\">Firehose median \u00F7 Streams "
       "median</div><div class=\"big\">" +
       E(ratio ? FormatRatio(*ratio) + "\u00D7" : std::string("-")) + "</div><div class=\"small\">" +
       E(ratio ? "the price of buffering: batches in S3 instead of per-event delivery"
               : std::string("needs latency samples on both paths")) +
       "</div></div>\n";
  h += "</div>\n";

  h += "<section class=\"takeaway\" id=\"takeaway\">\n<h2>In short</h2>\n<p>" + E(GlueUnits(Takeaway(r))) +
       "</p>\n</section>\n";

  // Plots.
  h += "<section id=\"latency\">\n<h2>Latency distribution</h2>\n" + LatencyPlotSvg(r) +
       "<p class=\"caption\">Share of events (y) that arrived within a given latency (x, log scale): the Streams "
       "consumer sees each event milliseconds after the put, Firehose only when the object holding it becomes "
       "visible in S3. Dots mark p50 and p99.</p>\n</section>\n";
  h += "<section id=\"timeline\">\n<h2>Timeline</h2>\n" + TimelinePlotSvg(r) +
       "<p class=\"caption\">Events produced and consumed track each other closely; Firehose delivers in steps, one "
       "per S3 object (labelled with its record count). The horizontal gap between the curves is the "
       "latency.</p>\n</section>\n";
  // Behaviour table: the seed's comparison, with measured figures.
  h += "<section id=\"behaviour\">\n<h2>Behaviour</h2>\n<div class=\"table-wrap\">\n<table id=\"behaviour-table\">\n";
  h += "<thead><tr><th scope=\"col\">Characteristic</th><th scope=\"col\" class=\"path-streams\">Kinesis Data "
       "Streams</th><th scope=\"col\" class=\"path-firehose\">Kinesis Data Firehose</th></tr></thead>\n<tbody>\n";
  for (const auto& row : r.behaviour) {
    h += "<tr><th scope=\"row\">" + E(row.characteristic) + "</th><td>" + E(GlueUnits(row.streams)) + "</td><td>" +
         E(GlueUnits(row.firehose)) + "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n</div>\n</section>\n";

  // Summary table.
  h += "<section id=\"summary\">\n<h2>Measured</h2>\n<div class=\"table-wrap\">\n<table id=\"summary-table\">\n";
  h += "<thead><tr><th scope=\"col\"></th><th scope=\"col\" class=\"path-streams num\">Streams \u2192 "
       "consumer</th><th scope=\"col\" class=\"path-firehose num\">Firehose \u2192 S3</th></tr></thead>\n<tbody>\n";
  const auto lat = [&](const LatencySummary& l, double v) { return l.count ? FormatMs(v) : std::string("-"); };
  SummaryRow(h, "Latency p50", lat(s.latency, s.latency.p50_ms), lat(f.latency, f.latency.p50_ms));
  SummaryRow(h, "Latency p95", lat(s.latency, s.latency.p95_ms), lat(f.latency, f.latency.p95_ms));
  SummaryRow(h, "Latency p99", lat(s.latency, s.latency.p99_ms), lat(f.latency, f.latency.p99_ms));
  SummaryRow(h, "Latency max", lat(s.latency, s.latency.max_ms), lat(f.latency, f.latency.max_ms));
  SummaryRow(h, "Latency mean", lat(s.latency, s.latency.mean_ms), lat(f.latency, f.latency.mean_ms));
  SummaryRow(h, "Latency measured from put to", FormatCount(s.latency.count) + " events consumed",
             FormatCount(f.latency.count) + " events visible in S3");
  SummaryRow(h, "Throughput", Rate(s.throughput_per_s), Rate(f.throughput_per_s));
  SummaryRow(h, "Events (unique)", FormatCount(s.events_consumed) + " of " + FormatCount(p.unique_events),
             FormatCount(f.events_delivered) + " of " + FormatCount(p.unique_events));
  SummaryRow(h, "Duplicates", FormatCount(s.duplicates_dropped) + " dropped",
             FormatCount(f.duplicates_seen) + " seen (at-least-once)");
  const uint64_t streams_missing = p.unique_events > s.events_consumed ? p.unique_events - s.events_consumed : 0;
  SummaryRow(h, "Missing", FormatCount(streams_missing), FormatCount(f.missing));
  SummaryRow(h, "Objects", "-",
             FormatCount(objects) +
                 (f.total_bytes ? " (" + FormatBytes(static_cast<double>(f.total_bytes)) + ")" : std::string()));
  SummaryRow(h, "Records per object (min / mean / max)", "-",
             objects ? FormatNumber(f.records_per_object.min, 0) + " / " + FormatNumber(f.records_per_object.mean, 0) +
                           " / " + FormatNumber(f.records_per_object.max, 0)
                     : std::string("-"));
  h += "</tbody>\n</table>\n</div>\n</section>\n";

  h += "<section id=\"objects\">\n<h2>Objects in S3</h2>\n" + ObjectsPlotSvg(r);
  if (!f.object_list.empty()) {
    const size_t shown = std::min(f.object_list.size(), kMaxObjectRows);
    h += "<details>\n<summary>" +
         E("List of objects" + (shown < f.object_list.size()
                                    ? " (first " + FormatCount(shown) + " of " + FormatCount(f.object_list.size()) + ")"
                                    : " (" + FormatCount(shown) + ")")) +
         "</summary>\n<div class=\"table-wrap\">\n<table id=\"objects-table\">\n";
    h += "<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Key</th><th scope=\"col\" "
         "class=\"num\">Size</th><th scope=\"col\" class=\"num\">Records</th><th scope=\"col\" "
         "class=\"num\">Visible at</th></tr></thead>\n<tbody>\n";
    for (size_t i = 0; i < shown; ++i) {
      const auto& o = f.object_list[i];
      h += "<tr><td class=\"num\">" + std::to_string(i + 1) + "</td><td class=\"key\">" + E(o.key) +
           "</td><td class=\"num\">" + E(FormatBytes(static_cast<double>(o.size_bytes))) + "</td><td class=\"num\">" +
           E(FormatCount(o.records)) + "</td><td class=\"num\">" + E(FormatMs(static_cast<double>(o.visible_at_ms))) +
           "</td></tr>\n";
    }
    h += "</tbody>\n</table>\n</div>\n</details>\n";
  }
  h += "</section>\n";

  h += "<footer>Generated by sluice \u00B7 self-contained: no network access needed" +
       (when.empty() ? std::string() : " \u00B7 " + E(when)) + "</footer>\n";
  h += "</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace sluice::compare
