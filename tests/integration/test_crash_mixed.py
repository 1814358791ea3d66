"""Repeated SIGKILL during mixed traffic (--fsync always): writers (PutRecord
and PutRecords), a GetRecords reader following every shard, and a Firehose
delivery stream reading the same Kinesis stream into the embedded S3 store,
all at once. The server is SIGKILLed ROUNDS times (sometimes again right
after it came back) and restarted on the same data dir. At the end:

  * every acknowledged record is readable exactly once, in its shard, in
    acknowledgement order per writer, with the right key and bytes;
  * every record the reader saw (published, so durable) is still there;
  * every acknowledged record is in the delivered S3 objects at least once,
    and nothing there is unknown or damaged.
test_crash.py covers the writers alone (and --fsync os).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

import harness as h
from test_firehose_delivery import (Bucket, append_delimiter, collect_events, create_delivery_stream, duplicates,
                                    extended_destination, firehose_client, s3_client)

def note(msg: str) -> None:
    print(f"  [crash] {msg}", file=sys.stderr, flush=True)


ROUNDS = int(os.environ.get("SLUICE_CRASH_ROUNDS", "5"))
SHARDS = 3
WRITERS = 3


def make_record(tid: int, n: int, rnd: random.Random) -> bytes:
    pad = "p" * rnd.choice([0, 10, 200, 3000])
    body = {"id": f"w{tid}-{n}", "pad": pad}
    body["sum"] = hashlib.sha256(f"{body['id']}|{pad}".encode()).hexdigest()[:16]
    return json.dumps(body, separators=(",", ":")).encode()


def record_ok(data: bytes) -> bool:
    try:
        e = json.loads(data)
        return e["sum"] == hashlib.sha256(f"{e['id']}|{e['pad']}".encode()).hexdigest()[:16]
    except (ValueError, KeyError):
        return False


class Writer(threading.Thread):
    def __init__(self, endpoint, stream, tid, counter, acked, lock, stop, seed):
        super().__init__(daemon=True)
        self.client = h.kinesis_client(endpoint, connect_timeout=2, read_timeout=20)
        self.stream, self.tid, self.acked, self.lock, self.stop = stream, tid, acked, lock, stop
        self.counter = counter  # [n]: record numbers continue across rounds
        self.rnd = random.Random(seed)
        self.unexpected = []

    def next(self):
        self.counter[0] += 1
        return make_record(self.tid, self.counter[0], self.rnd)

    def run(self):
        while not self.stop.is_set():
            try:
                if self.rnd.random() < 0.3:
                    data, pk = self.next(), f"w{self.tid}-{self.rnd.randint(0, 40)}"
                    r = self.client.put_record(StreamName=self.stream, PartitionKey=pk, Data=data)
                    with self.lock:
                        self.acked[r["SequenceNumber"]] = (r["ShardId"], pk, data)
                else:
                    recs = [{"PartitionKey": f"w{self.tid}-{self.rnd.randint(0, 40)}", "Data": self.next()}
                            for _ in range(self.rnd.randint(1, 30))]
                    r = self.client.put_records(StreamName=self.stream, Records=recs)
                    with self.lock:
                        for e, x in zip(recs, r["Records"]):
                            if "SequenceNumber" in x:
                                self.acked[x["SequenceNumber"]] = (x["ShardId"], e["PartitionKey"], e["Data"])
            except ClientError as e:
                if not self.stop.is_set():
                    self.unexpected.append(repr(e.response)[:300])
            except BotoCoreError:
                time.sleep(0.01)  # the server is down


class Reader(threading.Thread):
    """Follows every shard with GetRecords from where the last round stopped."""

    def __init__(self, endpoint, stream, observed, stop):
        super().__init__(daemon=True)
        self.client = h.kinesis_client(endpoint, connect_timeout=2, read_timeout=20)
        self.stream, self.observed, self.stop = stream, observed, stop
        self.problems = []

    def iterator(self, shard):
        seen = self.observed[shard]
        if seen:
            return self.client.get_shard_iterator(StreamName=self.stream, ShardId=shard,
                                                  ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                  StartingSequenceNumber=seen[-1][0])["ShardIterator"]
        return self.client.get_shard_iterator(StreamName=self.stream, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def run(self):
        its = {}
        while not self.stop.is_set():
            try:
                for i in range(SHARDS):
                    shard = h.shard_id(i)
                    if shard not in its:
                        its[shard] = self.iterator(shard)
                    r = self.client.get_records(ShardIterator=its[shard], Limit=500)
                    its[shard] = r["NextShardIterator"]
                    for rec in r["Records"]:
                        seq = rec["SequenceNumber"]
                        seen = self.observed[shard]
                        if seen and int(seq) <= int(seen[-1][0]):
                            self.problems.append(f"{shard}: {seq} after {seen[-1][0]}")
                        if not record_ok(rec["Data"]):
                            self.problems.append(f"{shard}: damaged record {seq}")
                        seen.append((seq, rec["PartitionKey"], rec["Data"]))
                time.sleep(0.05)
            except ClientError as e:
                if not self.stop.is_set():
                    self.problems.append(repr(e.response)[:300])
            except BotoCoreError:
                time.sleep(0.02)


class MixedTrafficCrashTest(unittest.TestCase):

    def setUp(self):
        h.skip_if_external("needs to SIGKILL and restart the server")
        self.server = h.SluiceServer(transition_ms=0, fsync="always", extra_args=[
            "--firehose-interval-scale", "0.02", "--firehose-source-poll-ms", "200"]).start()
        self.addCleanup(self.server.cleanup)

    def read_all_shards(self, client, stream):
        return {h.shard_id(i): [(r["SequenceNumber"], r["PartitionKey"], r["Data"])
                                for r in h.read_all(client, stream, h.shard_id(i), max_empty=2)]
                for i in range(SHARDS)}

    def test_sigkill_rounds_with_puts_gets_and_firehose_delivery(self):
        ep = self.server.endpoint
        kinesis, fh, s3 = self.server.client(), firehose_client(ep), s3_client(ep)
        bucket = h.unique_name("mixed")
        s3.create_bucket(Bucket=bucket)
        stream = h.create_active(kinesis, h.unique_name("mixed"), shards=SHARDS)
        shard_map = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"]
        delivery = h.unique_name("mixeddel")
        # 60 s scaled by 0.02: an object every ~1.2 s, so kills hit deliveries in progress
        create_delivery_stream(fh, delivery, extended_destination(bucket, interval=60, processors=[append_delimiter()]),
                               source_stream=stream)

        acked, lock = {}, threading.Lock()
        observed = {h.shard_id(i): [] for i in range(SHARDS)}
        counters = [[0] for _ in range(WRITERS)]
        rnd = random.Random(int(os.environ.get("SLUICE_CRASH_SEED", "20261126")))
        per_round = []
        for round_no in range(1, ROUNDS + 1):
            before = len(acked)
            stop = threading.Event()
            writers = [Writer(self.server.endpoint, stream, t, counters[t], acked, lock, stop, rnd.random())
                       for t in range(WRITERS)]
            reader = Reader(self.server.endpoint, stream, observed, stop)
            for t in writers + [reader]:
                t.start()
            time.sleep(rnd.uniform(1.0, 2.5))
            self.server.kill9()
            stop.set()
            for t in writers + [reader]:
                t.join(timeout=60)
                self.assertFalse(t.is_alive(), "client thread hung after the kill")
            problems = [u for w in writers for u in w.unexpected] + reader.problems
            self.assertFalse(problems, f"round {round_no}: {problems[:3]}")
            per_round.append(len(acked) - before)
            self.assertGreater(per_round[-1], 20, f"round {round_no}: almost nothing acknowledged; log:\n"
                                                  f"{self.server.log_tail()}")
            self.server.start()
            if round_no % 2 == 0:
                time.sleep(rnd.uniform(0.0, 0.1))  # and again while it is recovering
                self.server.kill9()
                self.server.start()
            h.wait_active(self.server.client(), stream, timeout=30)

        client = self.server.client()
        self.assertEqual(client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"], shard_map)
        final = self.read_all_shards(client, stream)
        located = {}
        for shard, recs in final.items():
            seqs = [int(s) for s, _, _ in recs]
            self.assertEqual(seqs, sorted(set(seqs)), f"{shard}: sequence numbers repeat or go back")
            for seq, pk, data in recs:
                self.assertTrue(record_ok(data), f"{shard}: damaged record {seq}")
                self.assertEqual(shard, h.shard_for_hash(h.partition_hash(pk), shard_map))
                located[seq] = (shard, pk, data)
            self.assertEqual(recs[:len(observed[shard])], observed[shard],
                             f"{shard}: a record the reader saw vanished or moved")
        missing = [s for s in acked if s not in located]
        self.assertFalse(missing, f"{len(missing)} of {len(acked)} acknowledged records missing")
        wrong = [s for s, v in acked.items() if located[s] != v]
        self.assertFalse(wrong, f"{len(wrong)} acknowledged records differ")
        ids = [json.loads(d)["id"] for _, _, d in acked.values()]
        self.assertEqual(len(ids), len(set(ids)), "one record acknowledged twice")
        # each writer's acknowledged records appear in its order within a shard
        for shard, recs in final.items():
            last = {}
            for _, _, data in recs:
                tid, n = json.loads(data)["id"][1:].split("-")
                self.assertGreater(int(n), last.get(tid, 0), f"{shard}: writer {tid} out of order")
                last[tid] = int(n)

        b = Bucket(s3_client(self.server.endpoint), bucket)
        seen, keys = collect_events(b, ids, 90)
        all_ids = {json.loads(d)["id"] for recs in final.values() for _, _, d in recs}
        self.assertEqual(set(seen) - all_ids, set(), "delivered records that are not in the stream")
        dup = duplicates(seen, list(seen))
        self.assertTrue(self.server.running)
        note(f"mixed SIGKILL test: {ROUNDS} rounds ({ROUNDS + ROUNDS // 2} kills), {len(acked)} acknowledged "
               f"(per round {per_round}), {len(located)} in the stream, "
               f"{sum(len(v) for v in observed.values())} read live; all acknowledged delivered to S3 in "
               f"{len(keys)} objects with {dup} duplicates")


if __name__ == "__main__":
    unittest.main()
