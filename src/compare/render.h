// The report renderers: pure functions from ComparisonResults to text.
//
//   RenderTable: the terminal summary printed at the end of `sluice demo` /
//                `sluice compare` (plain text, fixed-width columns).
//   RenderHtml:  the `--html FILE` report, one self-contained HTML document
//                (inline CSS and SVG plots; a Content-Security-Policy that
//                forbids any network fetch, so it opens offline and cannot
//                leak). See docs/report.md.
//
// Both call FillBehaviour on a copy when `results.behaviour` is empty, and
// both render any input (zero samples, no objects, huge values) without
// NaN or crashes. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>

#include "compare/results.h"

namespace sluice::compare {

struct TableOptions {
  // Wrap ANSI bold around headings (only when the output is a terminal that
  // supports it, e.g. isatty(1) and TERM != "dumb" and NO_COLOR unset).
  bool bold = false;
  // Total width the table and the wrapped paragraphs fit in (min 60).
  size_t width = 100;
};

std::string RenderTable(const ComparisonResults& results, const TableOptions& options = {});

std::string RenderHtml(const ComparisonResults& results);

}  // namespace sluice::compare
