"""Enhanced fan-out: SubscribeToShard as an AWS event stream, with unmodified
boto3 (HTTP/1.1, chunked) and the AWS SDK for JavaScript v3 (HTTP/2):
initial-response then SubscribeToShardEvent events, every starting position,
records pushed as they arrive, heartbeats, the 5-second re-subscribe rule,
ChildShards at the end of a closed shard, and AWS-shaped errors."""

import json
import math
import subprocess
import threading
import time
import unittest

import harness as h

JS_DIR = h.REPO_ROOT / "tests" / "js"
SHARD0 = "shardId-000000000000"


class EfoTest(h.ServerTestCase):
    transition_ms = 50

    def setUp(self):
        self.stream = h.create_active(self.kinesis, shards=1)
        self.arn = self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]["StreamARN"]
        self.consumer = self.kinesis.register_stream_consumer(StreamARN=self.arn, ConsumerName="c")["Consumer"][
            "ConsumerARN"]
        deadline = time.monotonic() + 10
        while self.kinesis.describe_stream_consumer(ConsumerARN=self.consumer)["ConsumerDescription"][
                "ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

    def subscribe(self, shard=SHARD0, **position):
        return self.kinesis.subscribe_to_shard(ConsumerARN=self.consumer, ShardId=shard,
                                               StartingPosition=position or {"Type": "TRIM_HORIZON"})

    def put(self, *datas):
        return [self.kinesis.put_record(StreamName=self.stream, Data=d, PartitionKey="k")["SequenceNumber"]
                for d in datas]

    def collect(self, response, want, limit_events=50):
        """Records of the stream's events until `want` records came."""
        records, events = [], []
        for ev in response["EventStream"]:
            e = ev["SubscribeToShardEvent"]
            events.append(e)
            records += e["Records"]
            if len(records) >= want or len(events) >= limit_events:
                break
        return records, events

    def test_every_starting_position(self):
        seqs = self.put(b"a", b"b", b"c")
        # boto3 sends timestamps in whole seconds: cut at the next second.
        now = time.time()
        time.sleep(math.ceil(now) - now + 0.05)
        cut = math.floor(time.time())
        seqs += self.put(b"d")
        cases = [({"Type": "TRIM_HORIZON"}, [b"a", b"b", b"c", b"d"]),
                 ({"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": seqs[1]}, [b"b", b"c", b"d"]),
                 ({"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": seqs[1]}, [b"c", b"d"]),
                 ({"Type": "AT_TIMESTAMP", "Timestamp": cut}, [b"d"])]
        for i, (position, want) in enumerate(cases):
            if i:
                time.sleep(5.05)  # AWS: one successful subscription per 5 s per consumer and shard
            records, events = self.collect(self.subscribe(**position), len(want))
            self.assertEqual([r["Data"] for r in records], want, position)
            self.assertEqual(records[-1]["SequenceNumber"], seqs[-1])
            self.assertEqual(events[-1]["ContinuationSequenceNumber"], seqs[-1])
            self.assertIn("MillisBehindLatest", events[-1])

    def test_latest_pushes_new_records_and_sends_heartbeats(self):
        self.put(b"old")
        response = self.subscribe(Type="LATEST")
        threading.Timer(0.5, lambda: self.put(b"new-1", b"new-2")).start()
        started = time.monotonic()
        records, events = self.collect(response, 2)
        self.assertEqual([r["Data"] for r in records], [b"new-1", b"new-2"])
        self.assertLess(time.monotonic() - started, 4.5, "records came with a heartbeat, not as they arrived")
        # Nothing more: the next event is a heartbeat, within AWS's 5 s.
        stream = iter(response["EventStream"])
        beat_started = time.monotonic()
        beat = next(stream)["SubscribeToShardEvent"]
        self.assertEqual(beat["Records"], [])
        self.assertLessEqual(time.monotonic() - beat_started, 6.0)
        self.assertEqual(beat["ContinuationSequenceNumber"], records[-1]["SequenceNumber"])

    def test_resubscribing_within_5_seconds_is_refused_then_takes_over(self):
        self.put(b"x")
        first = self.subscribe()
        self.collect(first, 1)
        with self.assertRaises(h.ClientError) as cm:
            self.subscribe()
        self.assertEqual(h.error_code(cm.exception), "ResourceInUseException")
        time.sleep(5.05)
        second = self.subscribe()
        records, _ = self.collect(second, 1)
        self.assertEqual([r["Data"] for r in records], [b"x"])
        # The first subscription ended when the second took over.
        leftover = list(first["EventStream"])
        self.assertLessEqual(len(leftover), 1)

    def test_a_closed_shard_ends_with_child_shards(self):
        self.put(b"before-split")
        response = self.subscribe()
        records, _ = self.collect(response, 1)
        self.assertEqual([r["Data"] for r in records], [b"before-split"])
        self.kinesis.split_shard(StreamName=self.stream, ShardToSplit=SHARD0,
                                 NewStartingHashKey=str(2 ** 127))
        last = None
        for ev in response["EventStream"]:  # ends after the ChildShards event
            last = ev["SubscribeToShardEvent"]
        self.assertIsNotNone(last)
        self.assertEqual(sorted(c["ShardId"] for c in last["ChildShards"]),
                         ["shardId-000000000001", "shardId-000000000002"])
        self.assertNotIn("ContinuationSequenceNumber", last)

    def test_errors_are_aws_shaped(self):
        def code(fn):
            with self.assertRaises(h.ClientError) as cm:
                fn()
            return h.error_code(cm.exception)
        self.assertEqual(code(lambda: self.kinesis.subscribe_to_shard(
            ConsumerARN=self.consumer.replace("/consumer/c:", "/consumer/nobody:"), ShardId=SHARD0, StartingPosition={"Type": "LATEST"})),
            "ResourceNotFoundException")
        self.assertEqual(code(lambda: self.subscribe(shard="shardId-000000000009")), "ResourceNotFoundException")
        self.assertEqual(code(lambda: self.subscribe(Type="AT_SEQUENCE_NUMBER")), "InvalidArgumentException")
        self.assertEqual(code(lambda: self.subscribe(Type="AT_SEQUENCE_NUMBER", SequenceNumber="1" * 56)),
                         "InvalidArgumentException")

    def test_a_client_that_goes_away_does_not_hurt_the_server(self):
        response = self.subscribe()
        response["EventStream"]._raw_stream.close()  # drop the connection mid-stream
        time.sleep(5.05)
        self.put(b"after")
        records, _ = self.collect(self.subscribe(), 1)
        self.assertEqual([r["Data"] for r in records], [b"after"])

    def test_sluice_consume_efo_processes_every_event_once_across_a_split(self):
        import os
        import tempfile
        from collections import Counter
        work = tempfile.mkdtemp(prefix="sluice-efo-cli-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
        env = h.sluice_cli_env()
        binary = h.find_binary()

        def sluice(*args):
            proc = subprocess.run([binary, *args, "--endpoint-url", self.endpoint], capture_output=True, text=True,
                                  timeout=300, env=env, cwd=work)
            self.assertEqual(proc.returncode, 0, proc.stderr)

        def summary(path):
            with open(path) as f:
                return json.load(f)

        out, db = os.path.join(work, "out.ndjson"), os.path.join(work, "c.db")
        consume = ["consume", "--stream-name", self.stream, "--efo", "--checkpoint-db", db, "--output", out,
                   "--idle-exit", "3", "--quiet"]
        sluice("produce", "--stream-name", self.stream, "--count", "1500", "--duplicates", "0.1", "--seed", "4",
               "--run-id", "one", "--summary-json", os.path.join(work, "p1.json"), "--quiet")
        sluice(*consume)
        self.kinesis.split_shard(StreamName=self.stream, ShardToSplit=SHARD0, NewStartingHashKey=str(2 ** 127))
        h.wait_active(self.kinesis, self.stream)
        sluice("produce", "--stream-name", self.stream, "--count", "1000", "--duplicates", "0.1", "--seed", "5",
               "--run-id", "two", "--summary-json", os.path.join(work, "p2.json"), "--quiet")
        sluice(*consume)
        with open(out) as f:
            ids = Counter(json.loads(line)["event_id"] for line in f if line.strip())
        self.assertEqual([i for i, n in ids.items() if n > 1], [], "events processed more than once")
        want = set()
        for name in ("p1.json", "p2.json"):
            s = summary(os.path.join(work, name))
            want |= {f"{s['run_id']}-{n}" for n in range(s["records_added"] - s["duplicates_injected"])}
        self.assertEqual(set(ids), want)
        # The consumer is registered once and reused.
        consumers = self.kinesis.list_stream_consumers(StreamARN=self.arn)["Consumers"]
        self.assertEqual(sorted(c["ConsumerName"] for c in consumers), ["c", "sluice-consume"])

    def test_aws_sdk_for_javascript_v3_over_http2(self):
        proc = subprocess.run(["node", "efo_sdk.js", self.endpoint, h.unique_name("jsefo"), "20"], cwd=JS_DIR,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", out, out)
        self.assertEqual(out["records"], [f"r-{i}" for i in range(20)])
        self.assertEqual(len(out["latenciesMs"]), 20)
        # Pushed as they arrive, not with the 5 s heartbeat.
        self.assertLess(max(out["latenciesMs"]), 2500, out["latenciesMs"])
        self.assertRegex(out["continuation"], r"^\d{56}$")


if __name__ == "__main__":
    unittest.main()
