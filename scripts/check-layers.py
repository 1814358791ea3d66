#!/usr/bin/env python3
"""Checks every #include "..." in src/ and include/ against the layer matrix.

The matrix is the table under "## Layers" in docs/architecture.md:

  | module | public headers | may include | TODO(layer) debt |
  |---|---|---|---|
  | `client` | `sluice/kinesis_client.h`, ... | `auth`, `base`, ... | `objstore` |

A file belongs to the module of its folder (src/<module>/...) or, under
include/, to the module whose "public headers" entry names it (a file, or a
folder ending in "/"). An include is allowed when it names a header of the
same module, of a module in "may include", or of one in the "TODO(layer)
debt" column (allowed for now, listed so the debt stays visible). A module
whose public headers cell starts with "closed:" is used by the others only
through those headers; its src/ headers are private unless the includer
lists `<module>/` (with the slash). Public
headers (include/) may include only public headers, so an installed tree is
self-contained.

With --cmake (the default when src/CMakeLists.txt exists) the matrix must
also equal the targets' declared dependencies: each sluice_library(sluice_<m>
<m> [HEADERS ...] deps...) lists exactly the sluice_* libraries of "may
include" plus "debt", and HEADERS exactly the module's public headers. The
compiler enforces those declarations (cmake/SluiceLibrary.cmake), this
script the direct edges.

Usage: check-layers.py [--root DIR] [--no-cmake] [--graph]
Exits 1 with the list of violations, 0 when the tree follows the matrix.
"""
import argparse
import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
TICKS_RE = re.compile(r"`([^`]+)`")


def parse_matrix(path):
    """Returns {module: {"headers": [...], "allowed": set, "debt": set}}."""
    rows = {}
    in_section = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                in_section = line.strip() == "## Layers"
                continue
            if not in_section or not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 4 or not cells[0].startswith("`"):
                continue  # header and separator rows
            module = TICKS_RE.findall(cells[0])[0]
            rows[module] = {
                "headers": TICKS_RE.findall(cells[1]),
                "allowed": set(TICKS_RE.findall(cells[2])),
                "debt": set(TICKS_RE.findall(cells[3])),
                "closed": cells[1].startswith("closed"),
            }
    if not rows:
        raise SystemExit(f"check-layers: no '## Layers' table in {path}")
    return rows


def header_owner(matrix, include):
    """The module owning public header `include` ("sluice/..."), or None."""
    best, best_len = None, -1
    for module, row in matrix.items():
        for h in row["headers"]:
            if (h.endswith("/") and include.startswith(h)) or include == h:
                if len(h) > best_len:
                    best, best_len = module, len(h)
    return best


def parse_cmake(path):
    """{module: (deps as modules, headers)} from the sluice_library() calls."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"#[^\n]*", "", text)
    out = {}
    for m in re.finditer(r"sluice_(?:library|executable)\(([^)]*)\)", text):
        words = m.group(1).split()
        if len(words) < 2:
            continue
        module, rest = words[1], words[2:]
        headers, deps, mode = [], set(), "deps"
        for w in rest:
            if w == "HEADERS":
                mode = "headers"
            elif w == "DEPS":
                mode = "deps"
            elif mode == "headers":
                headers.append(w)
            elif w.startswith("sluice_"):
                deps.add(w[len("sluice_"):])
        out[module] = (deps, headers)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--no-cmake", action="store_true", help="skip the src/CMakeLists.txt comparison")
    ap.add_argument("--graph", action="store_true", help="print the module edges found")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    matrix = parse_matrix(os.path.join(root, "docs", "architecture.md"))
    problems = []

    src = os.path.join(root, "src")
    for d in sorted(os.listdir(src)):
        if os.path.isdir(os.path.join(src, d)) and d not in matrix:
            problems.append(f"src/{d}/: module has no row in the docs/architecture.md layer table")
    for module, row in matrix.items():
        for dep in row["allowed"] | row["debt"]:
            if dep.rstrip("/") not in matrix:
                problems.append(f"layer table: `{module}` may include unknown module `{dep}`")

    edges = {}
    for top in ("src", "include"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith((".h", ".cc", ".hpp", ".cpp")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                public = top == "include"
                if public:
                    owner = header_owner(matrix, os.path.relpath(path, os.path.join(root, "include")))
                    if owner is None:
                        problems.append(f"{rel}: public header owned by no module (add it to a 'public headers' cell)")
                        continue
                else:
                    owner = rel.split(os.sep)[1]
                    if owner not in matrix:
                        continue  # reported above
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE_RE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        if inc.startswith("sluice/"):
                            target = header_owner(matrix, inc)
                            if target is None:
                                problems.append(f"{rel}:{lineno}: includes \"{inc}\", a public header owned by no module")
                                continue
                        else:
                            target = inc.split("/")[0]
                            if public:
                                problems.append(f"{rel}:{lineno}: public header includes \"{inc}\" "
                                                f"(include/ may include only \"sluice/...\" headers)")
                                continue
                            if "/" not in inc or target not in matrix:
                                if os.path.exists(os.path.join(dirpath, inc)):
                                    continue  # a file beside it (generated tables, local headers)
                                problems.append(f"{rel}:{lineno}: includes \"{inc}\", which names no module")
                                continue
                        edges.setdefault((owner, target), []).append(f"{rel}:{lineno}")
                        if target == owner:
                            continue
                        row = matrix[owner]
                        if target not in row["allowed"] and target not in row["debt"]:
                            problems.append(f"{rel}:{lineno}: `{owner}` includes \"{inc}\" of `{target}`, "
                                            f"which `{owner}` may not include")
                        elif (matrix[target]["closed"] and not inc.startswith("sluice/")
                              and f"{target}/" not in row["allowed"] | row["debt"]):
                            problems.append(f"{rel}:{lineno}: `{owner}` includes \"{inc}\", a private header of "
                                            f"`{target}` (use its public headers, \"sluice/...\")")

    cmake_path = os.path.join(root, "src", "CMakeLists.txt")
    if not args.no_cmake and os.path.exists(cmake_path):
        declared = parse_cmake(cmake_path)
        for module, row in matrix.items():
            if module not in declared:
                problems.append(f"src/CMakeLists.txt: no sluice_library()/sluice_executable() for `{module}`")
                continue
            deps, headers = declared[module]
            want = {d for d in row["allowed"] | row["debt"] if not d.endswith("/")}
            if deps != want:
                problems.append(f"src/CMakeLists.txt: `{module}` links {sorted(deps)} but the layer table "
                                f"allows {sorted(want)}")
            if sorted(h.rstrip("/") for h in headers) != sorted(h.rstrip("/") for h in row["headers"]):
                problems.append(f"src/CMakeLists.txt: `{module}` HEADERS {headers} differ from the layer "
                                f"table's {row['headers']}")

    if args.graph:
        for (a, b), where in sorted(edges.items()):
            if a != b:
                print(f"{a} -> {b} ({len(where)})")
    debt = sorted((m, d) for m, row in matrix.items() for d in row["debt"])
    if problems:
        print(f"check-layers: {len(problems)} violation(s) of the layer table in docs/architecture.md:",
              file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"check-layers: ok ({len(matrix)} modules, {sum(len(v) for v in edges.values())} includes; "
          f"{len(debt)} TODO(layer) edge(s): {', '.join(f'{a}->{b}' for a, b in debt) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
