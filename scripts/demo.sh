#!/usr/bin/env bash
# The main job, end to end on one machine: installs what is missing, builds,
# then `sluice demo` starts an embedded server and runs both of the tutorial's
# paths at once — a producer into a Kinesis stream read by a deduplicating
# consumer, and the same stream delivered by Firehose to an S3 bucket — and
# ends with the measured comparison (terminal table, JSON and an HTML report).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Only what the demo runs: the sluice binary (not the tests, fuzzers or
# benchmarks that scripts/build.sh builds).
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build -j"$(nproc)" sluice
exec build/src/sluice demo --json sluice-report.json --html sluice-report.html "$@"
