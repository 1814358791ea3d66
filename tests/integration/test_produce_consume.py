"""`sluice produce` and `sluice consume` end to end: against `sluice serve` and
against kinesalite (an independent implementation), with injected duplicates,
checkpoint resume, and a consumer killed with SIGKILL part-way."""

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
from collections import Counter

import harness
from harness import kinesis_client, start_server, unique_name



class ProduceConsumeBase:
    endpoint = None  # set by subclasses

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-pc-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.dir]))
        self.bin = harness.find_binary()

    def produce(self, stream, *args):
        summary = os.path.join(self.dir, f"produce-{time.monotonic_ns()}.json")
        proc = subprocess.run([self.bin, "produce", "--stream-name", stream, "--endpoint-url", self.endpoint,
                               "--summary-json", summary, "--quiet", *args],
                              capture_output=True, text=True, timeout=300, env=harness.sluice_cli_env(), cwd=self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(summary) as f:
            return json.load(f)

    def consume_cmd(self, stream, output, db, *args):
        return [self.bin, "consume", "--stream-name", stream, "--endpoint-url", self.endpoint,
                "--checkpoint-db", db, "--output", output, "--quiet", *args]

    def consume(self, stream, output, db, *args):
        proc = subprocess.run(self.consume_cmd(stream, output, db, *args), capture_output=True, text=True,
                              timeout=300, env=harness.sluice_cli_env(), cwd=self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def count_lines(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0

    def read_ids(self, path):
        with open(path) as f:
            return [json.loads(line)["event_id"] for line in f if line.strip()]

    def check_exactly_once(self, summary, ids):
        counts = Counter(ids)
        repeated = [i for i, n in counts.items() if n > 1]
        self.assertEqual(repeated, [], "events processed more than once")
        unique = summary["records_added"] - summary["duplicates_injected"]
        self.assertEqual(len(counts), unique)
        self.assertTrue(all(i.startswith(summary["run_id"] + "-") for i in counts))
        expected = {f"{summary['run_id']}-{n}" for n in range(unique)}
        self.assertEqual(set(counts), expected)

    def test_duplicates_are_dropped_and_every_event_is_processed_once(self):
        stream = unique_name("pc")
        s = self.produce(stream, "--create-stream", "--shard-count", "3", "--count", "3000",
                         "--duplicates", "0.2", "--seed", "11")
        self.assertGreater(s["duplicates_injected"], 400)
        self.assertEqual(s["failed"], 0)
        self.assertEqual(s["stats"]["records_sent"], 3000)
        out = os.path.join(self.dir, "out.ndjson")
        self.consume(stream, out, os.path.join(self.dir, "c.db"), "--idle-exit", "2")
        self.check_exactly_once(s, self.read_ids(out))

    def test_restart_resumes_after_the_checkpoint(self):
        stream = unique_name("resume")
        s1 = self.produce(stream, "--create-stream", "--shard-count", "2", "--count", "500", "--seed", "5",
                          "--run-id", "first")
        out, db = os.path.join(self.dir, "out.ndjson"), os.path.join(self.dir, "c.db")
        self.consume(stream, out, db, "--idle-exit", "1.5")
        self.assertEqual(len(self.read_ids(out)), 500)
        s2 = self.produce(stream, "--count", "300", "--seed", "6", "--run-id", "second")
        self.consume(stream, out, db, "--idle-exit", "1.5")
        ids = self.read_ids(out)
        self.assertEqual(len(ids), 800)
        self.assertEqual(len(set(ids)), 800)
        self.assertEqual(sum(1 for i in ids if i.startswith("second-")), s2["records_added"])
        self.assertEqual(s1["records_added"], 500)


class ProduceConsumeSluiceTest(ProduceConsumeBase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = start_server(transition_ms=50)
        cls.endpoint = cls.server.endpoint

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_consumer_killed_with_sigkill_processes_every_event_exactly_once(self):
        stream = unique_name("kill")
        s = self.produce(stream, "--create-stream", "--shard-count", "4", "--count", "4000",
                         "--duplicates", "0.15", "--seed", "99")
        out, db = os.path.join(self.dir, "out.ndjson"), os.path.join(self.dir, "c.db")
        # Slow processing (1 ms per event) and small batches so that the kills
        # land mid-stream, between writing output and committing checkpoints.
        cmd = self.consume_cmd(stream, out, db, "--process-ms", "1", "--idle-exit", "2")
        kills = 0
        for delay in (0.3, 0.5, 0.2, 0.4):
            before = self.count_lines(out)
            proc = subprocess.Popen(cmd, env=harness.sluice_cli_env(), cwd=self.dir, stderr=subprocess.DEVNULL)
            # Kill once this run has written output (start-up time varies with
            # the machine's load), a little later so it is mid-batch.
            deadline = time.monotonic() + 30
            while proc.poll() is None and self.count_lines(out) <= before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        self.assertGreaterEqual(kills, 2, "the consumer finished before it could be killed")
        partial = len(self.read_ids(out))
        self.assertGreater(partial, 0)
        self.consume(stream, out, db, "--idle-exit", "2")
        self.check_exactly_once(s, self.read_ids(out))

    def test_crash_between_output_and_checkpoint_rewinds_the_output(self):
        stream = unique_name("window")
        s = self.produce(stream, "--create-stream", "--shard-count", "2", "--count", "2000", "--seed", "3")
        out, db = os.path.join(self.dir, "out.ndjson"), os.path.join(self.dir, "c.db")
        cmd = self.consume_cmd(stream, out, db, "--idle-exit", "2", "--batch-size", "100")
        # Each run checkpoints two batches, then dies right after writing the
        # output of its 3rd and before checkpointing it; the next run must cut
        # that output away and write it again, once.
        for _ in range(3):
            env = harness.sluice_cli_env()
            env["SLUICE_CRASH_AFTER_OUTPUT_COMMITS"] = "3"
            proc = subprocess.run(cmd, env=env, cwd=self.dir, capture_output=True, timeout=120)
            self.assertEqual(proc.returncode, -signal.SIGKILL, proc.stderr)
        self.consume(stream, out, db, "--idle-exit", "2")
        self.check_exactly_once(s, self.read_ids(out))

    def test_latest_skips_what_came_before(self):
        stream = unique_name("latest")
        self.produce(stream, "--create-stream", "--shard-count", "2", "--count", "200", "--run-id", "old")
        out, db = os.path.join(self.dir, "out.ndjson"), os.path.join(self.dir, "c.db")
        proc = subprocess.Popen(self.consume_cmd(stream, out, db, "--from", "latest", "--idle-exit", "3"),
                                env=harness.sluice_cli_env(), cwd=self.dir)
        time.sleep(1.0)
        self.produce(stream, "--count", "100", "--run-id", "new")
        self.assertEqual(proc.wait(timeout=60), 0)
        ids = self.read_ids(out)
        self.assertEqual(len(ids), 100)
        self.assertTrue(all(i.startswith("new-") for i in ids))

    def test_ndjson_input_with_partition_key_field(self):
        stream = unique_name("nd")
        src = os.path.join(self.dir, "in.ndjson")
        with open(src, "w") as f:
            for n in range(50):
                f.write(json.dumps({"event_id": f"nd-{n}", "customer": f"c{n % 5}", "n": n}) + "\n")
            f.write("not json\n\n")
        proc = subprocess.run([self.bin, "produce", "--stream-name", stream, "--endpoint-url", self.endpoint,
                               "--create-stream", "--input", src, "--partition-key-field", "customer", "--quiet"],
                              capture_output=True, text=True, timeout=120, env=harness.sluice_cli_env())
        # The bad line is reported with its number and makes the exit code 1;
        # the good lines are sent all the same.
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("line 51 rejected: invalid JSON", proc.stderr)
        k = kinesis_client(self.endpoint)
        keys = set()
        for shard in k.list_shards(StreamName=stream)["Shards"]:
            it = k.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            keys |= {r["PartitionKey"] for r in k.get_records(ShardIterator=it)["Records"]}
        self.assertEqual(keys, {f"c{i}" for i in range(5)})


class ProduceConsumeKinesaliteTest(ProduceConsumeBase, unittest.TestCase):
    """The same clients, unchanged, against kinesalite."""

    @classmethod
    def setUpClass(cls):
        cls.kinesalite = harness.Kinesalite()
        cls.endpoint = cls.kinesalite.endpoint

    @classmethod
    def tearDownClass(cls):
        cls.kinesalite.stop()


if __name__ == "__main__":
    unittest.main()
