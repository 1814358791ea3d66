// RenderTable: the terminal form of the comparison. Plain text in fixed-width
// columns (cells wrap inside their column), optional ANSI bold on headings.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "compare/analysis.h"
#include "compare/format.h"
#include "compare/render.h"

namespace sluice::compare {
namespace {

// Strips control characters (ESC included) from strings that come from the
// outside world (endpoint, bucket), so they cannot drive the terminal.
std::string TerminalSafe(std::string_view s) {
  std::string out;
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
  return out;
}

// Splits `text` into lines of at most `width` display columns, breaking at
// spaces; longer words are cut (at code point boundaries).
std::vector<std::string> Wrap(std::string_view text, size_t width) {
  width = std::max<size_t>(width, 8);
  std::vector<std::string> lines;
  std::string line;
  size_t line_w = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j == i) break;
    // Keep a number with its unit ("6.2 s", "7 objects"): glue a short word
    // starting with a letter to a preceding word ending in a digit.
    if (j < text.size() && j > i && std::isdigit(static_cast<unsigned char>(text[j - 1]))) {
      size_t k = j + 1;
      while (k < text.size() && text[k] != ' ') ++k;
      if (k > j + 1 && k - j - 1 <= 9 && std::isalpha(static_cast<unsigned char>(text[j + 1]))) j = k;
    }
    std::string word(text.substr(i, j - i));
    i = j;
    size_t word_w = DisplayWidth(word);
    while (word_w > width) {  // hard-cut an over-long word
      if (!line.empty()) {
        lines.push_back(line);
        line.clear();
        line_w = 0;
      }
      size_t cut = 0, cols = 0;
      while (cut < word.size() && cols < width) {
        ++cut;
        while (cut < word.size() && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) ++cut;
        ++cols;
      }
      lines.push_back(word.substr(0, cut));
      word.erase(0, cut);
      word_w = DisplayWidth(word);
    }
    if (word.empty()) continue;
    if (line_w > 0 && line_w + 1 + word_w > width) {
      lines.push_back(line);
      line.clear();
      line_w = 0;
    }
    if (line_w > 0) {
      line += ' ';
      ++line_w;
    }
    line += word;
    line_w += word_w;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

std::string Pad(const std::string& s, size_t width) {
  const size_t w = DisplayWidth(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string RightTrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

class TextTable {
 public:
  TextTable(std::vector<size_t> widths, bool bold) : widths_(std::move(widths)), bold_(bold) {}

  void Header(const std::vector<std::string>& cells) {
    Row(cells, true);
    std::string rule;
    for (size_t c = 0; c < widths_.size(); ++c) {
      if (c > 0) rule += "  ";
      rule += std::string(widths_[c], '-');
    }
    out_ += rule + "\n";
  }

  // One logical row; each cell wraps inside its column. The first column is
  // the row label (bold when enabled).
  void Row(const std::vector<std::string>& cells, bool heading = false) {
    std::vector<std::vector<std::string>> wrapped;
    size_t height = 1;
    for (size_t c = 0; c < widths_.size(); ++c) {
      wrapped.push_back(Wrap(c < cells.size() ? cells[c] : "", widths_[c]));
      height = std::max(height, wrapped.back().size());
    }
    for (size_t l = 0; l < height; ++l) {
      std::string line;
      for (size_t c = 0; c < widths_.size(); ++c) {
        if (c > 0) line += "  ";
        std::string cell = l < wrapped[c].size() ? wrapped[c][l] : "";
        const size_t w = DisplayWidth(cell);
        if (bold_ && (heading || c == 0) && !cell.empty()) cell = "\x1b[1m" + cell + "\x1b[0m";
        line += cell + std::string(w < widths_[c] ? widths_[c] - w : 0, ' ');
      }
      out_ += RightTrim(line) + "\n";
    }
  }

  const std::string& str() const { return out_; }

 private:
  std::vector<size_t> widths_;
  bool bold_;
  std::string out_;
};

std::string Bold(const std::string& s, bool bold) { return bold ? "\x1b[1m" + s + "\x1b[0m" : s; }

std::string Rate(double per_s) { return FormatNumber(per_s, per_s < 10 ? 1 : 0) + " events/s"; }

}  // namespace

std::string RenderTable(const ComparisonResults& input, const TableOptions& options) {
  ComparisonResults filled;
  const ComparisonResults* rp = &input;
  if (input.behaviour.empty()) {
    filled = input;
    FillBehaviour(filled);
    rp = &filled;
  }
  const ComparisonResults& r = *rp;
  const auto& c = r.config;
  const auto& p = r.producer;
  const auto& s = r.streams;
  const auto& f = r.firehose;
  const bool bold = options.bold;
  const size_t width = std::max<size_t>(options.width, 60);

  std::string out;
  out += Bold("Sluice: Kinesis Data Streams vs Firehose, measured", bold) + "\n";

  // The run's configuration, as label + wrapped value.
  const size_t label_w = 10;
  auto info = [&](const std::string& label, const std::string& value) {
    const auto lines = Wrap(value, width - label_w - 4);
    for (size_t i = 0; i < lines.size(); ++i)
      out += RightTrim("  " + Pad(i == 0 ? label : "", label_w) + "  " + lines[i]) + "\n";
  };
  info("run", FormatNumber(c.duration_s, c.duration_s < 10 ? 1 : 0) + " s at " + Rate(c.rate) + ", " +
                  FormatCount(c.record_size) + "-byte records, " + FormatCount(c.shards) +
                  (c.shards == 1 ? " shard, " : " shards, ") + FormatPercent(c.duplicates_fraction) + " duplicates");
  info("endpoint", (c.endpoint.empty() ? std::string("(none)") : TerminalSafe(c.endpoint)) +
                       (c.embedded ? " (embedded server)" : "") +
                       (c.region.empty() ? "" : ", region " + TerminalSafe(c.region)));
  info("firehose", "bucket " + (c.bucket.empty() ? std::string("(unnamed)") : TerminalSafe(c.bucket)) + ", buffering " +
                       FormatCount(c.buffering_size_mb) + " MB / " + FormatCount(c.buffering_interval_s) + " s, " +
                       (c.compression.empty() ? std::string("UNCOMPRESSED") : TerminalSafe(c.compression)));
  info("producer", FormatCount(p.records_sent) + " records sent (" + FormatCount(p.unique_events) + " unique + " +
                       FormatCount(p.duplicates_injected) + " duplicates injected), " + Rate(p.records_per_s) + ", " +
                       FormatCount(p.failed) + " failed");
  out += "\n";

  // The measured figures, one column per path.
  const size_t label_col = 20;
  const size_t value_col = (width - label_col - 4) / 2;
  TextTable measured({label_col, value_col, value_col}, bold);
  measured.Header({"", "Streams -> consumer", "Firehose -> S3"});
  auto latency = [&](const char* label, double LatencySummary::*field) {
    measured.Row({label, s.latency.count ? FormatMs(s.latency.*field) : "-",
                  f.latency.count ? FormatMs(f.latency.*field) : "-"});
  };
  latency("Latency p50", &LatencySummary::p50_ms);
  latency("Latency p95", &LatencySummary::p95_ms);
  latency("Latency p99", &LatencySummary::p99_ms);
  latency("Latency max", &LatencySummary::max_ms);
  measured.Row({"Latency measured", FormatCount(s.latency.count) + " events (put -> consumed)",
                FormatCount(f.latency.count) + " events (put -> visible in S3)"});
  measured.Row({"Throughput", Rate(s.throughput_per_s), Rate(f.throughput_per_s)});
  measured.Row({"Events (unique)", FormatCount(s.events_consumed) + " of " + FormatCount(p.unique_events),
                FormatCount(f.events_delivered) + " of " + FormatCount(p.unique_events)});
  measured.Row({"Duplicates", FormatCount(s.duplicates_dropped) + " dropped",
                FormatCount(f.duplicates_seen) + " seen (at-least-once)"});
  const uint64_t streams_missing = p.unique_events > s.events_consumed ? p.unique_events - s.events_consumed : 0;
  measured.Row({"Missing", FormatCount(streams_missing), FormatCount(f.missing)});
  const uint64_t objects = ObjectCount(r);
  measured.Row({"Objects", "-",
                FormatCount(objects) +
                    (f.total_bytes ? " (" + FormatBytes(static_cast<double>(f.total_bytes)) + ")" : std::string())});
  measured.Row({"Records per object", "-",
                objects ? "min " + FormatNumber(f.records_per_object.min, 0) + " / mean " +
                              FormatNumber(f.records_per_object.mean, 0) + " / max " +
                              FormatNumber(f.records_per_object.max, 0)
                        : std::string("-")});
  out += measured.str();
  out += "\n";

  // The seed's behaviour table with the measured figures.
  const size_t char_col = 12;
  const size_t text_col = (width - char_col - 4) / 2;
  TextTable behaviour({char_col, text_col, text_col}, bold);
  behaviour.Header({"", "Kinesis Data Streams", "Kinesis Data Firehose"});
  for (const auto& row : r.behaviour)
    behaviour.Row({TerminalSafe(row.characteristic), TerminalSafe(row.streams), TerminalSafe(row.firehose)});
  out += behaviour.str();
  out += "\n";

  auto takeaway = Wrap("In short: " + Takeaway(r), width);
  if (bold) takeaway[0] = Bold("In short:", true) + takeaway[0].substr(9);
  for (const auto& line : takeaway) out += line + "\n";
  return out;
}

}  // namespace sluice::compare
