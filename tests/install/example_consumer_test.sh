#!/usr/bin/env bash
# The installed client library, used the way a user would: installs the dev
# component of BUILD_DIR into a temporary prefix, checks that every installed
# public header compiles on its own, builds examples/consumer against the
# prefix with find_package(Sluice) and again with pkg-config, then runs both
# against a `sluice serve` (SLUICE_BIN) and checks the records they read.
#   tests/install/example_consumer_test.sh BUILD_DIR SLUICE_BIN
set -euo pipefail
build=$(cd "$1" && pwd)
sluice=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
source "$root/tests/install/serve_helper.sh"
trap 'stop_sluice; rm -rf "$work"' EXIT
cxx=${CXX:-c++}

cmake --install "$build" --prefix "$work/prefix" --component dev >"$work/install.log"
prefix=$work/prefix
[ -d "$prefix/include/sluice" ] || { echo "no include/sluice in the installed tree" >&2; exit 1; }
# Nothing of src/ may be installed or needed: each public header alone.
for h in $(cd "$prefix/include" && find sluice -name '*.h' | sort); do
  echo "#include \"$h\"" | "$cxx" -std=c++20 -fsyntax-only -I"$prefix/include" -x c++ - \
    || { echo "installed header $h does not compile on its own" >&2; exit 1; }
done

cmake -S "$root/examples/consumer" -B "$work/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/configure.log"
cmake --build "$work/example" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }

libdir=$(dirname "$(find "$prefix" -name sluice.pc | head -1)")
export PKG_CONFIG_PATH="$libdir"
# shellcheck disable=SC2046
"$cxx" -std=c++20 -O1 "$root/examples/consumer/main.cc" -o "$work/pc-consumer" $(pkg-config --cflags --libs sluice)

start_sluice "$sluice" "$work"
"$work/example/example-consumer" --endpoint-url "$ENDPOINT" --stream installed-example --put 3 >"$work/out1"
"$work/pc-consumer" --endpoint-url "$ENDPOINT" --stream installed-example >"$work/out2"
for out in "$work/out1" "$work/out2"; do
  got=$(awk '{print $3}' "$out" | tr '\n' ' ')
  if [ "$got" != "record-0 record-1 record-2 " ]; then
    echo "unexpected records in $out: '$got'" >&2
    cat "$out" >&2
    exit 1
  fi
done
echo "example-consumer (find_package and pkg-config builds) read: $got"
