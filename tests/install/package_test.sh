#!/usr/bin/env bash
# The Debian packages: scripts/package.sh --no-build on BUILD_DIR, both .deb
# files unpacked (dpkg -x) into a fresh root, then checks their contents and
# runs the packaged binary: <root>/usr/bin/sluice --version and a short
# `sluice demo` (embedded server, both paths), and builds examples/consumer
# against <root>/usr with find_package(Sluice).
#   tests/install/package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

debs=$(bash "$root/scripts/package.sh" --no-build --build-dir "$build")
runtime=$(echo "$debs" | grep '/sluice_[^/]*\.deb$')
dev=$(echo "$debs" | grep '/sluice-dev_[^/]*\.deb$')
[ "$(dpkg-deb --field "$runtime" Package)" = sluice ] || { echo "package_test: $runtime is not package sluice" >&2; exit 1; }
[ "$(dpkg-deb --field "$dev" Package)" = sluice-dev ] || { echo "package_test: $dev is not package sluice-dev" >&2; exit 1; }
fresh=$work/root
dpkg -x "$runtime" "$fresh"
dpkg -x "$dev" "$fresh"
for f in usr/bin/sluice usr/include/sluice/kinesis_client.h usr/include/sluice/status.h \
         usr/include/sluice/pipeline/batcher.h usr/lib/libsluice_client.a usr/lib/pkgconfig/sluice.pc \
         usr/lib/cmake/Sluice/SluiceConfig.cmake; do
  [ -e "$fresh/$f" ] || { echo "package_test: $f missing from the packages" >&2; find "$fresh" >&2; exit 1; }
done
if dpkg-deb -c "$runtime" | grep 'include/' >/dev/null; then echo "package_test: headers in the runtime package" >&2; exit 1; fi

version=$("$fresh/usr/bin/sluice" --version)
want=$(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ "$version" = "sluice $want" ] || { echo "package_test: --version said '$version', want 'sluice $want'" >&2; exit 1; }
echo "packaged binary: $version"

mkdir -p "$work/demo"
(cd "$work/demo" && "$fresh/usr/bin/sluice" demo --duration 2 --data-dir "$work/demo/data" \
   --json report.json --html "" >"$work/demo/out.log" 2>&1) \
  || { echo "package_test: sluice demo failed:" >&2; tail -40 "$work/demo/out.log" >&2; exit 1; }
[ -s "$work/demo/report.json" ] || { echo "package_test: the demo wrote no report" >&2; exit 1; }
echo "packaged sluice demo --duration 2: ok"

cmake -S "$root/examples/consumer" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$fresh/usr" >/dev/null
cmake --build "$work/example" >"$work/example.log" || { cat "$work/example.log" >&2; exit 1; }
echo "examples/consumer builds against the unpacked sluice-dev"
