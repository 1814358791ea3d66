"""`sluice produce` and `sluice consume` keep their promises, tried as a new
user would: every record not sent is reported with its line and reason and
changes the exit code; the counts agree between the text and the JSON
summary; usage errors exit 2 (with "did you mean ...?" for typos); errors
that retrying cannot fix fail at once with a hint; a long-running consumer
rides out a server restart and still processes every event exactly once."""

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from collections import Counter

import harness
from harness import unique_name

MIB = 1 << 20


def run_sluice(*args, env=None, cwd=None, timeout=120):
    return subprocess.run([harness.find_binary(), *args], capture_output=True, text=True, timeout=timeout,
                          env=env or harness.sluice_cli_env(), cwd=cwd)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ProduceConsumeFixture:
    """Helpers over one server (self.endpoint) and a scratch directory."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-promises-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.dir]))

    def sluice(self, *args, **kw):
        kw.setdefault("cwd", self.dir)
        return run_sluice(*args, **kw)

    def produce(self, stream, *args, **kw):
        return self.sluice("produce", "--stream-name", stream, "--endpoint-url", self.endpoint, *args, **kw)

    def consume(self, stream, *args, **kw):
        return self.sluice("consume", "--stream-name", stream, "--endpoint-url", self.endpoint, *args, **kw)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def ids(self, path):
        with open(path) as f:
            return [json.loads(line)["event_id"] for line in f if line.strip()]


class ProducePromisesTest(ProduceConsumeFixture, harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stream = unique_name("promise")
        cls.kinesis.create_stream(StreamName=cls.stream, ShardCount=2)
        harness.wait_active(cls.kinesis, cls.stream)

    def test_every_rejected_line_is_reported_once_with_its_number_and_changes_the_exit_code(self):
        too_long = '{"event_id":"big","pad":"' + "a" * MIB + '"}'
        # Fits as a line, but data + partition key ("abcdefghij") is 1 byte over the limit.
        pad = MIB - len('{"event_id":"edge","user_id":"abcdefghij","pad":""}') - 10 + 1
        edge = '{"event_id":"edge","user_id":"abcdefghij","pad":"' + "a" * pad + '"}'
        self.assertEqual(len(edge) + 10, MIB + 1)
        src = self.write("in.ndjson", "\n".join([
            '{"event_id":"a","user_id":"u1"}',  # 1
            '{not json',                         # 2
            too_long,                            # 3
            '{"event_id":"b","user_id":"u2"}',  # 4
            '',                                  # 5 (blank: skipped, not rejected)
            edge,                                # 6
            '{"event_id":"c","user_id":"u3"}',  # 7
        ]) + "\n")
        summary = self.path("summary.json")
        p = self.produce(self.stream, "--input", src, "--partition-key-field", "user_id", "--summary-json", summary)
        self.assertEqual(p.returncode, 1, p.stderr)
        err = p.stderr
        self.assertIn("line 2 rejected: invalid JSON", err)
        self.assertEqual(err.count("line 2 "), 1, err)  # reported (and counted) once
        self.assertRegex(err, r"line 3 rejected: .*record limit of 1048576 bytes")
        self.assertRegex(err, r"line 6 rejected: record of 1048577 bytes .*record limit of 1048576 bytes")
        for n in (1, 4, 5, 7):
            self.assertNotIn(f"line {n} ", err)
        with open(summary) as f:
            s = json.load(f)
        self.assertEqual(s["records_added"], 3)
        self.assertEqual(s["rejected"], 3)
        self.assertEqual(s["stats"]["rejected"], 3)
        self.assertEqual(s["failed"], s["stats"]["failed"])
        self.assertEqual(s["stats"]["records_sent"], 3)
        self.assertEqual(s["max_record_bytes"], MIB)
        self.assertIn("produced 3 records", err)
        self.assertIn(" 3 rejected", err)
        self.assertIn(" 0 failed", err)

        allowed = self.produce(self.stream, "--input", src, "--partition-key-field", "user_id", "--allow-rejects",
                               "--quiet")
        self.assertEqual(allowed.returncode, 0, allowed.stderr)
        self.assertIn("line 2 rejected", allowed.stderr)  # --quiet keeps the rejections

    def test_a_file_of_only_invalid_lines_fails(self):
        src = self.write("bad.ndjson", "{nope\n[1,\n")
        p = self.produce(self.stream, "--input", src, "--summary-json", "-", "--quiet")
        self.assertEqual(p.returncode, 1, p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual((s["records_added"], s["rejected"], s["stats"]["rejected"]), (0, 2, 2))
        self.assertIn("line 1 rejected", p.stderr)
        self.assertIn("line 2 rejected", p.stderr)

    def test_record_size_above_the_stream_limit_is_a_usage_error_naming_the_limit(self):
        p = self.produce(self.stream, "--record-size", "2000000", "--count", "2")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("1048576", p.stderr)
        self.assertIn("--record-size", p.stderr)
        over_max = self.produce(self.stream, "--record-size", str(11 * MIB), "--count", "2")
        self.assertEqual(over_max.returncode, 2, over_max.stderr)

    def test_the_stream_limit_is_read_from_the_stream(self):
        stream = unique_name("bigrec")
        self.kinesis.create_stream(StreamName=stream, ShardCount=1)
        arn = harness.wait_active(self.kinesis, stream)["StreamARN"]
        r = harness.raw_request(self.endpoint, "Kinesis_20131202.UpdateMaxRecordSize",
                                {"StreamARN": arn, "MaxRecordSizeInKiB": 2048})
        self.assertEqual(r.status, 200, r)
        harness.wait_active(self.kinesis, stream)
        p = self.produce(stream, "--record-size", str(2 * MIB - 1024), "--count", "2", "--summary-json", "-",
                         "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual((s["max_record_bytes"], s["stats"]["records_sent"]), (2 * MIB, 2))

    def test_counts_agree_between_text_and_json_summary(self):
        summary = self.path("s.json")
        p = self.produce(self.stream, "--count", "120", "--duplicates", "0.1", "--seed", "3",
                         "--summary-json", summary)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(summary) as f:
            s = json.load(f)
        st = s["stats"]
        self.assertEqual(st["records_sent"], 120)
        self.assertEqual(s["records_added"], 120)
        self.assertIn(f"produced {st['records_sent']} records", p.stderr)
        self.assertIn(f"{s['failed']} failed, {s['rejected']} rejected, {s['duplicates_injected']} duplicates",
                      p.stderr)

    def test_summary_json_dash_is_stdout(self):
        p = self.produce(self.stream, "--count", "5", "--summary-json", "-", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["stats"]["records_sent"], 5)
        self.assertFalse(os.path.exists(self.path("-")))

    def test_negative_count_is_a_usage_error(self):
        p = self.produce(self.stream, "--count", "-5", "--summary-json", "-")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--count", p.stderr)
        self.assertEqual(p.stdout, "")  # nothing was sent

    def test_usage_errors_exit_2(self):
        for args in (["produce"], ["produce", "--stream-name", "x", "--bogus"],
                     ["produce", "--stream-name", "x", "--count", "abc"],
                     ["consume", "--stream-name", "x", "--max-events", "-1"],
                     ["consume", "--stream-name", "x", "--batch-size", "0"], ["nosuchcommand"], []):
            p = self.sluice(*args)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stderr}")
            self.assertTrue(p.stderr.strip(), args)
        self.assertEqual(self.sluice("produce", "--help").returncode, 0)
        self.assertEqual(self.sluice("--version").returncode, 0)

    def test_typos_get_a_suggestion(self):
        p = self.sluice("produse", "--stream-name", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'produce'?", p.stderr)
        p = self.sluice("produce", "--stream-nmae", "x")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean '--stream-name'?", p.stderr)
        p = self.sluice("consume", "--stream-name", "x", "--max-event", "3")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean '--max-events'?", p.stderr)

    def test_missing_stream_fails_at_once_with_a_hint(self):
        missing = unique_name("missing")
        for cmd in (lambda: self.produce(missing, "--count", "3"),
                    lambda: self.consume(missing, "--output", self.path("o"), "--checkpoint-db", self.path("c.db"))):
            t = time.monotonic()
            p = cmd()
            self.assertLess(time.monotonic() - t, 3)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f"stream {missing} does not exist; create it with", p.stderr)

    def test_nothing_listening_fails_at_once_with_a_hint(self):
        # Decision: before anything has answered, a connection error means
        # nothing listens there; waiting is for servers that went away.
        url = f"http://127.0.0.1:{free_port()}"
        for sub, extra in (("produce", ["--count", "3"]),
                           ("consume", ["--output", self.path("o"), "--checkpoint-db", self.path("c.db")])):
            t = time.monotonic()
            p = self.sluice(sub, "--stream-name", self.stream, "--endpoint-url", url, *extra)
            self.assertLess(time.monotonic() - t, 3, p.stderr)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f"is `sluice serve` running at {url}?", p.stderr)

    def test_max_events_prints_and_checkpoints_exactly_that_many(self):
        stream = unique_name("maxev")
        p = self.produce(stream, "--create-stream", "--shard-count", "1", "--count", "40", "--run-id", "m",
                         "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        out, db = self.path("max.ndjson"), self.path("max.db")
        for expected in (3, 6):
            c = self.consume(stream, "--output", out, "--checkpoint-db", db, "--max-events", "3", "--quiet")
            self.assertEqual(c.returncode, 0, c.stderr)
            self.assertEqual(self.ids(out), [f"m-{i}" for i in range(expected)])
        stdout = self.consume(stream, "--output", "-", "--checkpoint-db", self.path("max2.db"), "--max-events",
                              "3", "--quiet")
        self.assertEqual(len(stdout.stdout.splitlines()), 3, stdout.stdout)
        rest = self.consume(stream, "--output", out, "--checkpoint-db", db, "--idle-exit", "1", "--quiet")
        self.assertEqual(rest.returncode, 0, rest.stderr)
        self.assertEqual(self.ids(out), [f"m-{i}" for i in range(40)])

    def test_output_to_dev_null(self):
        c = self.consume(self.stream, "--output", "/dev/null", "--checkpoint-db", self.path("null.db"),
                         "--idle-exit", "1", "--quiet")
        self.assertEqual(c.returncode, 0, c.stderr)


class UnknownKeyTest(ProduceConsumeFixture, unittest.TestCase):
    """An unknown access key cannot succeed by retrying: fail fast, with a hint."""

    @classmethod
    def setUpClass(cls):
        harness.skip_if_external("starts its own server with --auth=strict")
        cls.creds_dir = tempfile.mkdtemp(prefix="sluice-promises-creds-")
        creds = os.path.join(cls.creds_dir, "credentials")
        with open(creds, "w") as f:
            f.write(f"[default]\naws_access_key_id = {harness.ACCESS_KEY}\n"
                    f"aws_secret_access_key = {harness.SECRET_KEY}\n")
        cls.server = harness.start_server(extra_args=["--auth=strict", "--credentials-file", creds])
        cls.addClassCleanup(cls.server.cleanup)
        cls.addClassCleanup(lambda: subprocess.run(["rm", "-rf", cls.creds_dir]))
        cls.endpoint = cls.server.endpoint
        cls.stream = unique_name("strict")
        kinesis = cls.server.client()
        kinesis.create_stream(StreamName=cls.stream, ShardCount=1)
        harness.wait_active(kinesis, cls.stream)

    def test_unknown_access_key_fails_fast_with_a_hint(self):
        env = harness.sluice_cli_env()
        env["AWS_ACCESS_KEY_ID"] = "AKIDUNKNOWN000000000"
        for run in (lambda: self.produce(self.stream, "--count", "20", env=env),
                    lambda: self.consume(self.stream, "--output", self.path("o"), "--checkpoint-db",
                                         self.path("c.db"), env=env)):
            t = time.monotonic()
            p = run()
            self.assertLess(time.monotonic() - t, 3, p.stderr)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("UnrecognizedClientException", p.stderr)
            self.assertIn("hint: the server does not know this access key", p.stderr)
        ok = self.produce(self.stream, "--count", "5", "--quiet")
        self.assertEqual(ok.returncode, 0, ok.stderr)


class FixedPortServer(harness.SluiceServer):
    """A server restarted on the port it first got (clients keep their URL)."""

    fixed_port = None

    def command(self):
        cmd = super().command()
        if self.fixed_port is not None:
            cmd[cmd.index("--port") + 1] = str(self.fixed_port)
        return cmd


class ConsumeAcrossRestartTest(ProduceConsumeFixture, unittest.TestCase):
    def setUp(self):
        harness.skip_if_external("stops and restarts the server")
        super().setUp()
        self.server = FixedPortServer()
        self.server.start()
        self.addCleanup(self.server.cleanup)
        self.server.fixed_port = self.server.port
        self.endpoint = self.server.endpoint

    def wait_lines(self, path, n, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(path, "rb") as f:
                    if f.read().count(b"\n") >= n:
                        return
            except FileNotFoundError:
                pass
            time.sleep(0.2)
        self.fail(f"{path} did not reach {n} lines in {timeout} s")

    def test_consume_rides_out_a_5_second_restart_and_processes_everything_once(self):
        stream = unique_name("restart")
        p = self.produce(stream, "--create-stream", "--shard-count", "2", "--count", "200", "--run-id", "before",
                         "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        out, db = self.path("out.ndjson"), self.path("c.db")
        consumer = subprocess.Popen([harness.find_binary(), "consume", "--stream-name", stream, "--endpoint-url",
                                     self.endpoint, "--output", out, "--checkpoint-db", db, "--quiet"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                    env=harness.sluice_cli_env(), cwd=self.dir)
        self.addCleanup(lambda: consumer.poll() is None and consumer.kill())
        self.wait_lines(out, 200, 30)
        # A producer running across the restart (at 40 records/s for ~5 s)
        # rides it out too (--retry-for defaults to 60 s).
        during = subprocess.Popen([harness.find_binary(), "produce", "--stream-name", stream, "--endpoint-url",
                                   self.endpoint, "--count", "200", "--rate", "40", "--run-id", "during",
                                   "--quiet"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=harness.sluice_cli_env(), cwd=self.dir)
        time.sleep(1)
        self.assertEqual(self.server.stop(), 0)
        time.sleep(5)
        self.assertIsNone(consumer.poll(), "consume exited while the server was down")
        self.server.start()
        self.assertEqual(self.server.port, self.server.fixed_port)
        after = self.produce(stream, "--count", "200", "--run-id", "after", "--quiet")
        self.assertEqual(after.returncode, 0, after.stderr)
        _, during_err = during.communicate(timeout=120)
        self.assertEqual(during.returncode, 0, during_err)
        self.assertIn("server unreachable", during_err)
        self.wait_lines(out, 600, 60)
        time.sleep(1)  # anything extra would show up now
        consumer.send_signal(signal.SIGTERM)
        _, err = consumer.communicate(timeout=30)
        self.assertEqual(consumer.returncode, 0, err)
        self.assertIn("server unreachable", err)
        self.assertIn("retrying", err)
        self.assertIn("server reachable again", err)
        counts = Counter(self.ids(out))
        self.assertEqual([i for i, n in counts.items() if n > 1], [], "events processed more than once")
        expected = {f"{run}-{i}" for run in ("before", "during", "after") for i in range(200)}
        self.assertEqual(set(counts), expected)

    def test_produce_gives_up_after_retry_for_and_reports_what_it_did_not_send(self):
        stream = unique_name("giveup")
        p = self.produce(stream, "--create-stream", "--shard-count", "1", "--count", "0", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = self.path("giveup.json")
        producer = subprocess.Popen([harness.find_binary(), "produce", "--stream-name", stream, "--endpoint-url",
                                     self.endpoint, "--count", "100", "--rate", "50", "--retry-for", "2",
                                     "--summary-json", summary, "--quiet"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                    env=harness.sluice_cli_env(), cwd=self.dir)
        time.sleep(1)
        self.server.stop()
        t = time.monotonic()
        _, err = producer.communicate(timeout=60)
        self.assertLess(time.monotonic() - t, 20, err)
        self.assertEqual(producer.returncode, 1, err)
        self.assertIn("server unreachable", err)
        self.assertRegex(err, r"event \d+ not sent after")
        with open(summary) as f:
            s = json.load(f)
        self.assertGreater(s["failed"], 0)
        self.assertEqual(s["failed"], s["stats"]["failed"])
        self.assertEqual(s["stats"]["records_sent"] + s["failed"], s["records_added"])
        self.assertEqual(s["records_added"], 100)


if __name__ == "__main__":
    unittest.main()
