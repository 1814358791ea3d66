#!/usr/bin/env bash
# The ASan+UBSan stage of the tests (scripts/test.sh runs it after the Release
# suite): one clang build in build-fuzz/ (-DSLUICE_FUZZ=ON: the libraries and
# tests with -fsanitize=address,undefined, plus the fuzz targets) runs every
# unit and integration test, then every fuzz target briefly.
#   SLUICE_FUZZ_SECONDS  seconds per fuzz target (default 20; 0 skips fuzzing)
# Sanitizer reports of every process (the unit tests, each `sluice serve` an
# integration test starts, the CLI) are written to
# build-fuzz/sanitizer-reports/; any report fails the stage, even when the
# test that caused it passed.
# Not run: the tests labelled "measures" (bench.quick, bench.soak: timings and
# RSS under ASan mean nothing) and "preload" (test_faults_disk: its LD_PRELOAD
# shim cannot share a process with ASan); the Release run has all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build_dir=build-fuzz
seconds="${SLUICE_FUZZ_SECONDS:-20}"

start=$(date +%s)
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_FUZZ=ON >/dev/null
ninja -C "$build_dir" -j"$(nproc)"
built=$(date +%s)

reports="$root/$build_dir/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
(
  # A small quarantine: ASan's default 256 MiB of held-back frees would look
  # like unbounded growth to the memory-bound checks of the Firehose tests.
  export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1:quarantine_size_mb=16"
  export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
  cd "$build_dir"
  ctest --output-on-failure -j"$(nproc)" --timeout 900 -LE "measures|preload"
) || status=1
tested=$(date +%s)
if [ -n "$(ls -A "$reports")" ]; then
  echo "test-sanitizers: sanitizer reports in $reports:" >&2
  for f in "$reports"/*; do echo "== $f" >&2; head -60 "$f" >&2; done
  status=1
fi

if [ "$seconds" -gt 0 ]; then
  bash scripts/fuzz.sh --no-build --build-dir "$build_dir" --seconds "$seconds" || status=1
fi
done_at=$(date +%s)
echo "test-sanitizers: build $((built - start)) s, tests $((tested - built)) s, fuzz $((done_at - tested)) s"
exit "$status"
