"""Firehose delivery under faults, against the real `sluice serve`:

(a) SIGKILL while records are buffered (in the DirectPut spool and in Kinesis
    shards), restart: everything acknowledged is delivered (duplicates allowed,
    counted), over several kill/restart rounds, one with puts in flight;
(b) the external destination (s3rver) down: sluice retries with backoff,
    keeps the data, stays up with bounded memory, and delivers everything once
    s3rver is back on the same port and data directory;
(c) a destination bucket that does not exist yet: retried until it is created.
Helpers: test_firehose_delivery.py.
"""

from __future__ import annotations

import collections
import json
import re
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

import harness
from test_firehose_delivery import (S3RVER_ENV, Bucket, EnvSluiceServer, S3rver, append_delimiter, collect_events,
                                    create_delivery_stream, duplicates, event, extended_destination, firehose_client,
                                    put_batches, put_kinesis, report, s3_client, wait_until)

SCALE = 0.02
POLL = ["--firehose-source-poll-ms", "200"]
MiB = 1 << 20


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def failures_logged(server, name: str) -> int:
    with open(server.log_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return len(re.findall(rf"delivery stream {re.escape(name)}: delivery failed, retrying", text))


class SigkillTest(unittest.TestCase):

    def setUp(self):
        harness.skip_if_external("kills and restarts the server")
        self.server = harness.start_server(extra_args=["--firehose-interval-scale", str(SCALE), *POLL])
        self.addCleanup(self.server.cleanup)

    def clients(self):
        ep = self.server.endpoint
        return firehose_client(ep), s3_client(ep), self.server.client()

    def test_kill9_while_buffered_then_restart_delivers_everything(self):
        fh, s3, kinesis = self.clients()
        bucket = harness.unique_name("kill")
        s3.create_bucket(Bucket=bucket)
        stream = harness.create_active(kinesis, harness.unique_name("killsrc"), shards=2)
        direct, fromk = harness.unique_name("killdp"), harness.unique_name("killks")
        interval = 300  # scaled: 6 s, far longer than put + kill
        create_delivery_stream(fh, direct, extended_destination(bucket, prefix="direct/", interval=interval,
                                                                compression="GZIP", processors=[append_delimiter()]))
        create_delivery_stream(fh, fromk, extended_destination(bucket, prefix="kinesis/", interval=interval,
                                                               processors=[append_delimiter()]), source_stream=stream)
        acked = {"direct": [], "kinesis": []}
        for rnd in range(3):
            fh, s3, kinesis = self.clients()
            a = [event(f"dp{rnd}", i) for i in range(800)]
            b = [event(f"ks{rnd}", i) for i in range(800)]
            put_batches(fh, direct, a)
            put_kinesis(kinesis, stream, b)
            acked["direct"] += [json.loads(d)["id"] for d in a]
            acked["kinesis"] += [json.loads(d)["id"] for d in b]
            # Buffered, not delivered: nothing of this round is in the bucket yet.
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            self.assertEqual(keys, [], f"round {rnd}: delivered before the interval, the kill would prove nothing")
            self.server.kill9()
            self.server.start()

        # A last round with puts in flight at the moment of the kill: every
        # acknowledged record must be delivered; unacknowledged ones may be.
        fh, s3, kinesis = self.clients()
        inflight_acked, inflight_sent = [], []
        stop = threading.Event()

        def producer():
            n = 0
            while not stop.is_set():
                datas = [event("inflight", n + i) for i in range(100)]
                n += 100
                inflight_sent.extend(json.loads(d)["id"] for d in datas)
                try:
                    r = fh.put_record_batch(DeliveryStreamName=direct, Records=[{"Data": d} for d in datas])
                except (BotoCoreError, ClientError):
                    return
                for d, rr in zip(datas, r["RequestResponses"]):
                    if "RecordId" in rr:
                        inflight_acked.append(json.loads(d)["id"])

        t = threading.Thread(target=producer)
        t.start()
        wait_until(lambda: len(inflight_acked) >= 500, 20, 0.01, "puts in flight")
        self.server.kill9()
        stop.set()
        t.join(30)
        self.server.start()
        fh, s3, kinesis = self.clients()
        report(f"in-flight round: {len(inflight_acked)} acknowledged of {len(inflight_sent)} sent before the kill")

        b = Bucket(s3, bucket)
        seen_d, keys_d = collect_events(b, acked["direct"] + inflight_acked, interval * SCALE + 20,
                                        prefix="direct/", compression="GZIP")
        seen_k, keys_k = collect_events(b, acked["kinesis"], interval * SCALE + 20, prefix="kinesis/")
        dup_d = duplicates(seen_d, list(seen_d))
        dup_k = duplicates(seen_k, list(seen_k))
        unacked_delivered = len(set(seen_d) & (set(inflight_sent) - set(inflight_acked)))
        report(f"after 4 SIGKILLs: DirectPut {len(acked['direct']) + len(inflight_acked)} acknowledged records all "
               f"delivered in {len(keys_d)} objects, {dup_d} duplicates, {unacked_delivered} unacknowledged "
               f"also delivered; Kinesis source {len(acked['kinesis'])} all delivered in {len(keys_k)} objects, "
               f"{dup_k} duplicates")
        self.assertTrue(self.server.running)
        unknown = set(seen_d) - set(acked["direct"]) - set(inflight_sent)
        self.assertEqual(unknown, set(), "delivered records nobody sent")


class DestinationDownTest(unittest.TestCase):

    def test_s3rver_down_then_back_everything_delivered(self):
        harness.skip_if_external("starts its own server with --firehose-s3-endpoint")
        s3rver = S3rver().start()
        self.addCleanup(s3rver.cleanup)
        remote = s3rver.client()
        bucket = harness.unique_name("down")
        remote.create_bucket(Bucket=bucket)
        server = EnvSluiceServer(S3RVER_ENV, extra_args=[
            "--firehose-s3-endpoint", s3rver.endpoint, "--firehose-interval-scale", str(SCALE), *POLL]).start()
        self.addCleanup(server.cleanup)
        fh, kinesis = firehose_client(server.endpoint), server.client()
        direct, fromk = harness.unique_name("downdp"), harness.unique_name("downks")
        create_delivery_stream(fh, direct, extended_destination(bucket, prefix="direct/", interval=60, size_mb=1,
                                                                processors=[append_delimiter()]))
        stream = harness.create_active(kinesis, harness.unique_name("downsrc"), shards=2)
        create_delivery_stream(fh, fromk, extended_destination(bucket, prefix="kinesis/", interval=60,
                                                               processors=[append_delimiter()]), source_stream=stream)
        b = Bucket(remote, bucket)
        warm = [event("warm", i) for i in range(100)]
        put_batches(fh, direct, warm)
        collect_events(b, [f"warm-{i}" for i in range(100)], 20, prefix="direct/")
        rss_before = rss_kib(server.proc.pid)

        s3rver.stop()
        pad = "p" * 8000
        big = [event("down", i, pad=pad) for i in range(8 * 1024)]  # ~64 MiB, 64 x the 1 MiB size hint
        t0 = time.time()
        put_batches(fh, direct, big)
        ks = [event("downks", i) for i in range(2000)]
        put_kinesis(kinesis, stream, ks)
        report(f"destination down: put {sum(map(len, big)) / MiB:.0f} MiB DirectPut + 2000 Kinesis records "
               f"in {time.time() - t0:.1f} s")
        peak = [rss_kib(server.proc.pid)]

        def failed_often():
            peak[0] = max(peak[0], rss_kib(server.proc.pid))
            return failures_logged(server, direct) >= 3 and failures_logged(server, fromk) >= 3

        # Poll: both delivery streams have failed and retried several times.
        wait_until(failed_often, 30, 0.1, "three logged delivery failures per delivery stream")
        self.assertTrue(server.running, f"sluice exited while the destination was down:\n{server.log_tail()}")
        rss_peak = max(peak[0], rss_kib(server.proc.pid))
        report(f"while down: RSS {rss_before / 1024:.0f} MiB before, peak {rss_peak / 1024:.0f} MiB; "
               f"failures logged {failures_logged(server, direct)} / {failures_logged(server, fromk)}")
        self.assertLess(rss_peak - rss_before, 48 * 1024, "memory grew with the data held back (not bounded)")

        s3rver.start()  # same port, same data directory
        t_back = time.time()
        seen_d, keys_d = collect_events(b, [f"down-{i}" for i in range(len(big))], 90, prefix="direct/")
        seen_k, keys_k = collect_events(b, [f"downks-{i}" for i in range(len(ks))], 60, prefix="kinesis/")
        report(f"destination back: all delivered {time.time() - t_back:.1f} s later; DirectPut {len(keys_d)} objects "
               f"({duplicates(seen_d, list(seen_d))} duplicates), Kinesis source {len(keys_k)} objects "
               f"({duplicates(seen_k, list(seen_k))} duplicates)")
        self.assertIn("warm-0", seen_d, "an object delivered before the outage is gone")
        sizes = sorted(b.meta[k]["Size"] for k in keys_d)
        self.assertLessEqual(sizes[-1], 2 * MiB, f"objects far above the 1 MiB hint after the outage: {sizes[-5:]}")
        self.assertTrue(server.running)


class MissingBucketTest(unittest.TestCase):

    def test_bucket_created_later_gets_the_data(self):
        harness.skip_if_external("reads the server log")
        server = harness.start_server(extra_args=["--firehose-interval-scale", str(SCALE), *POLL])
        self.addCleanup(server.cleanup)
        fh, s3 = firehose_client(server.endpoint), s3_client(server.endpoint)
        bucket = harness.unique_name("later")
        name = harness.unique_name("later")
        create_delivery_stream(fh, name, extended_destination(bucket, prefix="p/", interval=0,
                                                              processors=[append_delimiter()]))
        datas = [event("later", i) for i in range(300)]
        put_batches(fh, name, datas)
        wait_until(lambda: failures_logged(server, name) >= 2, 20, 0.05, "delivery failures (no bucket)")
        with self.assertRaises(ClientError):
            s3.head_bucket(Bucket=bucket)
        s3.create_bucket(Bucket=bucket)
        t = time.time()
        seen, keys = collect_events(Bucket(s3, bucket), [f"later-{i}" for i in range(300)], 45, prefix="p/")
        report(f"missing bucket: delivered {time.time() - t:.1f} s after CreateBucket, "
               f"{failures_logged(server, name)} failed attempts, {duplicates(seen, list(seen))} duplicates")
        self.assertTrue(server.running)


if __name__ == "__main__":
    unittest.main()
