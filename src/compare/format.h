// Number and text formatting shared by the table and HTML renderers: human
// durations ("120 ms", "6.2 s"), counts with thousands separators, byte sizes,
// and HTML escaping. Every function accepts any input (NaN, infinities, huge
// values) and returns printable text, never "nan" or "inf".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::compare {

// "0.42 ms", "4.2 ms", "120 ms", "6.2 s", "42.5 s", "42 s", "3.5 min", "2.1 h";
// "n/a" when not finite; negative values are shown as 0.
std::string FormatMs(double ms);

// "0", "999", "12,345", "18,446,744,073,709,551,615".
std::string FormatCount(uint64_t n);

// A non-negative real with `decimals` digits after the point and thousands
// separators: FormatNumber(1234.5, 1) == "1,234.5". "n/a" when not finite.
std::string FormatNumber(double v, int decimals);

// "512 B", "1.5 KiB", "12.3 MiB", "2.0 GiB".
std::string FormatBytes(double bytes);

// A percentage of a fraction: FormatPercent(0.05) == "5%", 0.125 -> "12.5%".
std::string FormatPercent(double fraction);

// Escapes & < > " ' for HTML text and attribute values (also inside inline
// SVG). Bytes that are not valid UTF-8 are replaced by U+FFFD, and control
// characters other than tab / newline are dropped, so any S3 key or endpoint
// string is safe to embed.
std::string HtmlEscape(std::string_view s);

// `s` with the space between a number and the word after it ("6.2 s",
// "7 objects") made a no-break space (U+00A0), for HTML text that wraps.
std::string GlueUnits(std::string_view s);

// Number of terminal columns `s` occupies: UTF-8 code points, ignoring ANSI
// escape sequences (ESC [ ... m).
size_t DisplayWidth(std::string_view s);

}  // namespace sluice::compare
