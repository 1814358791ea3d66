// A use after move that clang-tidy must refuse (ctest checks.tidy_rejects_bad_file).
#include <string>
#include <utility>

std::string Twice(std::string s) {
  std::string moved = std::move(s);
  return moved + s;
}
