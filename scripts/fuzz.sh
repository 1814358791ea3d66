#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan; build-fuzz/) and runs each
# one for a while. Usage:
#   scripts/fuzz.sh [--seconds N] [--no-build] [--build-dir DIR] [target ...]
#   scripts/fuzz.sh --seconds 20    # CI: a short run of every target
#   scripts/fuzz.sh --seconds 600   # the long run (docs/reliability/fuzzing.md)
# Targets are the fuzz/<name>_fuzz.cc files (default: all of them). Each run
# starts from a writable copy of fuzz/corpus/<name>/ (plus what earlier runs
# found, kept in <build>/fuzz-work/<name>/corpus) with fuzz/<name>.dict if
# present, and writes crash/leak/timeout inputs to <build>/fuzz-work/<name>/
# (its data directories go to <build>/fuzz-work/<name>/tmp via TMPDIR).
# Prints one summary line per target and writes <build>/fuzz-summary.{md,json}.
# Exits non-zero if any target crashed, leaked, timed out or reported a
# sanitizer error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=20
build=1
build_dir=build-fuzz
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("${1%_fuzz}"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cc; do n=$(basename "$f" .cc); targets+=("${n%_fuzz}"); done
fi

# Longest input per target: enough for the structures each one parses.
max_len_for() {
  case "$1" in
    http_request|s3_request) echo 8192 ;;
    kinesis_json|firehose_json) echo 16384 ;;
    segment_reader) echo 16384 ;;
    firehose_prefix) echo 4096 ;;  # TZif files are a few KiB
    *) echo 4096 ;;
  esac
}

if [ "$build" -eq 1 ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_FUZZ=ON >/dev/null
  ninja -C "$build_dir" -j2 $(printf '%s_fuzz ' "${targets[@]}")
fi

work="$root/$build_dir/fuzz-work"
mkdir -p "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
md="$root/$build_dir/fuzz-summary.md"
json_rows=()
{
  echo "| target | seconds | executions | exec/s | corpus | new units | peak RSS MB | result |"
  echo "|---|---|---|---|---|---|---|---|"
} >"$md"
for t in "${targets[@]}"; do
  bin="$root/$build_dir/fuzz/${t}_fuzz"
  if [ ! -x "$bin" ]; then echo "fuzz.sh: $bin not built" >&2; failed=1; continue; fi
  dir="$work/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  for seeds in "fuzz/corpus/$t" "fuzz/corpus/${t}_fuzz"; do
    [ -d "$seeds" ] && cp -n "$seeds"/* "$dir/corpus/" 2>/dev/null || true
  done
  dict=()
  for d in "fuzz/$t.dict" "fuzz/${t}_fuzz.dict"; do [ -f "$d" ] && dict=("-dict=$root/$d"); done
  log="$dir/run.log"
  rm -f "$dir"/artifacts/*
  # The targets' data directories (TMPDIR), emptied before every run.
  rm -rf "$dir/tmp" && mkdir -p "$dir/tmp"
  set +e
  (cd "$dir" && TMPDIR="$dir/tmp" "$bin" -max_total_time="$seconds" -max_len="$(max_len_for "$t")" -timeout=30 \
     -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" corpus) >"$log" 2>&1
  rc=$?
  set -e
  stat() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}' || true; }
  execs=$(stat number_of_executed_units); rate=$(stat average_exec_per_sec)
  new_units=$(stat new_units_added); rss=$(stat peak_rss_mb)
  corpus=$(find "$dir/corpus" -type f | wc -l)  # after -merge-free runs: seeds + new units
  artifacts=$(find "$dir/artifacts" -type f | wc -l)
  result=ok
  if [ "$rc" -ne 0 ] || [ "$artifacts" -gt 0 ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$log"; then
    result="FAILED (exit $rc, $artifacts artifact(s), log $log)"
    failed=1
  fi
  printf 'fuzz %-16s %6ss %10s execs %7s exec/s  corpus %5s  crashes %s  %s\n' \
    "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$corpus" "$artifacts" "$result"
  echo "| $t | $seconds | ${execs:-?} | ${rate:-?} | $corpus | ${new_units:-?} | ${rss:-?} | $result |" >>"$md"
  json_rows+=("{\"target\":\"$t\",\"seconds\":$seconds,\"executions\":${execs:-0},\"exec_per_sec\":${rate:-0},\"corpus\":$corpus,\"new_units\":${new_units:-0},\"peak_rss_mb\":${rss:-0},\"artifacts\":$artifacts,\"ok\":$([ "$result" = ok ] && echo true || echo false)}")
  if [ "$result" != ok ]; then
    grep -m1 -A30 -E "ERROR: |runtime error:|==[0-9]+==" "$log" | head -40 >&2 || true
  fi
done
(IFS=,; echo "[${json_rows[*]}]") >"$root/$build_dir/fuzz-summary.json"
echo "fuzz summary: $md"
exit "$failed"
