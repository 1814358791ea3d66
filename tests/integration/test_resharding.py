"""Resharding with real clients: SplitShard, MergeShards, UpdateShardCount and
UpdateStreamMode through boto3 and the aws CLI. Exact hash ranges, lineage,
closed shards (EndingSequenceNumber, readable to their end, then ChildShards
and no NextShardIterator), ListShards filters over closed shards, routing of
puts to the children, UPDATING and ResourceInUseException, restart
durability and the AWS errors."""

import datetime
import json
import os
import subprocess
import tempfile
import time
import unittest
from collections import Counter, defaultdict

import harness as h

HALF = h.HASH_SPACE // 2


def ranges(shards):
    return [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in shards]


def open_shards(shards):
    """The open shards of a listing, by hash range (shard ids need not be in range order)."""
    return sorted((s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]),
                  key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))


def key_for_shard(shards, shard_id, prefix="k"):
    """A partition key that routes to `shard_id` (one of `shards`)."""
    for i in range(100000):
        key = f"{prefix}{i}"
        if h.shard_for_hash(h.partition_hash(key), open_shards(shards)) == shard_id:
            return key
    raise AssertionError(f"no key for {shard_id}")


class ReshardingTest(h.ServerTestCase):

    def list_shards(self, name, **kw):
        return self.kinesis.list_shards(StreamName=name, **kw)["Shards"]

    def put(self, name, key, data):
        return self.kinesis.put_record(StreamName=name, PartitionKey=key, Data=data)

    # -- SplitShard -------------------------------------------------------------
    def test_split_gives_exact_ranges_lineage_and_a_closed_parent(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF))
        h.wait_active(self.kinesis, name)
        shards = self.list_shards(name)
        self.assertEqual([s["ShardId"] for s in shards], [h.shard_id(i) for i in range(3)])
        parent, low, high = shards
        self.assertIn("EndingSequenceNumber", parent["SequenceNumberRange"])
        self.assertEqual(ranges([low, high]), [(0, HALF - 1), (HALF, h.HASH_SPACE - 1)])
        for child in (low, high):
            self.assertEqual(child["ParentShardId"], h.shard_id(0))
            self.assertNotIn("AdjacentParentShardId", child)
            self.assertNotIn("EndingSequenceNumber", child["SequenceNumberRange"])
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["OpenShardCount"], 2)

    def test_puts_after_a_split_route_by_hash_key_to_the_children(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF))
        low = self.kinesis.put_record(StreamName=name, PartitionKey="x", Data=b"a", ExplicitHashKey=str(HALF - 1))
        high = self.kinesis.put_record(StreamName=name, PartitionKey="x", Data=b"b", ExplicitHashKey=str(HALF))
        self.assertEqual(low["ShardId"], h.shard_id(1))
        self.assertEqual(high["ShardId"], h.shard_id(2))
        shards = self.list_shards(name)
        keys = [f"pk-{i}" for i in range(40)]
        r = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": k, "Data": b"x"} for k in keys])
        self.assertEqual(r["FailedRecordCount"], 0)
        for k, rec in zip(keys, r["Records"]):
            self.assertEqual(rec["ShardId"], h.shard_for_hash(h.partition_hash(k), open_shards(shards)))

    def test_closed_parent_is_read_to_its_end_then_gives_child_shards(self):
        name = h.create_active(self.kinesis, shards=1)
        before = [self.put(name, f"b{i}", f"before-{i}".encode())["SequenceNumber"] for i in range(5)]
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0),
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF))
        after = [self.put(name, f"a{i}", f"after-{i}".encode()) for i in range(5)]
        self.assertTrue(all(a["ShardId"] != h.shard_id(0) for a in after))

        parent = self.list_shards(name)[0]
        self.assertEqual(parent["SequenceNumberRange"]["EndingSequenceNumber"], before[-1])
        got, child_shards = [], None
        for _ in range(10):
            r = self.kinesis.get_records(ShardIterator=it, Limit=2)
            got += r["Records"]
            if r.get("NextShardIterator") is None:
                child_shards = r["ChildShards"]
                break
            self.assertNotIn("ChildShards", r)
            it = r["NextShardIterator"]
        self.assertEqual([x["SequenceNumber"] for x in got], before)
        self.assertIsNotNone(child_shards, "no end of the closed shard")
        self.assertEqual(sorted(c["ShardId"] for c in child_shards), [h.shard_id(1), h.shard_id(2)])
        for c in child_shards:
            self.assertEqual(c["ParentShards"], [h.shard_id(0)])
        self.assertEqual(ranges(sorted(child_shards, key=lambda c: c["ShardId"])),
                         [(0, HALF - 1), (HALF, h.HASH_SPACE - 1)])
        # The children hold exactly the records put after the split.
        in_children = h.read_all(self.kinesis, name, h.shard_id(1)) + h.read_all(self.kinesis, name, h.shard_id(2))
        self.assertEqual(sorted(x["SequenceNumber"] for x in in_children), sorted(a["SequenceNumber"] for a in after))

    def test_latest_iterator_on_a_closed_shard_ends_at_once(self):
        name = h.create_active(self.kinesis, shards=1)
        self.put(name, "k", b"v")
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF))
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0),
                                             ShardIteratorType="LATEST")["ShardIterator"]
        r = self.kinesis.get_records(ShardIterator=it)
        self.assertEqual(r["Records"], [])
        self.assertIsNone(r.get("NextShardIterator"))
        self.assertEqual(len(r["ChildShards"]), 2)

    def test_split_errors(self):
        name = h.create_active(self.kinesis, shards=2)
        start1 = h.expected_hash_ranges(2)[1][0]
        for bad in (str(start1), str(start1 + 1), str(h.HASH_SPACE - 1), "5", str(h.HASH_SPACE)):
            err = self.assertClientError("InvalidArgumentException", self.kinesis.split_shard, StreamName=name,
                                         ShardToSplit=h.shard_id(1), NewStartingHashKey=bad)
            self.assertIn("NewStartingHashKey", err.response["Error"]["Message"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.split_shard, StreamName=name,
                               ShardToSplit=h.shard_id(9), NewStartingHashKey=str(start1 + 10))
        self.assertClientError("ResourceNotFoundException", self.kinesis.split_shard, StreamName="no-such-stream",
                               ShardToSplit=h.shard_id(0), NewStartingHashKey="10")
        self.assertClientError("ValidationException", self.kinesis.split_shard, StreamName=name,
                               ShardToSplit=h.shard_id(1), NewStartingHashKey="12a")
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(1), NewStartingHashKey=str(start1 + 10))
        err = self.assertClientError("InvalidArgumentException", self.kinesis.split_shard, StreamName=name,
                                     ShardToSplit=h.shard_id(1), NewStartingHashKey=str(start1 + 20))
        self.assertIn("has already been merged or split", err.response["Error"]["Message"])

    # -- MergeShards ------------------------------------------------------------
    def test_merge_adjacent_shards(self):
        name = h.create_active(self.kinesis, shards=3)
        self.put(name, key_for_shard(self.list_shards(name), h.shard_id(1)), b"one")
        self.kinesis.merge_shards(StreamName=name, ShardToMerge=h.shard_id(1), AdjacentShardToMerge=h.shard_id(2))
        shards = self.list_shards(name)
        self.assertEqual(len(shards), 4)
        child = shards[3]
        self.assertEqual(child["ShardId"], h.shard_id(3))
        self.assertEqual(child["ParentShardId"], h.shard_id(1))
        self.assertEqual(child["AdjacentParentShardId"], h.shard_id(2))
        r3 = h.expected_hash_ranges(3)
        self.assertEqual(ranges([child]), [(r3[1][0], h.HASH_SPACE - 1)])
        for closed in shards[1:3]:
            self.assertIn("EndingSequenceNumber", closed["SequenceNumberRange"])
        # Shard 2 was empty: its ending sequence number is its starting one.
        self.assertEqual(shards[2]["SequenceNumberRange"]["EndingSequenceNumber"],
                         shards[2]["SequenceNumberRange"]["StartingSequenceNumber"])
        self.assertEqual([x["Data"] for x in h.read_all(self.kinesis, name, h.shard_id(1))], [b"one"])
        r = self.kinesis.put_record(StreamName=name, PartitionKey="x", Data=b"z", ExplicitHashKey=str(h.HASH_SPACE - 1))
        self.assertEqual(r["ShardId"], h.shard_id(3))

    def test_merge_errors(self):
        name = h.create_active(self.kinesis, shards=3)
        err = self.assertClientError("InvalidArgumentException", self.kinesis.merge_shards, StreamName=name,
                                     ShardToMerge=h.shard_id(0), AdjacentShardToMerge=h.shard_id(2))
        self.assertIn("not an adjacent pair", err.response["Error"]["Message"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.merge_shards, StreamName=name,
                               ShardToMerge=h.shard_id(0), AdjacentShardToMerge=h.shard_id(7))
        self.kinesis.merge_shards(StreamName=name, ShardToMerge=h.shard_id(0), AdjacentShardToMerge=h.shard_id(1))
        err = self.assertClientError("InvalidArgumentException", self.kinesis.merge_shards, StreamName=name,
                                     ShardToMerge=h.shard_id(1), AdjacentShardToMerge=h.shard_id(2))
        self.assertIn("has already been merged or split", err.response["Error"]["Message"])

    # -- UpdateShardCount -------------------------------------------------------
    def test_update_shard_count_gives_the_even_ranges(self):
        name = h.create_active(self.kinesis, shards=2)
        for target in (4, 3, 5, 3, 2):
            current = len(open_shards(self.list_shards(name)))
            r = self.kinesis.update_shard_count(StreamName=name, TargetShardCount=target,
                                                ScalingType="UNIFORM_SCALING")
            self.assertEqual((r["CurrentShardCount"], r["TargetShardCount"], r["StreamName"]), (current, target, name))
            self.assertEqual(r["StreamARN"], h.stream_arn(name))
            h.wait_active(self.kinesis, name)
            shards = self.list_shards(name)
            now_open = open_shards(shards)
            self.assertEqual(ranges(now_open), h.expected_hash_ranges(target), f"target {target}")
            by_id = {s["ShardId"]: s for s in shards}
            for s in shards[2:]:  # every shard made by resharding has one or two parents
                self.assertIn(s["ParentShardId"], by_id)
                if "AdjacentParentShardId" in s:
                    self.assertIn(s["AdjacentParentShardId"], by_id)
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["OpenShardCount"], 2)

    def test_update_shard_count_limits(self):
        name = h.create_active(self.kinesis, shards=2)
        err = self.assertClientError("LimitExceededException", self.kinesis.update_shard_count, StreamName=name,
                                     TargetShardCount=5, ScalingType="UNIFORM_SCALING")
        self.assertIn("cannot scale up over double", err.response["Error"]["Message"])
        name4 = h.create_active(self.kinesis, shards=4)
        err = self.assertClientError("LimitExceededException", self.kinesis.update_shard_count, StreamName=name4,
                                     TargetShardCount=1, ScalingType="UNIFORM_SCALING")
        self.assertIn("cannot scale down below half", err.response["Error"]["Message"])
        self.assertClientError("LimitExceededException", self.kinesis.update_shard_count, StreamName=name4,
                               TargetShardCount=10001, ScalingType="UNIFORM_SCALING")
        # boto3 itself refuses TargetShardCount 0 (model min 1), so send it raw.
        raw = h.raw_request(self.endpoint, "UpdateShardCount",
                            {"StreamName": name4, "TargetShardCount": 0, "ScalingType": "UNIFORM_SCALING"})
        self.assertEqual((raw.status, raw.error_type), (400, "ValidationException"))
        self.assertClientError("ValidationException", self.kinesis.update_shard_count, StreamName=name4,
                               TargetShardCount=3, ScalingType="NON_UNIFORM")

    # -- ListShards filters over closed shards -----------------------------------
    def test_list_shards_filters_honour_closed_shards(self):
        name = h.create_active(self.kinesis, shards=1)
        # boto3 sends these timestamps in whole seconds: keep a second between
        # each of them and the split.
        time.sleep(1.1)
        before_split = datetime.datetime.now(datetime.timezone.utc)
        time.sleep(1.1)
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF))
        time.sleep(1.1)
        after_split = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)

        def ids(filter_):
            return [s["ShardId"] for s in self.list_shards(name, ShardFilter=filter_)]

        s0, s1, s2 = (h.shard_id(i) for i in range(3))
        self.assertEqual(ids({"Type": "AT_LATEST"}), [s1, s2])
        self.assertEqual(ids({"Type": "AT_TRIM_HORIZON"}), [s0])
        self.assertEqual(ids({"Type": "FROM_TRIM_HORIZON"}), [s0, s1, s2])
        self.assertEqual(ids({"Type": "AFTER_SHARD_ID", "ShardId": s0}), [s1, s2])
        self.assertEqual(ids({"Type": "AT_TIMESTAMP", "Timestamp": before_split}), [s0])
        self.assertEqual(ids({"Type": "AT_TIMESTAMP", "Timestamp": after_split}), [s1, s2])
        self.assertEqual(ids({"Type": "FROM_TIMESTAMP", "Timestamp": before_split}), [s0, s1, s2])
        self.assertEqual(ids({"Type": "FROM_TIMESTAMP", "Timestamp": after_split}), [s1, s2])

    # -- UpdateStreamMode ---------------------------------------------------------
    def test_update_stream_mode_both_ways(self):
        name = h.create_active(self.kinesis, shards=2)
        arn = h.stream_arn(name)
        self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        h.wait_active(self.kinesis, name)
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(summary["OpenShardCount"], 2)
        self.assertClientError("ValidationException", self.kinesis.split_shard, StreamName=name,
                               ShardToSplit=h.shard_id(0), NewStartingHashKey="100")
        self.assertClientError("ValidationException", self.kinesis.update_shard_count, StreamName=name,
                               TargetShardCount=3, ScalingType="UNIFORM_SCALING")
        self.assertClientError("InvalidArgumentException", self.kinesis.update_stream_mode, StreamARN=arn,
                               StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
        h.wait_active(self.kinesis, name)
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey="100")

    # -- aws CLI ------------------------------------------------------------------
    def test_aws_cli_split_merge_and_update_shard_count(self):
        name = h.create_active(self.kinesis, shards=2)
        h.run_aws(self.endpoint, "split-shard", "--stream-name", name, "--shard-to-split", h.shard_id(0),
                  "--new-starting-hash-key", str(HALF // 2))
        h.run_aws(self.endpoint, "merge-shards", "--stream-name", name, "--shard-to-merge", h.shard_id(3),
                  "--adjacent-shard-to-merge", h.shard_id(1))
        listed = h.run_aws(self.endpoint, "list-shards", "--stream-name", name).json["Shards"]
        self.assertEqual([s["ShardId"] for s in listed], [h.shard_id(i) for i in range(5)])
        self.assertEqual(listed[4]["ParentShardId"], h.shard_id(3))
        self.assertEqual(listed[4]["AdjacentParentShardId"], h.shard_id(1))
        self.assertEqual(ranges(open_shards(listed)), [(0, HALF // 2 - 1), (HALF // 2, h.HASH_SPACE - 1)])
        out = h.run_aws(self.endpoint, "update-shard-count", "--stream-name", name, "--target-shard-count", "4",
                        "--scaling-type", "UNIFORM_SCALING").json
        self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (2, 4))
        listed = h.run_aws(self.endpoint, "list-shards", "--stream-name", name).json["Shards"]
        self.assertEqual(ranges(open_shards(listed)), h.expected_hash_ranges(4))
        bad = h.run_aws(self.endpoint, "merge-shards", "--stream-name", name, "--shard-to-merge", h.shard_id(0),
                        "--adjacent-shard-to-merge", h.shard_id(1), check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("InvalidArgumentException", bad.stderr)


class ReshardingUpdatingStateTest(h.ServerTestCase):
    """With a transition time the stream shows UPDATING after a change and
    refuses a second one, while reads and writes go on."""
    transition_ms = 1500

    def test_updating_then_active_and_resource_in_use_meanwhile(self):
        name = h.create_active(self.kinesis, shards=2)
        self.kinesis.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey="100")
        status = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        self.assertEqual(status, "UPDATING")
        err = self.assertClientError("ResourceInUseException", self.kinesis.merge_shards, StreamName=name,
                                     ShardToMerge=h.shard_id(2), AdjacentShardToMerge=h.shard_id(3))
        self.assertIn("UPDATING", err.response["Error"]["Message"])
        self.assertClientError("ResourceInUseException", self.kinesis.update_shard_count, StreamName=name,
                               TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        # Data keeps flowing while UPDATING.
        r = self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"during")
        self.assertIn(r["ShardId"], {h.shard_id(i) for i in (1, 2, 3)})
        h.wait_active(self.kinesis, name)
        self.kinesis.merge_shards(StreamName=name, ShardToMerge=h.shard_id(2), AdjacentShardToMerge=h.shard_id(3))


class ReshardingRestartTest(unittest.TestCase):
    """Lineage, closed shards and their records survive a restart (and a kill -9)."""

    def test_resharded_stream_survives_restart(self):
        h.skip_if_external()
        server = h.start_server()
        self.addCleanup(server.cleanup)
        k = server.client()
        name = h.create_active(k, shards=2)
        old = [k.put_record(StreamName=name, PartitionKey=f"o{i}", Data=f"old-{i}".encode()) for i in range(10)]
        k.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF // 2))
        k.merge_shards(StreamName=name, ShardToMerge=h.shard_id(3), AdjacentShardToMerge=h.shard_id(1))
        new = [k.put_record(StreamName=name, PartitionKey=f"n{i}", Data=f"new-{i}".encode()) for i in range(10)]
        before = k.list_shards(StreamName=name)["Shards"]
        server.restart(kill=True)
        k = server.client()
        after = k.list_shards(StreamName=name)["Shards"]
        self.assertEqual(after, before)
        self.assertEqual(len(after), 5)
        seqs = set()
        for s in after:
            seqs |= {r["SequenceNumber"] for r in h.read_all(k, name, s["ShardId"])}
        self.assertEqual(seqs, {r["SequenceNumber"] for r in old + new})
        # Routing after the restart uses the children.
        r = k.put_record(StreamName=name, PartitionKey="x", Data=b"x", ExplicitHashKey="0")
        self.assertEqual(r["ShardId"], h.shard_id(2))
        k.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        server.restart()
        k = server.client()
        self.assertEqual(ranges(open_shards(k.list_shards(StreamName=name)["Shards"])), h.expected_hash_ranges(4))


class ClosedShardExpiryTest(unittest.TestCase):
    """A closed shard stays listed and readable until its close falls behind
    the retention period; then it is gone (one retention "hour" is 50 ms)."""

    def test_closed_parent_disappears_after_retention(self):
        h.skip_if_external("needs --retention-hour-ms")
        server = h.start_server(extra_args=["--retention-hour-ms", "50", "--retention-check-ms", "100"])
        self.addCleanup(server.cleanup)
        k = server.client()
        name = h.create_active(k, shards=1)  # 24 "hours" = 1.2 s
        k.put_record(StreamName=name, PartitionKey="k", Data=b"old")
        k.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF))
        listed = [s["ShardId"] for s in k.list_shards(StreamName=name)["Shards"]]
        self.assertEqual(listed, [h.shard_id(i) for i in range(3)])
        self.assertEqual([r["Data"] for r in h.read_all(k, name, h.shard_id(0))], [b"old"])
        time.sleep(1.6)
        listed = [s["ShardId"] for s in k.list_shards(StreamName=name)["Shards"]]
        self.assertEqual(listed, [h.shard_id(1), h.shard_id(2)])
        described = [s["ShardId"] for s in k.describe_stream(StreamName=name)["StreamDescription"]["Shards"]]
        self.assertEqual(described, [h.shard_id(1), h.shard_id(2)])
        with self.assertRaises(h.ClientError) as cm:
            k.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0), ShardIteratorType="TRIM_HORIZON")
        self.assertEqual(h.error_code(cm.exception), "ResourceNotFoundException")
        # The children's lineage still names the parent, as on AWS.
        self.assertEqual(k.list_shards(StreamName=name)["Shards"][0]["ParentShardId"], h.shard_id(0))


