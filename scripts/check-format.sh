#!/usr/bin/env bash
# The formatting check: clang-format-14 with .clang-format over every C++ file
# of src/ include/ tests/ fuzz/ bench/ examples/ (tracked by git), warnings as
# errors. Fails listing each file that is not formatted.
#
#   scripts/check-format.sh            check the tree
#   scripts/check-format.sh --fix      rewrite those files in place
#   scripts/check-format.sh [--fix] FILE...   only these files
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
CLANG_FORMAT="${CLANG_FORMAT:-clang-format-14}"
fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
if [ $# -gt 0 ]; then
  files=("$@")
else
  # tests/checks/ holds the check's own fixtures, one of them badly formatted.
  mapfile -t files < <(git ls-files -- src include tests fuzz bench examples |
                       grep -E '\.(cc|h|cpp|hpp)$' | grep -v '^tests/checks/')
fi
[ ${#files[@]} -gt 0 ] || { echo "check-format: no files"; exit 0; }
# The style file by path: files outside the tree (the check's own test) use it too.
style="--style=file:$root/.clang-format"
if [ "$fix" = 1 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$CLANG_FORMAT" "$style" -i
  echo "check-format: formatted ${#files[@]} file(s)"
  exit 0
fi
# One clang-format per 100 files (a process per file is slow on a busy
# machine); each unformatted file gives "<file>:<line>:<col>: error: ...".
status=0
out=$(printf '%s\0' "${files[@]}" |
      xargs -0 -n 100 "$CLANG_FORMAT" "$style" --dry-run -Werror --ferror-limit=1 2>&1 >/dev/null) || status=$?
mapfile -t bad < <(printf '%s\n' "$out" |
  sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
if [ "$status" != 0 ] && [ ${#bad[@]} -eq 0 ]; then
  printf '%s\n' "$out" >&2
  echo "check-format: $CLANG_FORMAT failed" >&2
  exit 2
fi
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check-format: not formatted: %s\n' "${bad[@]}" >&2
  echo "check-format: ${#bad[@]} of ${#files[@]} file(s) differ from .clang-format; run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ok (${#files[@]} files)"
