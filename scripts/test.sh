#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test
# (GoogleTest unit tests and the real-client integration tests) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900
