"""One server per data directory.

Two servers on one directory would hand out the same sequence numbers to
different records; the second must refuse to start, at once, naming the
process that holds the directory, and a killed holder must not leave a
stale lock behind.
"""

from __future__ import annotations

import subprocess
import time
import unittest

import os

from harness import create_active, read_all, skip_if_external, sluice_cli_env, start_server


class DataDirLockTest(unittest.TestCase):
    def setUp(self):
        skip_if_external()
        self.server = start_server()
        self.addCleanup(self.server.cleanup)

    def second_server(self):
        cmd = [self.server.binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.server.data_dir]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        return proc, time.monotonic() - t0

    def test_second_server_refuses_and_names_the_holder(self):
        k = self.server.client()
        create_active(k, "locked", shards=1)
        seq = k.put_record(StreamName="locked", Data=b"first", PartitionKey="p")["SequenceNumber"]
        proc, took = self.second_server()
        self.assertNotEqual(proc.returncode, 0, proc.stderr)
        self.assertLess(took, 1.5, "the refusal must come within a second")
        self.assertIn(f"PID {self.server.proc.pid}", proc.stderr)
        self.assertIn("in use", proc.stderr)
        # The first server is unaffected and its records are all there.
        got = read_all(k, "locked", "shardId-000000000000")
        self.assertEqual([r["SequenceNumber"] for r in got], [seq])

    def test_kill9_leaves_no_stale_lock(self):
        k = self.server.client()
        create_active(k, "survivor", shards=1)
        seq = k.put_record(StreamName="survivor", Data=b"x", PartitionKey="p")["SequenceNumber"]
        self.server.kill9()
        self.server.start()
        got = read_all(self.server.client(), "survivor", "shardId-000000000000")
        self.assertEqual([r["SequenceNumber"] for r in got], [seq])
        proc, _ = self.second_server()
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(f"PID {self.server.proc.pid}", proc.stderr)

    def test_second_consumer_on_one_checkpoint_database_refuses(self):
        k = self.server.client()
        create_active(k, "shared", shards=1)
        k.put_record(StreamName="shared", Data=b'{"event_id":"a"}', PartitionKey="p")
        db = os.path.join(os.path.dirname(self.server.data_dir), "cp.db")
        cmd = [self.server.binary, "consume", "--stream-name", "shared", "--endpoint-url", self.server.endpoint,
               "--checkpoint-db", db, "--output", os.devnull, "--quiet"]
        first = subprocess.Popen(cmd + ["--idle-exit", "30"], env=sluice_cli_env(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while not os.path.exists(db + ".lock") and time.monotonic() < deadline:
                time.sleep(0.05)
            t0 = time.monotonic()
            second = subprocess.run(cmd + ["--idle-exit", "1"], env=sluice_cli_env(), capture_output=True,
                                    text=True, timeout=30, stdin=subprocess.DEVNULL)
            self.assertNotEqual(second.returncode, 0, second.stderr)
            self.assertLess(time.monotonic() - t0, 5)
            self.assertIn(f"PID {first.pid}", second.stderr)
        finally:
            first.terminate()
            first.wait(timeout=30)


if __name__ == "__main__":
    unittest.main()
