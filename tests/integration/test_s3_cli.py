"""The S3 REST API of `sluice serve` with the unmodified aws CLI:
`aws s3 mb/cp/ls/sync/rm/rb` and `aws s3api ...`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
import unittest

import harness


def aws(endpoint, *args, check=True, timeout=120):
    cmd = ["aws", "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=harness.aws_cli_env(), timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    return proc


class S3CliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = harness.start_server()
        cls.addClassCleanup(cls.server.cleanup)
        cls.endpoint = cls.server.endpoint

    def test_high_level_commands(self):
        b = harness.unique_name("cli").lower()[:40]
        aws(self.endpoint, "s3", "mb", f"s3://{b}")
        self.assertIn(b, aws(self.endpoint, "s3", "ls").stdout)
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "src")
            os.makedirs(os.path.join(src, "sub", "deeper"))
            files = {"a.txt": b"alpha\n", "sub/b.json": b'{"b":1}\n', "sub/deeper/c.bin": os.urandom(3000),
                     "space name.txt": b"spaces", "big.bin": os.urandom(9 * 1024 * 1024)}
            for rel, data in files.items():
                with open(os.path.join(src, rel), "wb") as f:
                    f.write(data)
            # cp one file (small) and sync the tree (big.bin goes multipart: > 8 MB).
            aws(self.endpoint, "s3", "cp", os.path.join(src, "a.txt"), f"s3://{b}/single/a.txt")
            aws(self.endpoint, "s3", "sync", src, f"s3://{b}/tree")
            listing = aws(self.endpoint, "s3", "ls", "--recursive", f"s3://{b}/tree/").stdout
            for rel in files:
                self.assertIn(f"tree/{rel}", listing)
            top = aws(self.endpoint, "s3", "ls", f"s3://{b}/tree/").stdout
            self.assertIn("PRE sub/", top)
            # A second sync uploads nothing.
            again = aws(self.endpoint, "s3", "sync", src, f"s3://{b}/tree").stdout
            self.assertNotIn("upload:", again)
            # Download everything back and compare.
            dst = os.path.join(d, "dst")
            aws(self.endpoint, "s3", "sync", f"s3://{b}/tree", dst)
            for rel, data in files.items():
                with open(os.path.join(dst, rel), "rb") as f:
                    self.assertEqual(hashlib.md5(f.read()).digest(), hashlib.md5(data).digest(), rel)
            out = os.path.join(d, "a-copy.txt")
            aws(self.endpoint, "s3", "cp", f"s3://{b}/single/a.txt", out)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), b"alpha\n")
            # s3 -> s3 copy (CopyObject).
            aws(self.endpoint, "s3", "cp", f"s3://{b}/single/a.txt", f"s3://{b}/copied/a.txt")
            self.assertIn("copied/a.txt", aws(self.endpoint, "s3", "ls", "--recursive", f"s3://{b}").stdout)
        # rb refuses a non-empty bucket; rm --recursive then rb.
        self.assertNotEqual(aws(self.endpoint, "s3", "rb", f"s3://{b}", check=False).returncode, 0)
        aws(self.endpoint, "s3", "rm", "--recursive", f"s3://{b}")
        self.assertEqual(aws(self.endpoint, "s3", "ls", f"s3://{b}").stdout.strip(), "")
        aws(self.endpoint, "s3", "rb", f"s3://{b}")
        self.assertNotIn(b, aws(self.endpoint, "s3", "ls").stdout)

    def test_s3api_commands(self):
        b = harness.unique_name("api").lower()[:40]
        aws(self.endpoint, "s3api", "create-bucket", "--bucket", b)
        aws(self.endpoint, "s3api", "head-bucket", "--bucket", b)
        loc = json.loads(aws(self.endpoint, "s3api", "get-bucket-location", "--bucket", b).stdout)
        self.assertIsNone(loc.get("LocationConstraint"))
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"hello s3api")
            f.flush()
            put = json.loads(aws(self.endpoint, "s3api", "put-object", "--bucket", b, "--key", "x/y.txt",
                                 "--body", f.name, "--content-type", "text/plain", "--metadata", "k=v").stdout)
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(b"hello s3api").hexdigest())
        head = json.loads(aws(self.endpoint, "s3api", "head-object", "--bucket", b, "--key", "x/y.txt").stdout)
        self.assertEqual((head["ContentLength"], head["ContentType"], head["Metadata"]), (11, "text/plain", {"k": "v"}))
        lst = json.loads(aws(self.endpoint, "s3api", "list-objects-v2", "--bucket", b, "--delimiter", "/").stdout)
        self.assertEqual([p["Prefix"] for p in lst["CommonPrefixes"]], ["x/"])
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out")
            got = json.loads(aws(self.endpoint, "s3api", "get-object", "--bucket", b, "--key", "x/y.txt",
                                 "--range", "bytes=6-", out).stdout)
            self.assertEqual(got["ContentRange"], "bytes 6-10/11")
            with open(out, "rb") as f:
                self.assertEqual(f.read(), b"s3api")
        err = aws(self.endpoint, "s3api", "get-object", "--bucket", b, "--key", "missing", "/dev/null", check=False)
        self.assertNotEqual(err.returncode, 0)
        self.assertIn("NoSuchKey", err.stderr)
        err = aws(self.endpoint, "s3api", "create-bucket", "--bucket", b, check=False)
        self.assertIn("BucketAlreadyOwnedByYou", err.stderr)
        aws(self.endpoint, "s3api", "delete-object", "--bucket", b, "--key", "x/y.txt")
        aws(self.endpoint, "s3api", "delete-bucket", "--bucket", b)
        err = aws(self.endpoint, "s3api", "head-bucket", "--bucket", b, check=False)
        self.assertNotEqual(err.returncode, 0)


if __name__ == "__main__":
    unittest.main()
