#include "cli/suggest.h"

#include <algorithm>

namespace sluice::cli {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string ClosestName(std::string_view typed, const std::vector<std::string>& known) {
  if (typed.empty()) return "";
  std::string best;
  size_t best_distance = std::max<size_t>(2, typed.size() / 3) + 1;
  for (const auto& k : known) {
    size_t d = EditDistance(typed, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  if (!best.empty()) return best;
  std::string prefixed;
  for (const auto& k : known) {
    if (k.size() > typed.size() && k.compare(0, typed.size(), typed) == 0) {
      if (!prefixed.empty()) return "";  // ambiguous
      prefixed = k;
    }
  }
  return prefixed;
}

namespace {

std::vector<std::string> SubcommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : const_cast<CLI::App&>(app).get_subcommands([](CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> LongOptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options())
    for (const auto& n : opt->get_lnames()) names.push_back(n);
  return names;
}

// "sluice firehose put" for the put subcommand of firehose.
std::string CommandPath(const CLI::App& root, const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a != nullptr && a != &root; a = a->get_parent()) path = " " + a->get_name() + path;
  return "sluice" + path;
}

}  // namespace

std::string SuggestionFor(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* current = &app;
  bool expect_value = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (expect_value) {
      expect_value = false;
      if (arg.empty() || arg[0] != '-' || arg.size() == 1) continue;
    }
    if (arg == "--") break;
    if (arg.size() > 2 && arg.substr(0, 2) == "--") {
      std::string name(
          arg.substr(2, arg.find('=') == std::string_view::npos ? std::string_view::npos : arg.find('=') - 2));
      const CLI::Option* opt = current->get_option_no_throw("--" + name);
      if (opt == nullptr) {
        std::string near = ClosestName(name, LongOptionNames(*current));
        if (near.empty()) return "";
        std::string where = CommandPath(app, current);
        return "unknown option '" + std::string(arg) + "'; did you mean '--" + near + "'? (see '" + where + " --help')";
      }
      expect_value =
          arg.find('=') == std::string_view::npos && opt->get_expected_max() > 0 && opt->get_type_size_max() > 0;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') continue;  // short options, "-" (stdin)
    auto subs = SubcommandNames(*current);
    if (subs.empty()) continue;  // a positional value
    auto matching = const_cast<CLI::App*>(current)->get_subcommands(
        [&](CLI::App* sub) { return sub->check_name(std::string(arg)); });
    if (!matching.empty()) {
      current = matching.front();
      continue;
    }
    std::string near = ClosestName(arg, subs);
    if (near.empty()) return "";
    std::string where = CommandPath(app, current);
    return "'" + std::string(arg) + "' is not a '" + where + "' command; did you mean '" + near + "'? (see '" + where +
           " --help')";
  }
  return "";
}

CLI::Validator NonNegative() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        double d = 0;
        try {
          size_t used = 0;
          d = std::stod(value, &used);
          if (used != value.size()) return "must be a number >= 0, got '" + value + "'";
        } catch (...) {
          return "must be a number >= 0, got '" + value + "'";
        }
        return d < 0 ? "must be >= 0, got " + value : std::string();
      },
      "NUMBER >= 0");
}

}  // namespace sluice::cli