class ConsumerAcrossReshardingTest(unittest.TestCase):
    """`sluice consume` (our C++ consumer) while the stream is split and then
    merged under it: every event exactly once, and each key's events in the
    order they were produced (parents drained before children)."""

    def test_consume_keeps_every_event_and_per_key_order_across_split_and_merge(self):
        h.skip_if_external()
        server = h.start_server()
        self.addCleanup(server.cleanup)
        k = server.client()
        work = tempfile.mkdtemp(prefix="sluice-reshard-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
        env = dict(os.environ, AWS_ACCESS_KEY_ID=h.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=h.SECRET_KEY,
                   AWS_REGION=h.DEFAULT_REGION)
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_DEFAULT_REGION"):
            env.pop(var, None)
        name = h.create_active(k, shards=2)
        binary = h.find_binary()
        out = os.path.join(work, "out.ndjson")
        summary = os.path.join(work, "produce.json")
        consumer = subprocess.Popen(
            [binary, "consume", "--stream-name", name, "--endpoint-url", server.endpoint, "--checkpoint-db",
             os.path.join(work, "c.db"), "--output", out, "--quiet", "--idle-exit", "4", "--batch-size", "50"],
            env=env, cwd=work, stderr=subprocess.PIPE, text=True)
        # One sender, so each key's records reach the stream in production order.
        producer = subprocess.Popen(
            [binary, "produce", "--stream-name", name, "--endpoint-url", server.endpoint, "--count", "3000",
             "--rate", "600", "--senders", "1", "--seed", "21", "--run-id", "rs", "--summary-json", summary,
             "--quiet"], env=env, cwd=work, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        k.split_shard(StreamName=name, ShardToSplit=h.shard_id(0), NewStartingHashKey=str(HALF // 2))
        time.sleep(1.5)
        k.merge_shards(StreamName=name, ShardToMerge=h.shard_id(3), AdjacentShardToMerge=h.shard_id(1))
        self.assertEqual(producer.wait(timeout=120), 0, producer.stderr.read())
        self.assertEqual(consumer.wait(timeout=120), 0, consumer.stderr.read())
        with open(summary) as f:
            produced = json.load(f)
        self.assertEqual(produced["failed"], 0)
        self.assertEqual(produced["records_added"], 3000)

        # The split and merge happened while records were flowing: each of
        # the five shards holds records.
        shards = k.list_shards(StreamName=name)["Shards"]
        self.assertEqual(len(shards), 5)
        for s in shards:
            self.assertTrue(h.read_all(k, name, s["ShardId"], limit=1, max_empty=3),
                            f"{s['ShardId']} got no records: the resharding missed the traffic")

        with open(out) as f:
            events = [json.loads(line) for line in f if line.strip()]
        ids = [e["event_id"] for e in events]
        self.assertEqual([i for i, n in Counter(ids).items() if n > 1], [], "events processed twice")
        self.assertEqual(set(ids), {f"rs-{n}" for n in range(3000)}, "events lost")
        by_user = defaultdict(list)
        for e in events:
            by_user[e["user_id"]].append(int(e["event_id"].split("-")[1]))
        for user, seq in by_user.items():
            self.assertEqual(seq, sorted(seq), f"events of {user} processed out of order")


if __name__ == "__main__":
    unittest.main()
