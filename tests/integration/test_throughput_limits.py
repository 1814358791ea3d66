"""Opt-in AWS limits (`serve --throughput-limits`) and deterministic fault
injection (`--fault-put-fraction`, `--fault-seed`), with boto3 and our own
producer: per-record ProvisionedThroughputExceededException in PutRecords,
the exception for PutRecord and GetRecords, the large-read penalty,
LimitExceededException for control-plane rates, and the same entries
failing for the same seed."""

import json
import os
import subprocess
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import harness as h

KIB = 1024
MIB = 1024 * 1024


def outcomes(fn, calls):
    """Runs `calls` calls of fn at once (a loaded machine must not spread
    them over seconds); returns their error codes ("ok" for success) and how
    long they took."""
    def one(_):
        try:
            fn()
            return "ok"
        except h.ClientError as e:
            return h.error_code(e)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=calls) as pool:
        codes = list(pool.map(one, range(calls)))
    return codes, time.monotonic() - start


class ThroughputLimitsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        h.skip_if_external("starts servers with --throughput-limits")
        cls.server = h.start_server(extra_args=["--throughput-limits"])
        cls.addClassCleanup(cls.server.cleanup)
        cls.kinesis = cls.server.client()

    def fresh_stream(self, shards=1):
        name = h.create_active(self.kinesis, shards=shards)
        time.sleep(1.1)  # let the control-plane and shard buckets refill
        return name

    def test_put_records_over_one_mib_fails_per_record(self):
        name = self.fresh_stream()
        data = b"x" * (8 * KIB)
        r = self.kinesis.put_records(StreamName=name,
                                     Records=[{"PartitionKey": f"k{i}", "Data": data} for i in range(300)])
        failed = [e for e in r["Records"] if "ErrorCode" in e]
        self.assertEqual(r["FailedRecordCount"], len(failed))
        # 1 MiB of burst admits about 128 records of 8 KiB, the rest are throttled.
        self.assertGreater(len(failed), 100)
        self.assertLess(len(failed), 200)
        for e in failed:
            self.assertEqual(e["ErrorCode"], "ProvisionedThroughputExceededException")
            self.assertIn("Rate exceeded for shard shardId-000000000000 in stream " + name, e["ErrorMessage"])
        # Only the admitted records were written.
        stored = h.read_all(self.kinesis, name, h.shard_id(0))
        self.assertEqual(len(stored), 300 - len(failed))
        # A second later the shard accepts writes again.
        time.sleep(1.2)
        r = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": data}] * 10)
        self.assertEqual(r["FailedRecordCount"], 0)

    def test_a_thousand_records_per_second_per_shard(self):
        name = self.fresh_stream()
        failed = []
        records = [{"PartitionKey": f"k{i}", "Data": b"."} for i in range(500)]

        def put():
            failed.append(self.kinesis.put_records(StreamName=name, Records=records)["FailedRecordCount"])
        codes, elapsed = outcomes(put, 6)
        self.assertEqual(codes, ["ok"] * 6)
        accepted = 3000 - sum(failed)
        self.assertGreaterEqual(accepted, 1000)
        self.assertLessEqual(accepted, 1000 + 1000 * elapsed + 5, f"{accepted} records in {elapsed:.2f}s")
        self.assertGreater(sum(failed), 0)

    def test_other_shards_are_not_throttled(self):
        name = self.fresh_stream(shards=2)
        half = str(h.HASH_SPACE // 2)
        r = self.kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": "k", "Data": b"y" * (64 * KIB), "ExplicitHashKey": "0"} for _ in range(40)])
        self.assertGreater(r["FailedRecordCount"], 0)
        r = self.kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": "k", "Data": b"y" * (64 * KIB), "ExplicitHashKey": half} for _ in range(10)])
        self.assertEqual(r["FailedRecordCount"], 0)

    def test_put_record_raises_and_a_large_record_borrows_from_the_future(self):
        name = self.fresh_stream()
        self.kinesis.update_max_record_size(StreamARN=h.stream_arn(name), MaxRecordSizeInKiB=10240)
        # A 5 MiB record is accepted (the bucket was positive)...
        self.kinesis.put_record(StreamName=name, PartitionKey="big", Data=b"z" * (5 * MIB))
        # ...and leaves the shard 4 MiB in debt: about 4 s of refused writes.
        with self.assertRaises(h.ClientError) as cm:
            self.kinesis.put_record(StreamName=name, PartitionKey="small", Data=b"s")
        err = cm.exception
        self.assertEqual(h.error_code(err), "ProvisionedThroughputExceededException")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("Rate exceeded for shard shardId-000000000000", err.response["Error"]["Message"])

    def test_get_records_five_calls_per_second(self):
        name = self.fresh_stream()
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0),
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        codes, elapsed = outcomes(lambda: self.kinesis.get_records(ShardIterator=it), 25)
        ok = codes.count("ok")
        self.assertGreaterEqual(ok, 5)
        self.assertLessEqual(ok, 5 + 5 * elapsed + 1, f"{ok} calls in {elapsed:.2f}s")
        self.assertEqual(set(codes), {"ok", "ProvisionedThroughputExceededException"})

    def test_a_large_read_blocks_reads_for_a_while(self):
        name = self.fresh_stream()
        for _ in range(4):  # 4 MB over 4 seconds, within the write limit
            r = self.kinesis.put_records(StreamName=name,
                                         Records=[{"PartitionKey": "k", "Data": b"r" * (100 * KIB)}] * 10)
            self.assertEqual(r["FailedRecordCount"], 0)
            time.sleep(1.05)
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0),
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        # Raw requests: parsing 4 MB in boto3 would take long enough to repay the debt.
        first = h.raw_request(self.server.endpoint, "GetRecords", {"ShardIterator": it})
        self.assertEqual(first.status, 200)
        body = json.loads(first.body)
        self.assertEqual(len(body["Records"]), 40)
        # 4 MB against a 2 MiB/s bucket: about a second of refused reads.
        second = h.raw_request(self.server.endpoint, "GetRecords", {"ShardIterator": body["NextShardIterator"]})
        self.assertEqual((second.status, second.error_type), (400, "ProvisionedThroughputExceededException"))
        time.sleep(1.5)
        third = h.raw_request(self.server.endpoint, "GetRecords", {"ShardIterator": body["NextShardIterator"]})
        self.assertEqual(third.status, 200)

    def test_control_plane_rate_gives_limit_exceeded(self):
        name = self.fresh_stream()
        codes, elapsed = outcomes(lambda: self.kinesis.describe_stream(StreamName=name), 40)
        ok = codes.count("ok")
        self.assertGreaterEqual(ok, 10)
        self.assertLessEqual(ok, 10 + 10 * elapsed + 1, f"{ok} calls in {elapsed:.2f}s")
        self.assertEqual(set(codes), {"ok", "LimitExceededException"})

    def test_get_shard_iterator_five_calls_per_second_per_shard(self):
        name = self.fresh_stream()
        codes, elapsed = outcomes(lambda: self.kinesis.get_shard_iterator(
            StreamName=name, ShardId=h.shard_id(0), ShardIteratorType="LATEST"), 20)
        ok = codes.count("ok")
        self.assertGreaterEqual(ok, 5)
        self.assertLessEqual(ok, 5 + 5 * elapsed + 1, f"{ok} calls in {elapsed:.2f}s")
        self.assertEqual(set(codes), {"ok", "ProvisionedThroughputExceededException"})

    def test_two_capacity_mode_switches_per_day(self):
        name = self.fresh_stream()
        arn = h.stream_arn(name)
        self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
        with self.assertRaises(h.ClientError) as cm:
            self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertEqual(h.error_code(cm.exception), "LimitExceededException")

    def test_our_producer_retries_through_throttling_without_loss(self):
        name = self.fresh_stream()
        work = tempfile.mkdtemp(prefix="sluice-tl-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
        summary = os.path.join(work, "s.json")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=h.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=h.SECRET_KEY,
                   AWS_REGION=h.DEFAULT_REGION)
        proc = subprocess.run([h.find_binary(), "produce", "--stream-name", name, "--endpoint-url",
                               self.server.endpoint, "--count", "2500", "--seed", "4", "--summary-json", summary,
                               "--quiet"], capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(summary) as f:
            s = json.load(f)
        self.assertEqual(s["failed"], 0)
        time.sleep(1.1)
        stored = h.read_all(self.kinesis, name, h.shard_id(0), max_empty=3)
        ids = {json.loads(r["Data"])["event_id"] for r in stored}
        self.assertEqual(len(ids), 2500)


class FaultInjectionTest(unittest.TestCase):

    def put_batch(self, server, name):
        k = server.client()
        r = k.put_records(StreamName=name, Records=[{"PartitionKey": f"k{i}", "Data": b"d"} for i in range(500)])
        return r, [i for i, e in enumerate(r["Records"]) if "ErrorCode" in e]

    def run_once(self, seed):
        server = h.start_server(extra_args=["--fault-put-fraction", "0.1", "--fault-seed", str(seed)])
        self.addCleanup(server.cleanup)
        name = h.create_active(server.client(), name="faults", shards=2)
        return self.put_batch(server, name)

    def test_fraction_of_entries_fail_deterministically(self):
        h.skip_if_external()
        r, failed = self.run_once(7)
        self.assertEqual(r["FailedRecordCount"], len(failed))
        self.assertGreater(len(failed), 25)
        self.assertLess(len(failed), 85)
        for i in failed:
            self.assertEqual(r["Records"][i]["ErrorCode"], "InternalFailure")
        _, again = self.run_once(7)
        self.assertEqual(again, failed, "the same seed must fail the same entries")
        _, other = self.run_once(8)
        self.assertNotEqual(other, failed)

    def test_no_limits_without_the_flag(self):
        h.skip_if_external()
        server = h.start_server()
        self.addCleanup(server.cleanup)
        k = server.client()
        name = h.create_active(k, shards=1)
        r = k.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b"x" * (8 * KIB)}] * 400)
        self.assertEqual(r["FailedRecordCount"], 0)
        it = k.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0), ShardIteratorType="LATEST")["ShardIterator"]
        for _ in range(10):
            it = k.get_records(ShardIterator=it)["NextShardIterator"]


if __name__ == "__main__":
    unittest.main()
