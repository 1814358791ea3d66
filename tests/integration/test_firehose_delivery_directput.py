"""Firehose DirectPut delivery end to end: buffering by size, by interval and
zero buffering, UpdateDestination (new prefix and version for new objects),
and an external S3 destination (s3rver, an independent implementation, via
`sluice serve --firehose-s3-endpoint`). Helpers: test_firehose_delivery.py.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import time
import unittest

from botocore.exceptions import ClientError

import harness
from test_firehose_delivery import (POLL_MS, S3RVER_ENV, SCALE, Bucket, DeliveryBase, EnvSluiceServer, S3rver,
                                    append_delimiter, collect_events, create_delivery_stream, decode_object,
                                    duplicates, event, extended_destination, firehose_client, key_regex,
                                    parse_json_records, put_batches, put_kinesis, report, run_sluice, s3_client,
                                    wait_until)

MiB = 1 << 20


class DirectPutBufferingTest(DeliveryBase):

    def test_size_hint_delivers_before_the_interval(self):
        bucket = self.new_bucket("size")
        name = harness.unique_name("size")
        interval = 600  # scaled: 12 s
        create_delivery_stream(self.fh, name, extended_destination(bucket.bucket, prefix="s/", interval=interval,
                                                                   size_mb=1))
        record = 10_000
        datas = [(json.dumps({"id": f"sz-{i}", "pad": "x" * (record - 40)}) + "\n").encode() for i in range(270)]
        total = sum(map(len, datas))
        self.assertGreater(total, 2 * MiB + MiB // 2)
        t0 = time.time()
        put_batches(self.fh, name, datas)
        t_put = time.time()
        # Two full 1 MiB objects long before the 12 s interval.
        objs = wait_until(lambda: (lambda o: o if len(o) >= 2 else None)(bucket.list("s/")), interval * SCALE / 2, 0.05,
                          "two size-triggered objects before half the interval")
        first_two = sorted(objs, key=lambda o: o["LastModified"])[:2]
        for o in first_two:
            self.assertGreaterEqual(o["Size"], MiB, f"{o['Key']}: size-triggered object below SizeInMBs")
            # Objects end near the hint: at most one record past it.
            self.assertLessEqual(o["Size"], MiB + record + 100, f"{o['Key']}: {o['Size']} bytes for a 1 MiB hint")
            self.assertLess(o["LastModified"].timestamp() - t0, interval * SCALE / 2)
        # The remainder (< 1 MiB) waits for the interval.
        seen, per_key = collect_events(bucket, [f"sz-{i}" for i in range(270)], interval * SCALE + 10, prefix="s/")
        self.assertEqual(duplicates(seen, list(seen)), 0)
        last = max(bucket.meta[k]["LastModified"].timestamp() for k in per_key)
        self.assertGreaterEqual(last - t_put, interval * SCALE - 0.5 - (t_put - t0),
                                "the partial buffer was delivered before its interval")
        self.assertEqual(len(per_key), 3, sorted(per_key))
        report(f"size hint 1 MiB: object sizes {sorted(bucket.meta[k]['Size'] for k in per_key)}")

    def test_interval_delivers_small_data(self):
        bucket = self.new_bucket("ivl")
        name = harness.unique_name("ivl")
        interval = 150  # scaled: 3 s
        create_delivery_stream(self.fh, name, extended_destination(bucket.bucket, prefix="i/", interval=interval,
                                                                   processors=[append_delimiter()]))
        t0 = time.time()
        run_sluice("firehose", "put", "--delivery-stream-name", name, "--count", 300, "--run-id", "ivl",
                   "--endpoint-url", self.endpoint)
        seen, per_key = collect_events(bucket, [f"ivl-{i}" for i in range(300)], interval * SCALE + 10, prefix="i/")
        self.assertEqual(len(per_key), 1, sorted(per_key))
        [k] = per_key
        age = bucket.meta[k]["LastModified"].timestamp() - t0
        self.assertGreaterEqual(age, interval * SCALE - 0.3, "delivered before IntervalInSeconds")
        self.assertLess(age, interval * SCALE + 4, "delivered long after IntervalInSeconds")
        self.assertRegex(k, key_regex(name, r"i/\d{4}/\d{2}/\d{2}/\d{2}/", 1))
        self.assertEqual(duplicates(seen, list(seen)), 0)

    def test_zero_buffering_delivers_promptly(self):
        bucket = self.new_bucket("zero")
        name = harness.unique_name("zero")
        create_delivery_stream(self.fh, name, extended_destination(bucket.bucket, prefix="z/", interval=0,
                                                                   processors=[append_delimiter()]))
        latencies = []
        for i in range(10):
            d = event("zero", i)
            t = time.time()
            self.fh.put_record(DeliveryStreamName=name, Record={"Data": d})
            collect_events(bucket, [f"zero-{i}"], 5, prefix="z/")
            latencies.append(time.time() - t)
        report(f"IntervalInSeconds 0: put -> visible (poll 0.1 s) max {max(latencies):.3f} s")
        self.assertLess(max(latencies), 3.0)
        # Each put was delivered on its own: one object per record.
        self.assertEqual(len(bucket.list("z/")), 10)

    def test_update_destination_new_prefix_and_version(self):
        bucket = self.new_bucket("upd")
        name = harness.unique_name("upd")
        d = create_delivery_stream(self.fh, name, extended_destination(bucket.bucket, prefix="v1/", interval=60,
                                                                       processors=[append_delimiter()]))
        self.assertEqual(d["VersionId"], "1")
        first = [event("v1", i) for i in range(20)]
        put_batches(self.fh, name, first)
        collect_events(bucket, [f"v1-{i}" for i in range(20)], 20)
        keys1 = [o["Key"] for o in bucket.list()]
        for k in keys1:
            self.assertRegex(k, key_regex(name, r"v1/\d{4}/\d{2}/\d{2}/\d{2}/", 1))

        self.fh.update_destination(
            DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
            DestinationId=d["Destinations"][0]["DestinationId"],
            ExtendedS3DestinationUpdate={"Prefix": "v2/!{timestamp:yyyy}/", "ErrorOutputPrefix": "v2err/",
                                         "CompressionFormat": "GZIP"})
        desc = self.fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        self.assertEqual(desc["VersionId"], "2")
        second = [event("v2", i) for i in range(20)]
        put_batches(self.fh, name, second)
        collect_events(bucket, [f"v2-{i}" for i in range(20)], 20, prefix="v2/", compression="GZIP")
        year = time.strftime("%Y", time.gmtime())
        new_keys = [o["Key"] for o in bucket.list() if o["Key"] not in keys1]
        self.assertTrue(new_keys)
        for k in new_keys:
            self.assertRegex(k, key_regex(name, rf"v2/{year}/", 2, ".gz"))
        self.assertEqual(sorted(o["Key"] for o in bucket.list("v1/")), sorted(keys1), "new objects under the old prefix")


class ExternalS3rverTest(unittest.TestCase):
    """`sluice serve --firehose-s3-endpoint` -> s3rver: objects land in s3rver's bucket."""

    @classmethod
    def setUpClass(cls):
        harness.skip_if_external("starts its own server with --firehose-s3-endpoint")
        cls.s3rver = S3rver(log_requests=True).start()
        cls.addClassCleanup(cls.s3rver.cleanup)
        cls.remote = cls.s3rver.client()
        cls.server = EnvSluiceServer(S3RVER_ENV, extra_args=[
            "--firehose-s3-endpoint", cls.s3rver.endpoint, "--firehose-interval-scale", str(SCALE),
            "--firehose-source-poll-ms", str(POLL_MS)]).start()
        cls.addClassCleanup(cls.server.cleanup)
        cls.fh = firehose_client(cls.server.endpoint)
        cls.kinesis = cls.server.client()
        cls.local = s3_client(cls.server.endpoint)

    def test_direct_put_and_kinesis_source_deliver_to_s3rver(self):
        bucket = harness.unique_name("ext")
        self.remote.create_bucket(Bucket=bucket)
        remote = Bucket(self.remote, bucket)
        direct = harness.unique_name("extdp")
        create_delivery_stream(self.fh, direct, extended_destination(bucket, prefix="direct/", interval=60,
                                                                     compression="GZIP",
                                                                     processors=[append_delimiter()]))
        stream = harness.create_active(self.kinesis, harness.unique_name("extsrc"), shards=2)
        fromk = harness.unique_name("extks")
        create_delivery_stream(self.fh, fromk, extended_destination(bucket, prefix="kinesis/", interval=60),
                               source_stream=stream)
        a = [event("ext-dp", i) for i in range(1000)]
        b = [event("ext-ks", i) for i in range(1000)]
        put_batches(self.fh, direct, a)
        put_kinesis(self.kinesis, stream, b)
        seen_a, keys_a = collect_events(remote, [f"ext-dp-{i}" for i in range(1000)], 30, prefix="direct/",
                                        compression="GZIP")
        seen_b, keys_b = collect_events(remote, [f"ext-ks-{i}" for i in range(1000)], 30, prefix="kinesis/")
        report(f"s3rver: DirectPut {len(keys_a)} object(s) dup {duplicates(seen_a, list(seen_a))}, "
               f"Kinesis source {len(keys_b)} object(s) dup {duplicates(seen_b, list(seen_b))}")
        for k in keys_a:
            self.assertRegex(k, key_regex(direct, r"direct/\d{4}/\d{2}/\d{2}/\d{2}/", 1, ".gz"))
            self.assertEqual(gzip.decompress(remote.body(k)).count(b"\n"), len(keys_a[k]))
        for k in keys_b:
            self.assertRegex(k, key_regex(fromk, r"kinesis/\d{4}/\d{2}/\d{2}/\d{2}/", 1))
        # Nothing went to the embedded store.
        with self.assertRaises(ClientError):
            self.local.head_bucket(Bucket=bucket)

    def test_large_object_multipart_to_s3rver(self):
        """Objects above 16 MiB go as a multipart upload."""
        bucket = harness.unique_name("extbig")
        self.remote.create_bucket(Bucket=bucket)
        remote = Bucket(self.remote, bucket)
        name = harness.unique_name("extbig")
        # All of it in one object, whatever the machine's speed: below the
        # 20 MiB size hint, delivered by the interval (900 s scaled: 18 s).
        create_delivery_stream(self.fh, name, extended_destination(bucket, prefix="big/", interval=900, size_mb=20))
        rnd = os.urandom(4096).hex()
        datas = [(json.dumps({"id": f"big-{i}", "pad": rnd[i % 1000:] + rnd[:i % 1000]}) + "\n").encode()
                 for i in range(2300)]
        self.assertGreater(sum(map(len, datas)), 17 * MiB)
        put_batches(self.fh, name, datas)
        seen, per_key = collect_events(remote, [f"big-{i}" for i in range(2300)], 60, prefix="big/")
        # (s3rver lists an object while it assembles a multipart upload: list again.)
        sizes = {o["Key"]: o["Size"] for o in remote.list("big/")}
        for k in per_key:
            self.assertEqual(len(self.remote.get_object(Bucket=bucket, Key=k)["Body"].read()), sizes[k])
        big = [k for k in per_key if sizes[k] > 16 * MiB]
        self.assertTrue(big, f"no object above 16 MiB: {sizes}")
        self.assertEqual(duplicates(seen, list(seen)), 0)
        # s3rver's ETag for multipart objects is a plain MD5, so look at its request log.
        log = self.s3rver.log()
        self.assertIn("?uploads", log, "no CreateMultipartUpload in s3rver's log")
        parts = re.findall(r"Stored part (\d+) of \w+ in bucket \"%s\"" % bucket, log)
        self.assertGreaterEqual(len(parts), 2, "expected an upload in several parts")
        report(f"s3rver multipart: object sizes {sorted(sizes.values())}")

if __name__ == "__main__":
    unittest.main()
