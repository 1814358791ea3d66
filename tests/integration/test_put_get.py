"""Data plane: PutRecord/PutRecords, routing, sequence numbers, all iterator
types, GetRecords paging/Limit, binary fidelity, record size limits, iterator
tampering/expiry, MillisBehindLatest, AT_TIMESTAMP."""

import datetime
import os
import random
import re
import threading
import time
import unittest

from botocore.exceptions import ClientError

import harness as h

SEQ_RE = re.compile(r"^(0|[1-9]\d{0,128})$")
MiB = 1024 * 1024
# AWS has reported oversized records both ways over the years; either is AWS-shaped.
TOO_BIG_CODES = ("ValidationException", "InvalidArgumentException")


class PutGetTest(h.ServerTestCase):

    def iterator(self, stream, shard, kind="TRIM_HORIZON", **kw):
        return self.kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType=kind,
                                               **kw)["ShardIterator"]

    def drain(self, it, limit=None, max_calls=200):
        """Follow NextShardIterator until an empty page; returns (records, last_response)."""
        out, last = [], None
        for _ in range(max_calls):
            args = {"ShardIterator": it}
            if limit is not None:
                args["Limit"] = limit
            last = self.kinesis.get_records(**args)
            out += last["Records"]
            self.assertIn("NextShardIterator", last)  # open shard: always present
            it = last["NextShardIterator"]
            if not last["Records"]:
                break
        return out, last

    # -- PutRecord basics -----------------------------------------------------
    def test_put_record_response_and_read_back(self):
        name = h.create_active(self.kinesis, shards=1)
        r = self.kinesis.put_record(StreamName=name, PartitionKey="pk", Data=b"hello")
        self.assertEqual(r["ShardId"], h.shard_id(0))
        self.assertRegex(r["SequenceNumber"], SEQ_RE)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        recs, last = self.drain(self.iterator(name, h.shard_id(0)))
        self.assertEqual(len(recs), 1)
        rec = recs[0]
        self.assertEqual(rec["Data"], b"hello")
        self.assertEqual(rec["PartitionKey"], "pk")
        self.assertEqual(rec["SequenceNumber"], r["SequenceNumber"])
        self.assertIsInstance(rec["ApproximateArrivalTimestamp"], datetime.datetime)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - rec["ApproximateArrivalTimestamp"]).total_seconds()), 60)
        self.assertEqual(last["MillisBehindLatest"], 0)

    def test_sequence_numbers_strictly_increase_per_shard(self):
        name = h.create_active(self.kinesis, shards=2)
        last = {}
        seqs = set()
        for i in range(60):
            r = self.kinesis.put_record(StreamName=name, PartitionKey=f"key-{i % 7}", Data=b"%d" % i)
            s = int(r["SequenceNumber"])
            self.assertGreater(s, last.get(r["ShardId"], -1))
            last[r["ShardId"]] = s
            seqs.add(r["SequenceNumber"])
        batch = self.kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": f"key-{i % 7}", "Data": b"b%d" % i} for i in range(200)])
        self.assertEqual(batch["FailedRecordCount"], 0)
        for e in batch["Records"]:
            s = int(e["SequenceNumber"])
            self.assertGreater(s, last[e["ShardId"]], "PutRecords entries must be ordered within a shard")
            last[e["ShardId"]] = s
            seqs.add(e["SequenceNumber"])
        self.assertEqual(len(seqs), 260, "sequence numbers must be unique within the stream")

    def test_sequence_number_for_ordering(self):
        name = h.create_active(self.kinesis, shards=1)
        prev = self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"0")["SequenceNumber"]
        for i in range(1, 10):
            cur = self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"%d" % i,
                                          SequenceNumberForOrdering=prev)["SequenceNumber"]
            self.assertGreater(int(cur), int(prev))
            prev = cur
        recs, _ = self.drain(self.iterator(name, h.shard_id(0)))
        self.assertEqual([r["Data"] for r in recs], [b"%d" % i for i in range(10)])

    def test_concurrent_writers_read_back_in_sequence_order(self):
        name = h.create_active(self.kinesis, shards=1)
        acked, lock = [], threading.Lock()

        def writer(t):
            c = self.server.client()
            for i in range(40):
                d = b"t%d-%d" % (t, i)
                r = c.put_record(StreamName=name, PartitionKey=f"w{t}", Data=d)
                with lock:
                    acked.append((int(r["SequenceNumber"]), d))

        ts = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        recs, _ = self.drain(self.iterator(name, h.shard_id(0)))
        got = [(int(r["SequenceNumber"]), r["Data"]) for r in recs]
        self.assertEqual(got, sorted(acked))
        # per-writer order preserved
        for t in range(4):
            mine = [d for _, d in got if d.startswith(b"t%d-" % t)]
            self.assertEqual(mine, [b"t%d-%d" % (t, i) for i in range(40)])

    # -- PutRecords -------------------------------------------------------------
    def test_put_records_500_entries_shape_and_routing(self):
        n = 5
        name = h.create_active(self.kinesis, shards=n)
        shards = self.kinesis.list_shards(StreamName=name)["Shards"]
        rnd = random.Random(1234)
        entries = [{"PartitionKey": "pk-%d-%s" % (i, rnd.random()), "Data": os.urandom(rnd.randint(0, 300))}
                   for i in range(500)]
        r = self.kinesis.put_records(StreamName=name, Records=entries)
        self.assertEqual(r["FailedRecordCount"], 0)
        self.assertEqual(len(r["Records"]), 500)
        per_shard = {}
        for e, res in zip(entries, r["Records"]):
            self.assertNotIn("ErrorCode", res)
            self.assertRegex(res["SequenceNumber"], SEQ_RE)
            self.assertEqual(res["ShardId"], h.shard_for_hash(h.partition_hash(e["PartitionKey"]), shards))
            per_shard.setdefault(res["ShardId"], []).append((res["SequenceNumber"], e["PartitionKey"], e["Data"]))
        self.assertEqual(len(per_shard), n, "500 random keys should hit every one of 5 shards")
        for sid, expected in per_shard.items():
            recs, _ = self.drain(self.iterator(name, sid))
            self.assertEqual([(x["SequenceNumber"], x["PartitionKey"], x["Data"]) for x in recs], expected)

    # -- routing ----------------------------------------------------------------
    def test_partition_key_routing_matches_md5_ranges(self):
        for n in (3, 7):
            name = h.create_active(self.kinesis, shards=n)
            shards = self.kinesis.list_shards(StreamName=name)["Shards"]
            for s, (lo, hi) in zip(shards, h.expected_hash_ranges(n)):
                self.assertEqual((int(s["HashKeyRange"]["StartingHashKey"]),
                                  int(s["HashKeyRange"]["EndingHashKey"])), (lo, hi))
            keys = [f"user-{i}" for i in range(120)] + ["ü", "日本語キー", "a" * 256, " ", "🙂emoji"]
            hit = set()
            for k in keys:
                expected = h.shard_for_hash(h.partition_hash(k), shards)
                got = self.kinesis.put_record(StreamName=name, PartitionKey=k, Data=k.encode())["ShardId"]
                self.assertEqual(got, expected, f"partition key {k!r} (md5={h.partition_hash(k)})")
                hit.add(got)
            self.assertEqual(len(hit), n)

    def test_explicit_hash_key_routing_at_boundaries(self):
        n = 4
        name = h.create_active(self.kinesis, shards=n)
        for i, (lo, hi) in enumerate(h.expected_hash_ranges(n)):
            for hk in {lo, hi, (lo + hi) // 2}:
                # partition key that would hash elsewhere: the explicit key must win
                pk = next(k for k in (f"x{j}" for j in range(1000))
                          if h.shard_for_hash(h.partition_hash(k), self._shards(name)) != h.shard_id(i))
                r = self.kinesis.put_record(StreamName=name, PartitionKey=pk, Data=b"e", ExplicitHashKey=str(hk))
                self.assertEqual(r["ShardId"], h.shard_id(i), f"ExplicitHashKey={hk}")
        b = self.kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": "same", "Data": b"%d" % i, "ExplicitHashKey": str(h.expected_hash_ranges(n)[i][0])}
            for i in range(n)])
        self.assertEqual([e["ShardId"] for e in b["Records"]], [h.shard_id(i) for i in range(n)])
        self.assertEqual(self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"m",
                                                 ExplicitHashKey=str(2 ** 128 - 1))["ShardId"], h.shard_id(n - 1))
        self.assertEqual(self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"m",
                                                 ExplicitHashKey="0")["ShardId"], h.shard_id(0))

    def test_explicit_hash_key_out_of_range(self):
        name = h.create_active(self.kinesis, shards=2)
        self.assertClientError("InvalidArgumentException", self.kinesis.put_record, StreamName=name,
                               PartitionKey="p", Data=b"x", ExplicitHashKey=str(2 ** 128))

    def _shards(self, name):
        return self.kinesis.list_shards(StreamName=name)["Shards"]

    # -- binary fidelity --------------------------------------------------------
    def test_binary_round_trip_all_byte_values_and_empty(self):
        name = h.create_active(self.kinesis, shards=1)
        payloads = [bytes(range(256)), bytes(range(255, -1, -1)) * 3, b"", b"\x00", b"\xff\xfe\x00\x01",
                    "ünïcödé \u2028 \"quoted\" \\ /".encode("utf-8"), b"\r\n\t"]
        payloads += [bytes([i]) for i in range(256)]
        seqs = []
        for p in payloads[:7]:
            seqs.append(self.kinesis.put_record(StreamName=name, PartitionKey="bin", Data=p)["SequenceNumber"])
        r = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "bin", "Data": p}
                                                               for p in payloads[7:]])
        self.assertEqual(r["FailedRecordCount"], 0)
        seqs += [e["SequenceNumber"] for e in r["Records"]]
        recs, _ = self.drain(self.iterator(name, h.shard_id(0)))
        self.assertEqual([x["Data"] for x in recs], payloads)
        self.assertEqual([x["SequenceNumber"] for x in recs], seqs)
        # the empty record is addressable directly
        it = self.iterator(name, h.shard_id(0), "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
        self.assertEqual(self.kinesis.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"], b"")

    # -- record size limits -----------------------------------------------------
    def test_record_at_default_limit_and_just_over(self):
        name = h.create_active(self.kinesis, shards=1)
        pk = "k"
        at_limit = os.urandom(MiB - len(pk))  # data + partition key == 1 MiB
        r = self.kinesis.put_record(StreamName=name, PartitionKey=pk, Data=at_limit)
        err = self._assert_too_big(self.kinesis.put_record, StreamName=name, PartitionKey=pk,
                                   Data=os.urandom(MiB + 1))
        # PutRecords: an oversized entry rejects the request
        self._assert_too_big(self.kinesis.put_records, StreamName=name,
                             Records=[{"PartitionKey": pk, "Data": b"small"},
                                      {"PartitionKey": pk, "Data": os.urandom(MiB + 1)}])
        b = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": pk, "Data": at_limit}])
        self.assertEqual(b["FailedRecordCount"], 0)
        recs, _ = self.drain(self.iterator(name, h.shard_id(0)), limit=1)
        self.assertEqual(len(recs), 2, "rejected records must not be stored")
        self.assertEqual(recs[0]["SequenceNumber"], r["SequenceNumber"])
        self.assertTrue(recs[0]["Data"] == at_limit and recs[1]["Data"] == at_limit)

    def _assert_too_big(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        e = cm.exception.response
        self.assertIn(e["Error"]["Code"], TOO_BIG_CODES, e)
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertTrue(e["ResponseMetadata"]["RequestId"])
        return cm.exception

    def test_update_max_record_size_allows_bigger_records(self):
        name = h.create_active(self.kinesis, shards=1)
        big = os.urandom(int(1.5 * MiB))
        self._assert_too_big(self.kinesis.put_record, StreamName=name, PartitionKey="k", Data=big)
        self.kinesis.update_max_record_size(StreamARN=h.stream_arn(name), MaxRecordSizeInKiB=2048)
        s = h.wait_active(self.kinesis, name)
        self.assertEqual(s["MaxRecordSizeInKiB"], 2048)
        r = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=big)
        exact = os.urandom(2 * MiB - 1)
        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=exact)
        self._assert_too_big(self.kinesis.put_record, StreamName=name, PartitionKey="k",
                             Data=os.urandom(2 * MiB + 1))
        recs, _ = self.drain(self.iterator(name, h.shard_id(0)))
        self.assertEqual(len(recs), 2)
        self.assertEqual(recs[0]["SequenceNumber"], r["SequenceNumber"])
        self.assertTrue(recs[0]["Data"] == big, "1.5 MiB record not byte-exact")
        self.assertTrue(recs[1]["Data"] == exact, "2 MiB record not byte-exact")

    def test_ten_mib_record_at_maximum_setting(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.update_max_record_size(StreamARN=h.stream_arn(name), MaxRecordSizeInKiB=10240)
        self.assertEqual(h.wait_active(self.kinesis, name)["MaxRecordSizeInKiB"], 10240)
        pk = "big"
        data = os.urandom(10 * MiB - len(pk))
        r = self.kinesis.put_record(StreamName=name, PartitionKey=pk, Data=data)
        self._assert_too_big(self.kinesis.put_record, StreamName=name, PartitionKey=pk, Data=os.urandom(10 * MiB + 1))
        it = self.iterator(name, h.shard_id(0))
        got = self.kinesis.get_records(ShardIterator=it)["Records"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["SequenceNumber"], r["SequenceNumber"])
        self.assertTrue(got[0]["Data"] == data, "10 MiB record not byte-exact")

    def test_stream_created_with_larger_max_record_size(self):
        name = h.create_active(self.kinesis, shards=1, MaxRecordSizeInKiB=3072)
        big = os.urandom(3 * MiB - 10)
        self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": big}])
        recs, _ = self.drain(self.iterator(name, h.shard_id(0)))
        self.assertEqual(len(recs), 1)
        self.assertTrue(recs[0]["Data"] == big)

    # -- iterator types ---------------------------------------------------------
    def test_all_iterator_types(self):
        name = h.create_active(self.kinesis, shards=1)
        sid = h.shard_id(0)
        latest_before = self.iterator(name, sid, "LATEST")
        seqs = [self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"r%d" % i)["SequenceNumber"]
                for i in range(10)]
        data = [b"r%d" % i for i in range(10)]
        trim, _ = self.drain(self.iterator(name, sid, "TRIM_HORIZON"))
        self.assertEqual([x["Data"] for x in trim], data)
        # LATEST obtained before the puts sees them all
        got, _ = self.drain(latest_before)
        self.assertEqual([x["Data"] for x in got], data)
        # LATEST obtained now sees nothing old, then only new records
        latest_now = self.iterator(name, sid, "LATEST")
        r = self.kinesis.get_records(ShardIterator=latest_now)
        self.assertEqual(r["Records"], [])
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"new")
        got, _ = self.drain(r["NextShardIterator"])
        self.assertEqual([x["Data"] for x in got], [b"new"])
        got, _ = self.drain(latest_now)  # the original LATEST iterator is still positioned before "new"
        self.assertEqual([x["Data"] for x in got], [b"new"])
        # AT / AFTER sequence number
        got, _ = self.drain(self.iterator(name, sid, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[4]))
        self.assertEqual([x["Data"] for x in got], data[4:] + [b"new"])
        got, _ = self.drain(self.iterator(name, sid, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[4]))
        self.assertEqual([x["Data"] for x in got], data[5:] + [b"new"])
        got, _ = self.drain(self.iterator(name, sid, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[0]))
        self.assertEqual([x["Data"] for x in got], data[1:] + [b"new"])

    def test_at_timestamp_boto3(self):
        # botocore serializes Kinesis timestamps as whole epoch seconds, so the cut is placed on a
        # second boundary: every "a" record arrives before it, every "b" record after it.
        name = h.create_active(self.kinesis, shards=1)
        sid = h.shard_id(0)
        for i in range(5):
            self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"a%d" % i)
        now = time.time()
        boundary = int(now) + 1
        time.sleep(boundary - now + 0.05)
        cut = datetime.datetime.fromtimestamp(boundary, datetime.timezone.utc)
        for i in range(5):
            self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"b%d" % i)
        got, _ = self.drain(self.iterator(name, sid, "AT_TIMESTAMP", Timestamp=cut))
        self.assertEqual([x["Data"] for x in got], [b"b%d" % i for i in range(5)])
        recs, _ = self.drain(self.iterator(name, sid))
        self.assertTrue(all(r["ApproximateArrivalTimestamp"] < cut for r in recs[:5]))
        self.assertTrue(all(r["ApproximateArrivalTimestamp"] >= cut for r in recs[5:]))
        # older than everything -> whole shard; in the future -> nothing yet, then new records
        old = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        got, _ = self.drain(self.iterator(name, sid, "AT_TIMESTAMP", Timestamp=old))
        self.assertEqual(len(got), 10)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        got, _ = self.drain(self.iterator(name, sid, "AT_TIMESTAMP", Timestamp=future))
        self.assertEqual(got, [])

    def test_at_timestamp_millisecond_precision(self):
        # raw JSON keeps the millisecond fraction that botocore would drop
        name = h.create_active(self.kinesis, shards=1)
        sid = h.shard_id(0)
        for i in range(8):
            self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"m%d" % i)
            time.sleep(0.005)
        it = self.iterator(name, sid)
        r = h.raw_request(self.endpoint, "GetRecords", {"ShardIterator": it})
        self.assertEqual(r.status, 200, r)
        stamps = [x["ApproximateArrivalTimestamp"] for x in r.json["Records"]]
        self.assertEqual(len(stamps), 8)
        self.assertTrue(all(isinstance(t, (int, float)) for t in stamps), stamps)
        self.assertEqual(stamps, sorted(stamps))
        self.assertLess(stamps[3], stamps[4], "records 5 ms apart must have distinct ms timestamps")
        for ts, first in ((stamps[4], 4), (stamps[3] + 0.001, 4), (stamps[6], 6)):
            with self.subTest(ts=ts):
                gi = h.raw_request(self.endpoint, "GetShardIterator", {
                    "StreamName": name, "ShardId": sid, "ShardIteratorType": "AT_TIMESTAMP",
                    "Timestamp": round(ts, 3)})
                self.assertEqual(gi.status, 200, gi)
                got, _ = self.drain(gi.json["ShardIterator"])
                expected = [b"m%d" % i for i in range(8) if stamps[i] >= round(ts, 3) - 1e-9]
                self.assertEqual([x["Data"] for x in got], expected)
                self.assertEqual(got[0]["Data"], b"m%d" % first)

    # -- GetRecords paging ---------------------------------------------------------
    def test_get_records_limit_and_paging(self):
        name = h.create_active(self.kinesis, shards=1)
        sid = h.shard_id(0)
        for chunk in range(5):
            r = self.kinesis.put_records(StreamName=name, Records=[
                {"PartitionKey": "p", "Data": b"%04d" % (chunk * 50 + i)} for i in range(50)])
            self.assertEqual(r["FailedRecordCount"], 0)
        it = self.iterator(name, sid)
        sizes, out = [], []
        for _ in range(10):
            r = self.kinesis.get_records(ShardIterator=it, Limit=100)
            sizes.append(len(r["Records"]))
            out += r["Records"]
            it = r["NextShardIterator"]
            if not r["Records"]:
                break
        self.assertEqual(sizes[:3], [100, 100, 50])
        self.assertEqual([x["Data"] for x in out], [b"%04d" % i for i in range(250)])
        # Limit=1 walks one record at a time
        it = self.iterator(name, sid)
        for i in range(3):
            r = self.kinesis.get_records(ShardIterator=it, Limit=1)
            self.assertEqual([x["Data"] for x in r["Records"]], [b"%04d" % i])
            it = r["NextShardIterator"]
        # default Limit returns everything (<= 10000) in one call
        r = self.kinesis.get_records(ShardIterator=self.iterator(name, sid))
        self.assertEqual(len(r["Records"]), 250)
        self.assertEqual(r["MillisBehindLatest"], 0)
        # after catching up: empty page, iterator still present, new data appears
        r2 = self.kinesis.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual(r2["Records"], [])
        self.assertTrue(r2["NextShardIterator"])
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"tail")
        r3 = self.kinesis.get_records(ShardIterator=r2["NextShardIterator"])
        self.assertEqual([x["Data"] for x in r3["Records"]], [b"tail"])

    def test_iterator_can_be_reused(self):
        name = h.create_active(self.kinesis, shards=1)
        for i in range(3):
            self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"%d" % i)
        it = self.iterator(name, h.shard_id(0))
        a = self.kinesis.get_records(ShardIterator=it)["Records"]
        b = self.kinesis.get_records(ShardIterator=it)["Records"]
        self.assertEqual([x["SequenceNumber"] for x in a], [x["SequenceNumber"] for x in b])
        self.assertEqual(len(a), 3)

    def test_millis_behind_latest(self):
        name = h.create_active(self.kinesis, shards=1)
        sid = h.shard_id(0)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"old1")
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"old2")
        time.sleep(1.2)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"new")
        r = self.kinesis.get_records(ShardIterator=self.iterator(name, sid), Limit=1)
        self.assertEqual([x["Data"] for x in r["Records"]], [b"old1"])
        # both the next unread record and the last returned one are >= 1.2 s older than the tip
        self.assertGreaterEqual(r["MillisBehindLatest"], 1000, "consumer is 1.2 s of data behind the tip")
        self.assertLess(r["MillisBehindLatest"], 60000)
        r = self.kinesis.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual([x["Data"] for x in r["Records"]], [b"old2", b"new"])
        self.assertEqual(r["MillisBehindLatest"], 0)
        empty = self.kinesis.get_records(ShardIterator=self.iterator(name, sid, "LATEST"))
        self.assertEqual(empty["MillisBehindLatest"], 0)

    def test_after_last_sequence_number_waits_for_new_data(self):
        name = h.create_active(self.kinesis, shards=1)
        sid = h.shard_id(0)
        last = None
        for i in range(3):
            last = self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"%d" % i)["SequenceNumber"]
        it = self.iterator(name, sid, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=last)
        r = self.kinesis.get_records(ShardIterator=it)
        self.assertEqual(r["Records"], [])
        nxt = self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"next")["SequenceNumber"]
        got, _ = self.drain(r["NextShardIterator"])
        self.assertEqual([(x["SequenceNumber"], x["Data"]) for x in got], [(nxt, b"next")])

    def test_unicode_partition_keys_round_trip(self):
        name = h.create_active(self.kinesis, shards=1)
        keys = ["é" * 256, "日本語", "key with spaces", "\u0000-literal", "🙂", "a/b:c=d"]
        for k in keys:
            self.kinesis.put_record(StreamName=name, PartitionKey=k, Data=k.encode("utf-8"))
        got, _ = self.drain(self.iterator(name, h.shard_id(0)))
        self.assertEqual([(x["PartitionKey"], x["Data"]) for x in got], [(k, k.encode("utf-8")) for k in keys])

    def test_get_records_response_capped_at_10_mib(self):
        name = h.create_active(self.kinesis, shards=1)
        blobs = [os.urandom(MiB - 1) for _ in range(12)]
        for i in range(0, 12, 4):
            r = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b}
                                                                   for b in blobs[i:i + 4]])
            self.assertEqual(r["FailedRecordCount"], 0)
        r = self.kinesis.get_records(ShardIterator=self.iterator(name, h.shard_id(0)))
        first = r["Records"]
        self.assertGreater(len(first), 0)
        self.assertLess(len(first), 12, "a single GetRecords response must not exceed 10 MiB")
        self.assertLessEqual(sum(len(x["Data"]) + len(x["PartitionKey"]) for x in first), 10 * MiB)
        self.assertGreater(r["MillisBehindLatest"], -1)
        rest, _ = self.drain(r["NextShardIterator"])
        self.assertTrue([x["Data"] for x in first + rest] == blobs, "records lost or altered across pages")

    def test_put_records_request_over_10_mib(self):
        name = h.create_active(self.kinesis, shards=1)
        entries = [{"PartitionKey": "k", "Data": os.urandom(MiB - 1)} for _ in range(11)]
        self._assert_too_big(self.kinesis.put_records, StreamName=name, Records=entries)
        self.assertEqual(h.read_all(self.kinesis, name, h.shard_id(0)), [])

    def test_iterator_from_previous_incarnation_of_stream(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"old-incarnation")
        it = self.iterator(name, h.shard_id(0))
        self.kinesis.delete_stream(StreamName=name)
        h.wait_gone(self.kinesis, name)
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        h.wait_active(self.kinesis, name)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"new-incarnation")
        with self.assertRaises(ClientError) as cm:
            r = self.kinesis.get_records(ShardIterator=it)
            self.fail(f"stale iterator of a deleted stream returned {r['Records']!r}")
        self.assertIn(h.error_code(cm.exception),
                      ("ResourceNotFoundException", "InvalidArgumentException", "ExpiredIteratorException"))

    # -- bad iterators ---------------------------------------------------------
    def test_tampered_iterators_are_rejected(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"secret")
        good = self.iterator(name, h.shard_id(0))
        self.assertEqual(len(self.kinesis.get_records(ShardIterator=good)["Records"]), 1)
        variants = []
        for pos in (len(good) // 4, len(good) // 2, (3 * len(good)) // 4, 1):
            c = good[pos]
            repl = "A" if c != "A" else "B"
            variants.append(good[:pos] + repl + good[pos + 1:])
        variants += [good[:-8], good[: len(good) // 2], "AAAAAAAAAAAAAAAAAAAAAAAA", "not-an-iterator", "x" * 512]
        for bad in variants:
            with self.subTest(bad=bad[:40]):
                self.assertClientError("InvalidArgumentException", self.kinesis.get_records, ShardIterator=bad)
        # the server is still healthy
        self.assertEqual(len(self.kinesis.get_records(ShardIterator=good)["Records"]), 1)

    def test_iterator_of_deleted_stream(self):
        name = h.create_active(self.kinesis, shards=1)
        it = self.iterator(name, h.shard_id(0))
        self.kinesis.delete_stream(StreamName=name)
        h.wait_gone(self.kinesis, name)
        self.assertClientError("ResourceNotFoundException", self.kinesis.get_records, ShardIterator=it)

    # Iterator expiry after five minutes is tested with a manual clock in
    # tests/unit/kinesis_api_test.cc (IteratorExpiresAfterFiveMinutes).


if __name__ == "__main__":
    unittest.main()
