#!/usr/bin/env bash
# Builds the Debian packages with CPack into <build>/packages/:
#   sluice_<version>_<arch>.deb      /usr/bin/sluice
#   sluice-dev_<version>_<arch>.deb  the client libraries (static), the public
#                                    headers /usr/include/sluice/, CMake
#                                    (find_package(Sluice)) and pkg-config files
# Usage: scripts/package.sh [--no-build] [--build-dir DIR]
# Builds only what the packages hold (sluice and the client libraries), unless
# --no-build. Prints the paths of the .deb files.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$build" -eq 1 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build_dir" sluice sluice_client sluice_pipeline sluice_workers
fi
out="$(cd "$build_dir" && pwd)/packages"
rm -rf "$out"
mkdir -p "$out"
(cd "$build_dir" && cpack -G DEB -B "$out" >"$out/cpack.log") || { cat "$out/cpack.log" >&2; exit 1; }
rm -rf "$out/_CPack_Packages"
ls "$out"/*.deb
