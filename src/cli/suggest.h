// "Did you mean ...?" for a mistyped subcommand or option, and the usage
// exit code every parse or validation error maps to.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::cli {

// Usage errors (unknown or missing arguments, invalid values) exit with 2,
// as POSIX utilities do; CLI11's own codes (105-109) are not used.
inline constexpr int kUsageExitCode = 2;

// Levenshtein distance between `a` and `b` (insertions, deletions and
// substitutions each cost 1).
size_t EditDistance(std::string_view a, std::string_view b);

// The known name closest to `typed` when it is close enough to be a typo
// (distance <= max(2, |typed| / 3), or a unique prefix); "" otherwise.
std::string ClosestName(std::string_view typed, const std::vector<std::string>& known);

// After a failed parse of argv against `app`: "did you mean 'produce'?" for
// the first argument that is neither a known subcommand nor a known option
// of the subcommand it follows, naming the nearest known one; "" when there
// is no such argument or nothing close.
std::string SuggestionFor(const CLI::App& app, int argc, const char* const* argv);

// Validates a number >= 0, with a plain message ("must be >= 0, got -5").
CLI::Validator NonNegative();

}  // namespace sluice::cli
