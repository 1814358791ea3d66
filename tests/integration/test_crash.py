"""Crash durability: several threads write concurrently (PutRecords and PutRecord)
while the server is SIGKILLed repeatedly (--fsync always).  After every restart:

  * every acknowledged record is readable at its acknowledged sequence number,
    in its acknowledged shard, byte-exact, with its partition key;
  * every record present (acknowledged or not) is uncorrupted (self-checksummed);
  * sequence numbers are strictly increasing per shard, with no duplicates;
  * whatever was readable after one restart is still readable, in the same
    order, after the next one (no record disappears once it has been seen);
  * the shard map and stream metadata are unchanged.
"""

import hashlib
import os
import random
import struct
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

import harness as h

ROUNDS = int(os.environ.get("SLUICE_CRASH_ROUNDS", "5"))
THREADS = 4
SHARDS = 4


def make_payload(rnd: random.Random, tid: int, n: int, size: int = None) -> bytes:
    if size is None:
        size = rnd.choice([0, 1, 7, 100, 1000, 4000, rnd.randint(0, 20000)])
    body = rnd.randbytes(size)
    head = b"CRSH" + struct.pack(">HI", tid, n)
    digest = hashlib.sha256(head + body).digest()[:16]
    return head + body + digest


def payload_ok(p: bytes) -> bool:
    if len(p) < 4 + 6 + 16 or not p.startswith(b"CRSH"):
        return False
    return hashlib.sha256(p[:-16]).digest()[:16] == p[-16:]


class Writer(threading.Thread):
    def __init__(self, endpoint, stream, tid, seed, stop, acked, lock):
        super().__init__(daemon=True)
        self.client = h.kinesis_client(endpoint, connect_timeout=2, read_timeout=20)
        self.stream, self.tid, self.stop, self.acked, self.lock = stream, tid, stop, acked, lock
        self.rnd = random.Random(seed)
        self.n = 0
        self.ok_calls = 0
        self.failed_calls = 0
        self.partial_failures = 0
        self.unexpected = []

    def next_payload(self):
        self.n += 1
        return make_payload(self.rnd, self.tid, self.n)

    def run(self):
        while not self.stop.is_set():
            try:
                if self.rnd.random() < 0.25:
                    self.n += 1
                    if self.rnd.random() < 0.1:  # occasional large record: torn writes span many pages
                        data = make_payload(self.rnd, self.tid, self.n, self.rnd.randint(100_000, 900_000))
                    else:
                        data = make_payload(self.rnd, self.tid, self.n)
                    pk = f"t{self.tid}-{self.rnd.randint(0, 50)}"
                    r = self.client.put_record(StreamName=self.stream, PartitionKey=pk, Data=data)
                    with self.lock:
                        self.acked[r["SequenceNumber"]] = (r["ShardId"], pk, data)
                else:
                    entries = [{"PartitionKey": f"t{self.tid}-{self.rnd.randint(0, 50)}", "Data": self.next_payload()}
                               for _ in range(self.rnd.randint(1, 25))]
                    r = self.client.put_records(StreamName=self.stream, Records=entries)
                    with self.lock:
                        for e, res in zip(entries, r["Records"]):
                            if "ErrorCode" in res:
                                self.partial_failures += 1
                            else:
                                self.acked[res["SequenceNumber"]] = (res["ShardId"], e["PartitionKey"], e["Data"])
                self.ok_calls += 1
            except ClientError as e:
                # a 4xx/5xx while the server is alive is a bug; after the kill it cannot happen (no response)
                if not self.stop.is_set():
                    self.unexpected.append(repr(e.response)[:500])
                self.failed_calls += 1
            except BotoCoreError:
                self.failed_calls += 1  # connection refused/reset while the server is down
                time.sleep(0.01)


