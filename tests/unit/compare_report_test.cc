// The report renderers: terminal table and self-contained HTML.
//
// CompareReport.WritesSampleReport also writes report.html, results.json and
// table.txt of the simulated sample run into $SLUICE_REPORT_SAMPLE_DIR when
// that is set; tests/integration/test_report_browser.py uses it to open the
// report in headless Chromium.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "compare/analysis.h"
#include "compare/format.h"
#include "compare/render.h"
#include "compare/results.h"
#include "compare/sample.h"

namespace sluice::compare {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Collapses runs of spaces, newlines and no-break spaces into one space, so
// checks do not depend on where text wraps.
std::string Flatten(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool nbsp = s.compare(i, 2, "\xC2\xA0") == 0;
    if (s[i] == ' ' || s[i] == '\n' || nbsp) {
      if (nbsp) ++i;
      if (out.empty() || out.back() != ' ') out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// "nan" / "inf" as words, in any case: what printf makes of non-finite
// doubles.
bool HasNonFinite(const std::string& s) {
  static const std::regex re(R"((^|[^A-Za-z])-?(nan|inf)([^A-Za-z]|$))", std::regex::icase);
  return std::regex_search(s, re);
}

// Checks that every element is closed in order (HTML void elements and
// self-closing SVG elements excepted), skipping <style>/<script> bodies.
// Returns "" when balanced, else a description of the first problem.
std::string TagBalance(const std::string& html) {
  static const std::vector<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link", "col", "!doctype"};
  std::vector<std::string> stack;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    const size_t end = html.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    std::string tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (closing) tag.erase(0, 1);
    std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (self_closing || std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end()) continue;
    if (closing) {
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> does not close <" + (stack.empty() ? "" : stack.back()) + ">";
      stack.pop_back();
      continue;
    }
    stack.push_back(name);
    if (name == "style" || name == "script") {  // raw text: jump to its end tag
      const size_t close = html.find("</" + name + ">", i);
      if (close == std::string::npos) return "unclosed <" + name + ">";
      i = close;
    }
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return "";
}

// Every "http://" / "https://" must be in text, not inside a tag (no
// resource reference, no link), and no CSS may fetch anything.
void ExpectNoExternalReferences(const std::string& html) {
  for (const char* scheme : {"http://", "https://", "//fonts.", "www."}) {
    for (size_t pos = html.find(scheme); pos != std::string::npos; pos = html.find(scheme, pos + 1)) {
      const size_t open = html.rfind('<', pos);
      const size_t close = html.rfind('>', pos);
      EXPECT_TRUE(open == std::string::npos || (close != std::string::npos && close > open))
          << scheme << " inside a tag near: " << html.substr(open, 120);
    }
  }
  for (const char* fetch : {"url(", "@import", "<link", "<img", "<iframe", "<object", "<embed", "@font-face"}) {
    EXPECT_FALSE(Contains(html, fetch)) << fetch;
  }
  // No attribute that fetches or navigates, in any tag.
  for (size_t open = html.find('<'); open != std::string::npos; open = html.find('<', open + 1)) {
    const size_t close = html.find('>', open);
    ASSERT_NE(close, std::string::npos);
    std::string tag = html.substr(open, close - open);
    for (auto& ch : tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const char* a : {" src=", " href=", " xlink:href=", " action=", " poster=", " srcset=", " background="})
      EXPECT_FALSE(Contains(tag, a)) << tag.substr(0, 120);
  }
  EXPECT_TRUE(Contains(html, "Content-Security-Policy\" content=\"default-src 'none'"));
}

ComparisonResults Small() {
  ComparisonResults r;
  r.config.endpoint = "http://127.0.0.1:4566";
  r.config.embedded = true;
  r.config.bucket = "my-bucket";
  r.config.duration_s = 30;
  r.config.rate = 250;
  r.config.record_size = 180;
  r.config.shards = 3;
  r.config.duplicates_fraction = 0.05;
  r.config.buffering_size_mb = 2;
  r.config.buffering_interval_s = 15;
  r.config.compression = "GZIP";
  r.producer = {7875, 7500, 375, 262.5, 2};
  r.streams.latency = {7500, 120, 300, 450, 910, 131.5};
  r.streams.latency_samples_ms = {3, 12.5, 120, 450, 910};
  r.streams.events_consumed = 7500;
  r.streams.duplicates_dropped = 375;
  r.streams.throughput_per_s = 249.75;
  r.streams.timeline = {{0, 240}, {1000, 251}};
  r.firehose.latency = {7500, 6200, 14000, 15500, 16000, 7000};
  r.firehose.latency_samples_ms = {900, 6200, 16000};
  r.firehose.objects = 2;
  r.firehose.total_bytes = 1357924;
  r.firehose.records_per_object = {3000, 3937.5, 4875};
  r.firehose.object_list = {{"2024/01/01/00/a", 600000, 3000, 15300}, {"2024/01/01/00/b", 757924, 4875, 25300}};
  r.firehose.events_delivered = 7499;
  r.firehose.duplicates_seen = 376;
  r.firehose.missing = 1;
  r.firehose.throughput_per_s = 299.96;
  r.produced_timeline = {{0, 262}, {1000, 263}};
  return r;  // behaviour left empty: the renderers fill it
}

// Runs both renderers and the structural checks every input must pass.
void ExpectRendersCleanly(const ComparisonResults& r) {
  const std::string table = RenderTable(r);
  const std::string html = RenderHtml(r);
  EXPECT_FALSE(HasNonFinite(table)) << table;
  EXPECT_FALSE(HasNonFinite(html));
  EXPECT_EQ(TagBalance(html), "");
  ExpectNoExternalReferences(html);
  EXPECT_TRUE(Contains(html, "id=\"latency-plot\""));
  EXPECT_TRUE(Contains(html, "id=\"timeline-plot\""));
  EXPECT_EQ(Count(html, "<svg"), Count(html, "</svg>"));
  EXPECT_EQ(Count(html, "<table"), Count(html, "</table>"));
  EXPECT_EQ(Count(html, "<script"), 1u);  // ours only
}

TEST(CompareTable, ShowsTheMeasuredNumbers) {
  const std::string t = RenderTable(Small());
  for (const char* want : {"120 ms", "300 ms", "450 ms", "910 ms",  // Streams p50/p95/p99/max
                           "6.2 s", "14 s", "15.5 s", "16 s",       // Firehose p50/p95/p99/max
                           "250 events/s", "300 events/s",          // throughput
                           "7,500 of 7,500", "7,499 of 7,500",      // unique events
                           "375 dropped", "376 seen",               // duplicates
                           "2 (1.3 MiB)", "min 3,000 / mean 3,938 / max 4,875",
                           "http://127.0.0.1:4566 (embedded server)", "2 MB / 15 s, GZIP", "7,875 records sent"}) {
    EXPECT_TRUE(Contains(t, want)) << "missing '" << want << "' in\n" << t;
  }
  // The behaviour table and the takeaway.
  EXPECT_TRUE(Contains(t, "Delivery"));
  EXPECT_TRUE(Contains(t, "Complexity"));
  EXPECT_TRUE(Contains(t, "near real time: p50 120 ms, p99 450 ms"));
  EXPECT_TRUE(Contains(t, "In short:"));
  EXPECT_TRUE(Contains(Flatten(t), "about 52 times later"));
  EXPECT_FALSE(Contains(t, "\x1b"));  // no ANSI unless asked
}

TEST(CompareTable, FitsTheWidthAndBoldsOnlyWhenAsked) {
  for (size_t width : {60u, 80u, 120u}) {
    const std::string t = RenderTable(MakeSampleResults(), {.bold = false, .width = width});
    size_t start = 0;
    while (start < t.size()) {
      const size_t nl = t.find('\n', start);
      const std::string line = t.substr(start, nl - start);
      EXPECT_LE(DisplayWidth(line), width) << "'" << line << "'";
      start = nl + 1;
    }
  }
  const std::string bold = RenderTable(Small(), {.bold = true});
  EXPECT_TRUE(Contains(bold, "\x1b[1m"));
  EXPECT_EQ(Count(bold, "\x1b[1m"), Count(bold, "\x1b[0m"));
}

TEST(CompareTable, StripsTerminalControlFromNames) {
  ComparisonResults r = Small();
  r.config.bucket = "evil\x1b]0;title\x07-bucket";
  const std::string t = RenderTable(r);
  EXPECT_FALSE(Contains(t, "\x1b"));
  EXPECT_FALSE(Contains(t, "\x07"));
}

TEST(CompareHtml, IsSelfContainedAndWellFormed) {
  const std::string html = RenderHtml(MakeSampleResults());
  ExpectRendersCleanly(MakeSampleResults());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(Contains(html, "<title>"));
  EXPECT_TRUE(Contains(html, "id=\"objects-plot\""));
  EXPECT_TRUE(Contains(html, "id=\"summary-table\""));
  EXPECT_TRUE(Contains(html, "id=\"behaviour-table\""));
  // Each plot has an accessible title and drawn content.
  for (const char* id : {"latency-plot", "timeline-plot", "objects-plot"}) {
    const size_t start = html.find(std::string("<svg id=\"") + id + "\"");
    ASSERT_NE(start, std::string::npos) << id;
    const std::string svg = html.substr(start, html.find("</svg>", start) - start);
    EXPECT_TRUE(Contains(svg, "role=\"img\"")) << id;
    EXPECT_TRUE(Contains(svg, "<title id=\"")) << id;
    EXPECT_TRUE(Contains(svg, "<path") || Contains(svg, "<rect")) << id;
  }
}

TEST(CompareHtml, ShowsTheNumbersAndTheEndpointAsText) {
  const std::string html = Flatten(RenderHtml(Small()));
  for (const char* want : {"120 ms", "450 ms", "6.2 s", "7,500 of 7,500", "375 dropped", "376 seen",
                           "near real time: p50 120 ms, p99 450 ms", "S3 bucket my-bucket (2 objects",
                           "automatic: buffering hints 2 MB / 15 s, compression GZIP",
                           "http://127.0.0.1:4566 (embedded server)", "p50 120 ms", "p99 15.5 s"}) {
    EXPECT_TRUE(Contains(html, want)) << want;
  }
}

TEST(CompareHtml, EscapesKeysAndEndpoint) {
  ComparisonResults r = Small();
  r.firehose.object_list[0].key = "<script>alert(1)</script>";
  r.config.endpoint = "https://evil.example/\"><img src=x onerror=alert(1)>";
  r.config.bucket = "b&b";
  const std::string html = RenderHtml(r);
  EXPECT_FALSE(Contains(html, "<script>alert(1)"));
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_FALSE(Contains(html, "<img"));
  EXPECT_TRUE(Contains(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(Contains(html, "b&amp;b"));
  ExpectRendersCleanly(r);
}

TEST(CompareHtml, DegenerateInputsRender) {
  // Nothing measured at all.
  ExpectRendersCleanly(ComparisonResults{});

  // Zero samples on one path (Firehose delivered nothing in a short run).
  ComparisonResults no_firehose = Small();
  no_firehose.firehose = {};
  ExpectRendersCleanly(no_firehose);
  EXPECT_TRUE(Contains(RenderHtml(no_firehose), "No object was delivered"));
  EXPECT_TRUE(Contains(RenderTable(no_firehose), "delivered no object"));

  // Zero samples on the other path, summary present but no samples.
  ComparisonResults no_samples = Small();
  no_samples.streams.latency = {};
  no_samples.streams.latency_samples_ms.clear();
  no_samples.firehose.latency_samples_ms.clear();
  ExpectRendersCleanly(no_samples);

  // One object, one sample, zero-millisecond latencies.
  ComparisonResults one = Small();
  one.firehose.object_list.resize(1);
  one.firehose.objects = 1;
  one.firehose.timeline.clear();
  one.firehose.latency_samples_ms = {0};
  one.firehose.latency = SummarizeLatencies({0});
  one.streams.latency_samples_ms = {0, 0, 0};
  one.streams.latency = SummarizeLatencies({0, 0, 0});
  ExpectRendersCleanly(one);

  // Huge and hostile values.
  ComparisonResults huge = MakeSampleResults();
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  huge.producer.unique_events = UINT64_MAX;
  huge.producer.records_sent = UINT64_MAX;
  huge.streams.events_consumed = UINT64_MAX;
  huge.streams.throughput_per_s = inf;
  huge.streams.latency.p99_ms = nan;
  huge.streams.latency.max_ms = 1e300;
  huge.streams.latency_samples_ms.push_back(1e300);
  huge.streams.latency_samples_ms.push_back(nan);
  huge.streams.latency_samples_ms.push_back(-5);
  huge.firehose.records_per_object = {0, nan, 1e30};
  huge.firehose.total_bytes = UINT64_MAX;
  huge.firehose.object_list.push_back({"huge", UINT64_MAX, UINT64_MAX, INT64_MAX});
  huge.firehose.timeline.push_back({INT64_MIN, UINT64_MAX});
  huge.produced_timeline.push_back({INT64_MAX - 5, UINT64_MAX});
  huge.config.duration_s = nan;
  huge.config.rate = -inf;
  huge.behaviour.clear();
  ExpectRendersCleanly(huge);

  // Thousands of objects.
  ComparisonResults many = MakeSampleResults({.seed = 2, .duration_s = 120, .rate = 50, .buffering_interval_s = 1});
  for (int i = 0; i < 3000; ++i) many.firehose.object_list.push_back({std::to_string(i), 100, 1, 1000 + i});
  ExpectRendersCleanly(many);
}

TEST(CompareReport, WritesSampleReport) {
  const ComparisonResults r = MakeSampleResults();
  const std::string html = RenderHtml(r);
  const std::string table = RenderTable(r);
  const std::string json = SerializeResults(r);
  ASSERT_FALSE(html.empty());
  ASSERT_TRUE(ParseResults(json).ok());
  const char* dir = std::getenv("SLUICE_REPORT_SAMPLE_DIR");
  if (dir == nullptr || *dir == '\0') return;  // only writes for the browser test
  for (const auto& [name, content] : {std::pair<std::string, const std::string*>{"report.html", &html},
                                      {"table.txt", &table},
                                      {"results.json", &json}}) {
    std::ofstream out(std::string(dir) + "/" + name, std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(out) << dir << "/" << name;
    out << *content;
    out.close();
    ASSERT_TRUE(out) << "writing " << name;
  }
}

}  // namespace
}  // namespace sluice::compare
