"""The AWS CBOR protocol (application/x-amz-cbor-1.1), as the Java SDKs, the
KCL and the KPL speak it to Kinesis.

Requests are built by hand the way the Java SDK's Jackson CBOR generator writes
them: indefinite-length maps (0xBF ... 0xFF), text-string keys, blobs as byte
strings, timestamps as tag 1 over an integer count of epoch MILLISECONDS. The
answers are decoded by the small decoder below, which follows RFC 8949 without
interpreting tags, so the test sees the wire values exactly."""

import struct
import time
import unittest

import harness as h

CBOR = "application/x-amz-cbor-1.1"


# --- a Jackson-like CBOR writer -----------------------------------------------

def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError(n)


class Millis(int):
    """A timestamp: written as tag 1 over epoch milliseconds."""


def enc(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if v is None:
        return b"\xf6"
    if isinstance(v, Millis):
        return _head(6, 1) + enc(int(v))
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, bytes):
        return _head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return _head(3, len(b)) + b
    if isinstance(v, list):
        return b"\x9f" + b"".join(enc(e) for e in v) + b"\xff"  # indefinite array
    if isinstance(v, dict):
        return b"\xbf" + b"".join(enc(k) + enc(x) for k, x in v.items()) + b"\xff"  # indefinite map
    raise TypeError(type(v))


# --- a minimal decoder (tags kept as Tag objects) ------------------------------

class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def __repr__(self):
        return f"Tag({self.tag}, {self.value!r})"


def dec(data):
    value, pos = _dec(data, 0)
    if pos != len(data):
        raise ValueError(f"trailing bytes at {pos}")
    return value


def _dec(d, p):
    ib = d[p]
    major, ai = ib >> 5, ib & 31
    p += 1
    if ai < 24:
        n = ai
    elif ai in (24, 25, 26, 27):
        size = 1 << (ai - 24)
        n = int.from_bytes(d[p:p + size], "big")
        if major == 7:
            raw = d[p:p + size]
            p += size
            return ({2: lambda b: struct.unpack(">e", b)[0], 4: lambda b: struct.unpack(">f", b)[0],
                     8: lambda b: struct.unpack(">d", b)[0]}[size](raw)), p
        p += size
    elif ai == 31:
        n = None
    else:
        raise ValueError("reserved additional info")
    if major == 0:
        return n, p
    if major == 1:
        return -1 - n, p
    if major in (2, 3):
        if n is None:
            parts = []
            while d[p] != 0xFF:
                part, p = _dec(d, p)
                parts.append(part)
            return (b"" if major == 2 else "").join(parts), p + 1
        raw = d[p:p + n]
        return (raw if major == 2 else raw.decode()), p + n
    if major == 4:
        out = []
        while (n is None and d[p] != 0xFF) or (n is not None and len(out) < n):
            e, p = _dec(d, p)
            out.append(e)
        return out, (p + 1 if n is None else p)
    if major == 5:
        out = {}
        while (n is None and d[p] != 0xFF) or (n is not None and len(out) < n):
            k, p = _dec(d, p)
            out[k], p = _dec(d, p)
        return out, (p + 1 if n is None else p)
    if major == 6:
        v, p = _dec(d, p)
        return Tag(n, v), p
    return {20: False, 21: True, 22: None, 23: None}[n], p


