"""scripts/check-layers.py: passes on the tree, and fails, naming the file,
on each kind of wrong edge injected into a temporary copy."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check-layers.py")


def run(root):
    p = subprocess.run([sys.executable, SCRIPT, "--root", root], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class CheckLayersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="check-layers-")
        for d in ("src", "include"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(self.tmp, d))
        os.makedirs(os.path.join(self.tmp, "docs"))
        shutil.copy(os.path.join(ROOT, "docs", "architecture.md"), os.path.join(self.tmp, "docs"))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def inject(self, rel, line):
        path = os.path.join(self.tmp, rel)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def test_the_tree_follows_the_matrix(self):
        rc, out = run(self.tmp)
        self.assertEqual(rc, 0, out)
        self.assertIn("check-layers: ok", out)

    def test_client_including_server_code_fails(self):
        self.inject("src/client/kinesis_json.cc", '#include "kinesis/catalog.h"')
        rc, out = run(self.tmp)
        self.assertEqual(rc, 1, out)
        self.assertIn("src/client/kinesis_json.cc", out)
        self.assertIn("`client` includes \"kinesis/catalog.h\" of `kinesis`", out)

    def test_lower_layer_including_upper_layer_fails(self):
        self.inject("src/base/crc32.cc", '#include "storage/shard_log.h"')
        rc, out = run(self.tmp)
        self.assertEqual(rc, 1, out)
        self.assertIn("src/base/crc32.cc", out)

    def test_public_header_including_src_fails(self):
        self.inject("include/sluice/kinesis_client.h", '#include "base/crc32.h"')
        rc, out = run(self.tmp)
        self.assertEqual(rc, 1, out)
        self.assertIn("include/sluice/kinesis_client.h", out)
        self.assertIn("public header includes", out)

    def test_private_header_of_a_closed_module_fails(self):
        self.inject("src/workers/producer.cc", '#include "client/http_transport.h"')
        rc, out = run(self.tmp)
        self.assertEqual(rc, 1, out)
        self.assertIn("a private header of `client`", out)

    def test_cmake_deps_must_equal_the_matrix(self):
        path = os.path.join(self.tmp, "src", "CMakeLists.txt")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("sluice_library(sluice_compare compare DEPS sluice_codec sluice_base)",
                                 "sluice_library(sluice_compare compare DEPS sluice_codec sluice_base sluice_kinesis)"))
        rc, out = run(self.tmp)
        self.assertEqual(rc, 1, out)
        self.assertIn("`compare` links", out)

    def test_unowned_public_header_fails(self):
        with open(os.path.join(self.tmp, "include", "sluice", "orphan.h"), "w") as f:
            f.write("#pragma once\n")
        rc, out = run(self.tmp)
        self.assertEqual(rc, 1, out)
        self.assertIn("include/sluice/orphan.h: public header owned by no module", out)


if __name__ == "__main__":
    unittest.main()
