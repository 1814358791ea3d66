// Formatted and lint-free (ctest checks.format_accepts_good_file, checks.tidy_accepts_good_file).
#include <string>
#include <utility>

std::string Greeting(std::string name) { return "hello " + std::move(name); }