class CborTest(h.ServerTestCase):

    def call(self, operation, body, raw=None):
        r = h.raw_request(self.endpoint, operation, enc(body) if raw is None else raw, content_type=CBOR)
        self.assertIn("cbor", r.headers.get("content-type", ""), r)
        return r.status, dec(r.body) if r.body else None

    def ok(self, operation, body):
        status, doc = self.call(operation, body)
        self.assertEqual(status, 200, doc)
        return doc

    def test_binary_blobs_round_trip_byte_exact_in_both_protocols(self):
        name = h.create_active(self.kinesis, shards=1)
        every_byte = bytes(range(256)) * 4
        put = self.ok("PutRecord", {"StreamName": name, "Data": every_byte, "PartitionKey": "k"})
        self.assertEqual(put["ShardId"], "shardId-000000000000")
        self.assertRegex(put["SequenceNumber"], r"^\d{56}$")
        batch = [{"Data": bytes([i]) * (i + 1), "PartitionKey": f"p{i}"} for i in range(3)]
        res = self.ok("PutRecords", {"StreamName": name, "Records": batch})
        self.assertEqual(res["FailedRecordCount"], 0)
        self.assertEqual(len(res["Records"]), 3)

        it = self.ok("GetShardIterator", {"StreamName": name, "ShardId": put["ShardId"],
                                          "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        got = self.ok("GetRecords", {"ShardIterator": it})
        datas = [r["Data"] for r in got["Records"]]
        self.assertEqual(datas, [every_byte] + [b["Data"] for b in batch])
        self.assertTrue(all(isinstance(x, bytes) for x in datas))
        # The same records through JSON (boto3) are the same bytes.
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=put["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual([r["Data"] for r in self.kinesis.get_records(ShardIterator=it)["Records"]], datas)
        # And a record put with boto3 reads back as a CBOR byte string.
        self.kinesis.put_record(StreamName=name, Data=b"\x00\xff json side", PartitionKey="j")
        it = self.ok("GetShardIterator", {"StreamName": name, "ShardId": put["ShardId"],
                                          "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                          "StartingSequenceNumber": res["Records"][-1]["SequenceNumber"]})
        self.assertEqual([r["Data"] for r in self.ok("GetRecords", {"ShardIterator": it["ShardIterator"]})["Records"]],
                         [b"\x00\xff json side"])

    def test_timestamps_are_tag_1_epoch_milliseconds_both_ways(self):
        name = h.create_active(self.kinesis, shards=1)
        before = int(time.time() * 1000)
        self.ok("PutRecord", {"StreamName": name, "Data": b"early", "PartitionKey": "k"})
        time.sleep(0.3)
        cut = int(time.time() * 1000)
        time.sleep(0.05)
        self.ok("PutRecord", {"StreamName": name, "Data": b"late", "PartitionKey": "k"})
        after = int(time.time() * 1000)

        it = self.ok("GetShardIterator", {"StreamName": name, "ShardId": "shardId-000000000000",
                                          "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        records = self.ok("GetRecords", {"ShardIterator": it})["Records"]
        for r in records:
            ts = r["ApproximateArrivalTimestamp"]
            self.assertIsInstance(ts, Tag)
            self.assertEqual(ts.tag, 1)
            self.assertIsInstance(ts.value, int)  # integer milliseconds, as the Java SDK parses them
            self.assertGreaterEqual(ts.value, before - 5)
            self.assertLessEqual(ts.value, after + 5)

        # AT_TIMESTAMP with a tag-1 millisecond value (what the Java SDK sends).
        it = self.ok("GetShardIterator", {"StreamName": name, "ShardId": "shardId-000000000000",
                                          "ShardIteratorType": "AT_TIMESTAMP",
                                          "Timestamp": h_millis(cut)})["ShardIterator"]
        self.assertEqual([r["Data"] for r in self.ok("GetRecords", {"ShardIterator": it})["Records"]], [b"late"])

        summary = self.ok("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]
        created = summary["StreamCreationTimestamp"]
        self.assertEqual(created.tag, 1)
        self.assertLessEqual(abs(created.value - before), 60_000)

    def test_errors_are_cbor_maps_with_the_aws_type(self):
        status, doc = self.call("DescribeStreamSummary", {"StreamName": h.unique_name("missing")})
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "ResourceNotFoundException")
        self.assertIn("not found", doc["message"])

        status, doc = self.call("PutRecord", None, raw=b"\xbf\x6aStreamName")  # truncated map
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "SerializationException")

        status, doc = self.call("PutRecord", None, raw=enc({"StreamName": "s", "Data": b"x", "PartitionKey": "k"}) + b"\x00")
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "SerializationException")

        # A byte string where the model wants a string.
        status, doc = self.call("PutRecord", {"StreamName": b"raw", "Data": b"x", "PartitionKey": "k"})
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "SerializationException")

        # Validation runs on the decoded document exactly as for JSON.
        status, doc = self.call("PutRecord", {"StreamName": "bad name!", "Data": b"x", "PartitionKey": "k"})
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "ValidationException")

        deep = b"\x81" * 200 + b"\x00"  # 200 nested arrays
        status, doc = self.call("PutRecord", None, raw=b"\xa1\x64Data" + deep)
        self.assertEqual(status, 400)
        self.assertEqual(doc["__type"], "SerializationException")

    def test_definite_lengths_and_chunked_strings_are_accepted(self):
        name = h.create_active(self.kinesis, shards=1)
        # {"StreamName": <chunked text>, "Data": <chunked bytes>, "PartitionKey": "k"} with a definite map.
        half = len(name) // 2
        chunked_name = b"\x7f" + enc(name[:half]) + enc(name[half:]) + b"\xff"
        chunked_data = b"\x5f" + enc(b"\x01\x02") + enc(b"\x03") + b"\xff"
        body = b"\xa3" + enc("StreamName") + chunked_name + enc("Data") + chunked_data + enc("PartitionKey") + enc("k")
        status, doc = self.call("PutRecord", None, raw=body)
        self.assertEqual(status, 200, doc)
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=doc["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(self.kinesis.get_records(ShardIterator=it)["Records"][0]["Data"], b"\x01\x02\x03")


class CborEventStreamTest(h.ServerTestCase):
    transition_ms = 50

    def test_subscribe_to_shard_events_are_cbor_for_a_cbor_request(self):
        import http.client
        from urllib.parse import urlparse
        name = h.create_active(self.kinesis, shards=1)
        arn = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        consumer = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="java")["Consumer"]["ConsumerARN"]
        while self.kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"][
                "ConsumerStatus"] != "ACTIVE":
            time.sleep(0.05)
        self.kinesis.put_record(StreamName=name, Data=b"\x00\xffbinary", PartitionKey="k")
        body = enc({"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                    "StartingPosition": {"Type": "TRIM_HORIZON"}})
        u = urlparse(self.endpoint)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            conn.request("POST", "/", body=body, headers={"Content-Type": CBOR,
                                                          "X-Amz-Target": "Kinesis_20131202.SubscribeToShard"})
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("Content-Type"), "application/vnd.amazon.eventstream")
            buf, messages = b"", []
            while len(messages) < 2:
                chunk = r.read1(65536)
                self.assertTrue(chunk, "stream ended early")
                buf += chunk
                while len(buf) >= 12 and len(buf) >= struct.unpack(">I", buf[:4])[0]:
                    total, hlen = struct.unpack(">II", buf[:8])
                    headers, p = {}, 12
                    while p < 12 + hlen:
                        n = buf[p]
                        key = buf[p + 1:p + 1 + n].decode()
                        vlen = struct.unpack(">H", buf[p + 2 + n:p + 4 + n])[0]
                        headers[key] = buf[p + 4 + n:p + 4 + n + vlen].decode()
                        p += 4 + n + vlen
                    messages.append((headers, buf[12 + hlen:total - 4]))
                    buf = buf[total:]
        finally:
            conn.close()
        (h0, p0), (h1, p1) = messages[:2]
        self.assertEqual(h0[":event-type"], "initial-response")
        self.assertEqual(h1[":event-type"], "SubscribeToShardEvent")
        self.assertEqual(h1[":content-type"], CBOR)
        event = dec(p1)
        rec = event["Records"][0]
        self.assertEqual(rec["Data"], b"\x00\xffbinary")  # a byte string
        self.assertIsInstance(rec["ApproximateArrivalTimestamp"], Tag)
        self.assertEqual(rec["ApproximateArrivalTimestamp"].tag, 1)
        self.assertIsInstance(rec["ApproximateArrivalTimestamp"].value, int)
        self.assertEqual(event["ContinuationSequenceNumber"], rec["SequenceNumber"])


def h_millis(ms):
    return Millis(ms)


if __name__ == "__main__":
    unittest.main()
