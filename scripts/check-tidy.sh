#!/usr/bin/env bash
# The lint check: clang-tidy-14 with .clang-tidy (warnings are errors) over
# every src/ file of a clang compile database, two at a time
# (run-clang-tidy-14 -j2). Fails on any finding.
#
#   scripts/check-tidy.sh              configure build-tidy/ if needed, check src/
#   scripts/check-tidy.sh FILE...      check these files alone (-std=c++20, no
#                                      database: the check's own test)
# SLUICE_TIDY_BUILD: the build directory whose compile_commands.json is used.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
CLANG_TIDY="${CLANG_TIDY:-clang-tidy-14}"
if [ $# -gt 0 ]; then
  "$CLANG_TIDY" --quiet --config-file="$root/.clang-tidy" "$@" -- -std=c++20
  exit
fi
build="${SLUICE_TIDY_BUILD:-build-tidy}"
if [ ! -f "$build/compile_commands.json" ]; then
  # Configuring is enough: the include views are made at configure time and
  # no source is generated.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi
# src/ only, not its unit tests (*_test.cc); objstore/local_store.* and dynamodb/ are being rewritten on
# other branches and join the check when they land.
start=$SECONDS
run-clang-tidy-14 -clang-tidy-binary "$(command -v "$CLANG_TIDY")" -p "$build" -j 2 -quiet \
  "$root/src/(?!objstore/local_store|dynamodb/)(?!.*_test\.cc$).*\.cc$"
echo "check-tidy: ok ($((SECONDS - start)) s)"