class CrashTest(unittest.TestCase):

    fsync = "always"
    rounds = ROUNDS

    def setUp(self):
        h.skip_if_external("needs to SIGKILL and restart the server")
        self.server = h.SluiceServer(transition_ms=0, fsync=self.fsync).start()
        self.addCleanup(self.server.cleanup)

    def read_stream(self, client, stream):
        out = {}
        for i in range(SHARDS):
            sid = h.shard_id(i)
            recs = h.read_all(client, stream, sid, max_empty=2)
            out[sid] = [(r["SequenceNumber"], r["PartitionKey"], r["Data"]) for r in recs]
        return out

    def verify(self, client, stream, acked, previous, shard_map, round_no):
        desc = client.describe_stream(StreamName=stream)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual(desc["Shards"], shard_map, f"round {round_no}: shard map changed after crash")
        seen = self.read_stream(client, stream)
        ctx = f"round {round_no}"
        located = {}
        for sid, recs in seen.items():
            seqs = [int(s) for s, _, _ in recs]
            self.assertEqual(seqs, sorted(set(seqs)), f"{ctx}: {sid} sequence numbers not strictly increasing")
            for seq, pk, data in recs:
                self.assertTrue(payload_ok(data), f"{ctx}: corrupted record {seq} in {sid}: {data[:40]!r}...")
                self.assertEqual(sid, h.shard_for_hash(h.partition_hash(pk), shard_map),
                                 f"{ctx}: record {seq} (pk {pk}) stored in the wrong shard {sid}")
                located[seq] = (sid, pk, data)
            # nothing seen after an earlier restart may vanish or move
            prev = previous.get(sid, [])
            self.assertEqual(recs[:len(prev)], prev,
                             f"{ctx}: {sid} lost or reordered records that were readable after the previous restart "
                             f"(had {len(prev)}, now {len(recs)})")
        missing = [s for s in acked if s not in located]
        self.assertFalse(missing, f"{ctx}: {len(missing)} of {len(acked)} acknowledged records missing, "
                                  f"e.g. {missing[:3]}")
        wrong = [s for s, v in acked.items() if located[s] != v]
        self.assertFalse(wrong, f"{ctx}: {len(wrong)} acknowledged records differ (shard/pk/bytes), e.g. {wrong[:3]}")
        return seen

    def test_sigkill_during_concurrent_writes(self):
        client = self.server.client()
        stream = h.create_active(client, name=h.unique_name("crash"), shards=SHARDS)
        shard_map = client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"]
        acked, lock = {}, threading.Lock()
        previous = {}
        rnd = random.Random(int(os.environ.get("SLUICE_CRASH_SEED", "20240601")))
        stats = []
        for round_no in range(1, self.rounds + 1):
            before = len(acked)
            stop = threading.Event()
            writers = [Writer(self.server.endpoint, stream, t, rnd.random(), stop, acked, lock)
                       for t in range(THREADS)]
            for w in writers:
                w.start()
            time.sleep(rnd.uniform(0.8, 1.8))
            self.server.kill9()           # SIGKILL with requests in flight
            stop.set()
            for w in writers:
                w.join(timeout=60)
                self.assertFalse(w.is_alive(), "writer thread hung after the kill")
            unexpected = [u for w in writers for u in w.unexpected]
            self.assertFalse(unexpected, f"round {round_no}: error responses while the server was up: "
                                         f"{unexpected[:3]}")
            new_acks = len(acked) - before
            stats.append((new_acks, sum(w.failed_calls for w in writers), sum(w.partial_failures for w in writers)))
            self.assertGreater(new_acks, 20, f"round {round_no}: almost nothing acknowledged before the kill "
                                             f"({new_acks}); log:\n{self.server.log_tail()}")

            self.server.start()
            if round_no % 2 == 0:
                # crash again right after startup (recovery just finished, nothing new written)
                time.sleep(rnd.uniform(0.0, 0.05))
                self.server.kill9()
                self.server.start()
            client = self.server.client()
            h.wait_active(client, stream, timeout=30)
            previous = self.verify(client, stream, acked, previous, shard_map, round_no)

        # a final clean stop/start keeps everything too
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        client = self.server.client()
        final = self.verify(client, stream, acked, previous, shard_map, "final")
        total = sum(len(v) for v in final.values())
        self.assertGreaterEqual(total, len(acked))
        # writes continue with higher sequence numbers after all the crashes
        for i in range(20):
            r = client.put_record(StreamName=stream, PartitionKey=f"after-{i}", Data=b"CRSH-after")
            tail = final[r["ShardId"]]
            if tail:
                self.assertGreater(int(r["SequenceNumber"]), int(tail[-1][0]))
        print(f"\ncrash test: {len(acked)} acknowledged, {total} present after {self.rounds} SIGKILLs (fsync={self.fsync}); "
              f"per round (acked, failed calls, partial failures): {stats}")


class GracefulStopUnderLoadTest(unittest.TestCase):
    """SIGTERM while writers are busy: clean exit (code 0) and every acknowledged record kept."""

    def setUp(self):
        h.skip_if_external("needs to stop and restart the server")
        self.server = h.SluiceServer(transition_ms=0, fsync="always").start()
        self.addCleanup(self.server.cleanup)

    def test_sigterm_under_load(self):
        client = self.server.client()
        stream = h.create_active(client, name=h.unique_name("term"), shards=SHARDS)
        shard_map = client.describe_stream(StreamName=stream)["StreamDescription"]["Shards"]
        acked, lock, stop = {}, threading.Lock(), threading.Event()
        writers = [Writer(self.server.endpoint, stream, t, t, stop, acked, lock) for t in range(THREADS)]
        for w in writers:
            w.start()
        time.sleep(1.0)
        t0 = time.monotonic()
        rc = self.server.stop(timeout=20)
        self.assertEqual(rc, 0, f"exit code after SIGTERM under load; log:\n{self.server.log_tail()}")
        self.assertLess(time.monotonic() - t0, 20)
        stop.set()
        for w in writers:
            w.join(timeout=60)
        self.assertFalse([u for w in writers for u in w.unexpected])
        self.assertGreater(len(acked), 20)
        self.server.start()
        client = self.server.client()
        h.wait_active(client, stream)
        CrashTest.verify(self, client, stream, acked, {}, shard_map, "after SIGTERM")

    read_stream = CrashTest.read_stream


class CrashTestFsyncOs(CrashTest):
    """--fsync os acknowledges after write(2): still durable across a process SIGKILL."""
    fsync = "os"
    rounds = 3


if __name__ == "__main__":
    unittest.main()
