"""Retention really trims: expired records disappear from reads and their
segments from disk.

The server runs with --retention-hour-ms 50, so the minimum retention of
24 hours lasts 1.2 s, and small segments so that trimming has whole segments
to delete."""

import os
import time
import unittest

from harness import kinesis_client, skip_if_external, start_server, unique_name, wait_active

HOUR_MS = 50
RETENTION_S = 24 * HOUR_MS / 1000.0


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


class RetentionTest(unittest.TestCase):
    def setUp(self):
        skip_if_external("needs --retention-hour-ms")
        self.server = start_server(extra_args=["--retention-hour-ms", str(HOUR_MS), "--retention-check-ms", "100",
                                               "--segment-bytes", str(256 * 1024)])
        self.addCleanup(self.server.cleanup)
        self.k = kinesis_client(self.server.endpoint)

    def read_all(self, name, iterator_type="TRIM_HORIZON", **kw):
        it = self.k.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                       ShardIteratorType=iterator_type, **kw)["ShardIterator"]
        out = []
        for _ in range(50):
            r = self.k.get_records(ShardIterator=it)
            out += r["Records"]
            it = r["NextShardIterator"]
            if not r["Records"] and r["MillisBehindLatest"] == 0:
                break
        return out

    def test_expired_records_vanish_from_reads_and_disk(self):
        name = unique_name("ret")
        self.k.create_stream(StreamName=name, ShardCount=1)
        wait_active(self.k, name)
        old_payload = os.urandom(20_000)
        first_seq = None
        for batch in range(10):  # 100 records x 20 KB = 2 MB, several 256 KiB segments
            resp = self.k.put_records(StreamName=name, Records=[
                {"Data": old_payload, "PartitionKey": f"k{batch}-{i}"} for i in range(10)])
            self.assertEqual(resp["FailedRecordCount"], 0)
            first_seq = first_seq or resp["Records"][0]["SequenceNumber"]
        self.assertEqual(len(self.read_all(name)), 100)
        shard_dir = os.path.join(self.server.data_dir, "kinesis", "us-east-1", name)
        before = dir_bytes(shard_dir)
        self.assertGreater(before, 2_000_000)

        time.sleep(RETENTION_S + 0.5)
        fresh = self.k.put_record(StreamName=name, Data=b"fresh", PartitionKey="p")

        # Reads: only the record within retention, whatever the starting point.
        records = self.read_all(name)
        self.assertEqual([r["Data"] for r in records], [b"fresh"])
        self.assertEqual(records[0]["SequenceNumber"], fresh["SequenceNumber"])
        records = self.read_all(name, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=first_seq)
        self.assertEqual([r["Data"] for r in records], [b"fresh"])

        # Disk: the background trim deletes the expired segments.
        deadline = time.time() + 10
        while time.time() < deadline and dir_bytes(shard_dir) > before // 2:
            time.sleep(0.1)
        after = dir_bytes(shard_dir)
        self.assertLess(after, 600_000, f"expired segments not deleted: {before} -> {after} bytes")

        # And the trim survives a restart: nothing expired comes back.
        self.server.restart()
        self.k = kinesis_client(self.server.endpoint)
        self.assertEqual([r["Data"] for r in self.read_all(name)], [b"fresh"])

    def test_longer_retention_keeps_records(self):
        name = unique_name("keep")
        self.k.create_stream(StreamName=name, ShardCount=1)
        wait_active(self.k, name)
        self.k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=200)  # 10 s here
        self.k.put_record(StreamName=name, Data=b"kept", PartitionKey="p")
        time.sleep(RETENTION_S + 0.5)
        self.assertEqual([r["Data"] for r in self.read_all(name)], [b"kept"])


if __name__ == "__main__":
    unittest.main()
