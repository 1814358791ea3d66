"""The README's examples, copy-pasted top to bottom.

Every ```sh block of README.md (except those marked
`<!-- readme-test: skip ... -->`) runs in order in one bash session, with
`set -e`, and every ```python block in between with python3, exactly as a
reader would paste them from the repository root after a build. The only
change is the port: 4566 becomes a free one, so the test can run beside
others.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import tempfile
import unittest

from harness import find_binary, skip_if_external

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def readme_blocks():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    blocks = []
    for m in FENCE.finditer(text):
        before = text[:m.start()].rstrip().splitlines()
        skip = bool(before) and before[-1].startswith("<!-- readme-test: skip")
        blocks.append((m.group(1), m.group(2), skip))
    return blocks


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReadmeTest(unittest.TestCase):
    def test_examples_run_top_to_bottom(self):
        skip_if_external()
        binary = find_binary()
        build = os.path.dirname(os.path.dirname(binary))
        work = tempfile.mkdtemp(prefix="sluice-readme-")
        os.symlink(build, os.path.join(work, "build"))  # "$PWD/build/src" as in the repository root
        port = str(free_port())
        script = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
        ran = {"sh": 0, "python": 0}
        for lang, body, skip in readme_blocks():
            if skip or lang not in ran:
                continue
            body = body.replace("127.0.0.1:4566", "127.0.0.1:" + port)
            body = body.replace("sluice serve ", f"sluice serve --port {port} ")
            if lang == "python":
                script.append("python3 - <<'PYTHON_BLOCK'\n" + body + "PYTHON_BLOCK")
            else:
                script.append(body)
            ran[lang] += 1
        self.assertGreaterEqual(ran["sh"], 5, "the README lost its examples?")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="")
        proc = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0,
                         f"README examples failed\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-5000:]}")
        out = proc.stdout
        self.assertIn("ACTIVE", out)                 # the python block
        self.assertRegex(out, r"\d+ processed\.ndjson")
        self.assertIn("from-stream/", out)           # Firehose delivered from the stream
        self.assertIn("direct/", out)                # and the DirectPut stream
        with open(os.path.join(work, "processed.ndjson")) as f:
            self.assertGreater(sum(1 for _ in f), 1500)


if __name__ == "__main__":
    unittest.main()
