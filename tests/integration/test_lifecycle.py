"""Stream lifecycle: create/describe/list/delete, status transitions, waiters,
regions, ARNs, ON_DEMAND, and persistence across a clean restart."""

import datetime
import re
import time
import unittest

from botocore.exceptions import ClientError

import harness as h

SEQ_RE = re.compile(r"^(0|[1-9]\d{0,128})$")


class LifecycleTest(h.ServerTestCase):

    def test_create_describe_provisioned(self):
        name = h.unique_name("life")
        before = datetime.datetime.now(datetime.timezone.utc)
        resp = self.kinesis.create_stream(StreamName=name, ShardCount=3)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(resp["ResponseMetadata"]["RequestId"])
        h.wait_active(self.kinesis, name)

        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(d["StreamName"], name)
        self.assertEqual(d["StreamARN"], h.stream_arn(name))
        self.assertEqual(d["StreamStatus"], "ACTIVE")
        self.assertEqual(d["RetentionPeriodHours"], 24)
        self.assertFalse(d["HasMoreShards"])
        self.assertEqual(d["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertIsInstance(d["EnhancedMonitoring"], list)
        created = d["StreamCreationTimestamp"]
        self.assertLessEqual(abs((created - before).total_seconds()), 120, created)
        self.assertEqual([s["ShardId"] for s in d["Shards"]], [h.shard_id(i) for i in range(3)])
        for shard, (lo, hi) in zip(d["Shards"], h.expected_hash_ranges(3)):
            self.assertEqual(shard["HashKeyRange"], {"StartingHashKey": str(lo), "EndingHashKey": str(hi)})
            self.assertRegex(shard["SequenceNumberRange"]["StartingSequenceNumber"], SEQ_RE)
            self.assertNotIn("EndingSequenceNumber", shard["SequenceNumberRange"])
            self.assertNotIn("ParentShardId", shard)

        s = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamName"], name)
        self.assertEqual(s["StreamARN"], h.stream_arn(name))
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["OpenShardCount"], 3)
        self.assertEqual(s["RetentionPeriodHours"], 24)
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(s["MaxRecordSizeInKiB"], 1024)
        self.assertEqual(s["StreamCreationTimestamp"], created)

    def test_create_duplicate_name_is_resource_in_use(self):
        name = h.create_active(self.kinesis, shards=1)
        err = self.assertClientError("ResourceInUseException", self.kinesis.create_stream,
                                     StreamName=name, ShardCount=2)
        self.assertIn(name, err.response["Error"]["Message"])
        # the original stream is untouched
        s = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["OpenShardCount"], 1)

    def test_delete_stream(self):
        name = h.create_active(self.kinesis, shards=2)
        self.assertIn(name, h.all_stream_names(self.kinesis))
        self.kinesis.delete_stream(StreamName=name)
        h.wait_gone(self.kinesis, name)
        self.assertNotIn(name, h.all_stream_names(self.kinesis))
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream, StreamName=name)
        self.assertClientError("ResourceNotFoundException", self.kinesis.delete_stream, StreamName=name)
        self.assertClientError("ResourceNotFoundException", self.kinesis.put_record,
                               StreamName=name, PartitionKey="k", Data=b"x")
        # the name can be reused, and the new stream starts empty
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        h.wait_active(self.kinesis, name)
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=h.shard_id(0),
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(self.kinesis.get_records(ShardIterator=it)["Records"], [])

    def test_delete_stream_with_records_then_recreate_is_empty(self):
        name = h.create_active(self.kinesis, shards=1)
        for i in range(5):
            self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"old-%d" % i)
        self.kinesis.delete_stream(StreamName=name)
        h.wait_gone(self.kinesis, name)
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        h.wait_active(self.kinesis, name)
        self.assertEqual(h.read_all(self.kinesis, name, h.shard_id(0)), [])

    def test_on_demand_stream_has_four_shards(self):
        name = h.unique_name("od")
        self.kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        s = h.wait_active(self.kinesis, name)
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(s["OpenShardCount"], 4)
        shards = self.kinesis.list_shards(StreamName=name)["Shards"]
        self.assertEqual([x["ShardId"] for x in shards], [h.shard_id(i) for i in range(4)])
        for shard, (lo, hi) in zip(shards, h.expected_hash_ranges(4)):
            self.assertEqual(int(shard["HashKeyRange"]["StartingHashKey"]), lo)
            self.assertEqual(int(shard["HashKeyRange"]["EndingHashKey"]), hi)
        summaries = {x["StreamName"]: x for x in h.list_all_streams(self.kinesis)[1]}
        self.assertEqual(summaries[name]["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        # writes land on all four shards eventually
        seen = set()
        for i in range(64):
            seen.add(self.kinesis.put_record(StreamName=name, PartitionKey=f"pk{i}", Data=b"d")["ShardId"])
        self.assertEqual(seen, {h.shard_id(i) for i in range(4)})

    def test_explicit_provisioned_mode(self):
        name = h.unique_name("prov")
        self.kinesis.create_stream(StreamName=name, ShardCount=2, StreamModeDetails={"StreamMode": "PROVISIONED"})
        s = h.wait_active(self.kinesis, name)
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(s["OpenShardCount"], 2)

    def test_create_with_tags(self):
        name = h.unique_name("tagged")
        self.kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"team": "data", "env": "test"})
        h.wait_active(self.kinesis, name)
        tags = self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "data", "env": "test"})

    def test_create_with_max_record_size(self):
        name = h.unique_name("big")
        self.kinesis.create_stream(StreamName=name, ShardCount=1, MaxRecordSizeInKiB=2048)
        s = h.wait_active(self.kinesis, name)
        self.assertEqual(s["MaxRecordSizeInKiB"], 2048)

    def test_list_streams_summaries(self):
        names = sorted(h.create_active(self.kinesis, name=h.unique_name("ls"), shards=1) for _ in range(3))
        r = self.kinesis.list_streams()
        self.assertIn("HasMoreStreams", r)
        # AWS lists names in lexicographic order
        self.assertEqual(r["StreamNames"], sorted(r["StreamNames"]))
        self.assertEqual([x["StreamName"] for x in r["StreamSummaries"]], r["StreamNames"])
        all_names, all_summaries = h.list_all_streams(self.kinesis)
        self.assertEqual(all_names, sorted(all_names))
        for n in names:
            self.assertIn(n, all_names)
        summaries = {x["StreamName"]: x for x in all_summaries}
        for n in names:
            self.assertEqual(summaries[n]["StreamARN"], h.stream_arn(n))
            self.assertEqual(summaries[n]["StreamStatus"], "ACTIVE")
            self.assertEqual(summaries[n]["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
            self.assertIsInstance(summaries[n]["StreamCreationTimestamp"], datetime.datetime)

    def test_stream_arn_addressing(self):
        name = h.create_active(self.kinesis, shards=2)
        arn = h.stream_arn(name)
        k = self.kinesis
        self.assertEqual(k.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]["StreamName"], name)
        self.assertEqual(k.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"], name)
        self.assertEqual(len(k.list_shards(StreamARN=arn)["Shards"]), 2)
        put = k.put_record(StreamARN=arn, PartitionKey="a", Data=b"via-arn")
        batch = k.put_records(StreamARN=arn, Records=[{"PartitionKey": "a", "Data": b"via-arn-2"}])
        self.assertEqual(batch["FailedRecordCount"], 0)
        it = k.get_shard_iterator(StreamARN=arn, ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=put["SequenceNumber"])["ShardIterator"]
        recs = k.get_records(StreamARN=arn, ShardIterator=it)["Records"]
        self.assertEqual([r["Data"] for r in recs], [b"via-arn", b"via-arn-2"])
        k.add_tags_to_stream(StreamARN=arn, Tags={"a": "1"})
        self.assertEqual(k.list_tags_for_stream(StreamARN=arn)["Tags"], [{"Key": "a", "Value": "1"}])
        k.remove_tags_from_stream(StreamARN=arn, TagKeys=["a"])
        self.assertEqual(k.list_tags_for_stream(StreamARN=arn)["Tags"], [])
        k.increase_stream_retention_period(StreamARN=arn, RetentionPeriodHours=48)
        h.wait_active(k, name)
        k.decrease_stream_retention_period(StreamARN=arn, RetentionPeriodHours=36)
        self.assertEqual(h.wait_active(k, name)["RetentionPeriodHours"], 36)
        k.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=4096)
        self.assertEqual(h.wait_active(k, name)["MaxRecordSizeInKiB"], 4096)
        k.delete_stream(StreamARN=arn)
        h.wait_gone(k, name)

    def test_unknown_arn_is_not_found(self):
        arn = h.stream_arn(h.unique_name("nope"))
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamARN=arn)

    def test_regions_are_isolated(self):
        east = self.kinesis
        west = self.server.client(region="eu-west-1")
        name = h.create_active(east, shards=1)
        self.assertClientError("ResourceNotFoundException", west.describe_stream, StreamName=name)
        self.assertNotIn(name, h.all_stream_names(west))
        self.assertClientError("ResourceNotFoundException", west.put_record,
                               StreamName=name, PartitionKey="k", Data=b"x")
        # the same name can exist in both regions independently
        west.create_stream(StreamName=name, ShardCount=3)
        ws = h.wait_active(west, name)
        self.assertEqual(ws["OpenShardCount"], 3)
        self.assertEqual(ws["StreamARN"], h.stream_arn(name, "eu-west-1"))
        es = east.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(es["OpenShardCount"], 1)
        self.assertEqual(es["StreamARN"], h.stream_arn(name, "us-east-1"))
        # data written in one region is not visible in the other
        east.put_record(StreamName=name, PartitionKey="k", Data=b"east-only")
        for i in range(3):
            self.assertEqual(h.read_all(west, name, h.shard_id(i)), [])
        self.assertEqual([r["Data"] for r in h.read_all(east, name, h.shard_id(0))], [b"east-only"])
        west.delete_stream(StreamName=name)
        h.wait_gone(west, name)
        self.assertEqual(east.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"],
                         "ACTIVE")


class ConcurrentCreateTest(h.ServerTestCase):

    def test_racing_creates_of_one_name(self):
        import threading
        name = h.unique_name("race")
        results, lock = [], threading.Lock()

        def create(n):
            c = self.server.client()
            try:
                c.create_stream(StreamName=name, ShardCount=n)
                out = ("ok", n)
            except ClientError as e:
                out = (h.error_code(e), n)
            with lock:
                results.append(out)

        ts = [threading.Thread(target=create, args=(n,)) for n in range(1, 9)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        winners = [n for code, n in results if code == "ok"]
        self.assertEqual(len(winners), 1, results)
        self.assertEqual(sorted(code for code, _ in results if code != "ok"), ["ResourceInUseException"] * 7)
        s = h.wait_active(self.kinesis, name)
        self.assertEqual(s["OpenShardCount"], winners[0])


class TransitionTest(h.ServerTestCase):
    """Server started with --stream-transition-ms 300: statuses are observable."""

    transition_ms = 300

    @classmethod
    def setUpClass(cls):
        h.skip_if_external("needs --stream-transition-ms 300")
        super().setUpClass()

    def test_creating_then_active_with_boto3_waiter(self):
        name = h.unique_name("tr")
        t0 = time.monotonic()
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        s = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamStatus"], "CREATING")
        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(d["StreamStatus"], "CREATING")
        listed = {x["StreamName"]: x for x in h.list_all_streams(self.kinesis)[1]}
        self.assertEqual(listed[name]["StreamStatus"], "CREATING")
        # writes to a stream that is not yet ACTIVE fail like AWS (ResourceNotFoundException)
        self.assertClientError("ResourceNotFoundException", self.kinesis.put_record,
                               StreamName=name, PartitionKey="k", Data=b"x")
        # creating it again while CREATING is ResourceInUse
        self.assertClientError("ResourceInUseException", self.kinesis.create_stream, StreamName=name, ShardCount=1)
        self.kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        elapsed = time.monotonic() - t0
        self.assertGreaterEqual(elapsed, 0.25)
        s = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"x")

    def test_deleting_then_gone_with_boto3_waiter(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.delete_stream(StreamName=name)
        s = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamStatus"], "DELETING")
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=name,
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamName=name)

    def test_status_changes_are_time_bounded(self):
        # with a 300 ms transition the stream must be ACTIVE well within 5 s
        name = h.unique_name("tb")
        t0 = time.monotonic()
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        h.wait_active(self.kinesis, name, timeout=5)
        self.assertGreaterEqual(time.monotonic() - t0, 0.25)


class PersistenceTest(unittest.TestCase):
    """Metadata and records survive a clean SIGTERM restart on the same data dir."""

    def setUp(self):
        h.skip_if_external("needs to restart the server")
        self.server = h.start_server(transition_ms=0)
        self.addCleanup(self.server.cleanup)

    def test_state_survives_clean_restart(self):
        k = self.server.client()
        west = self.server.client(region="eu-west-1")
        name = h.create_active(k, shards=2, Tags={"keep": "me"})
        k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        h.wait_active(k, name)
        od = h.unique_name("od")
        k.create_stream(StreamName=od, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        h.wait_active(k, od)
        wname = h.create_active(west, shards=1)
        acked = []
        for i in range(40):
            r = k.put_record(StreamName=name, PartitionKey=f"k{i}", Data=b"rec-%d" % i)
            acked.append((r["ShardId"], r["SequenceNumber"], b"rec-%d" % i))
        before = k.describe_stream(StreamName=name)["StreamDescription"]

        rc = self.server.stop()
        self.assertEqual(rc, 0, f"SIGTERM exit code {rc}; log:\n{self.server.log_tail()}")
        self.server.start()
        k = self.server.client()
        west = self.server.client(region="eu-west-1")

        after = h.wait_active(k, name)
        self.assertEqual(after["RetentionPeriodHours"], 72)
        d = k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(d["Shards"], before["Shards"])
        self.assertEqual(d["StreamCreationTimestamp"], before["StreamCreationTimestamp"])
        self.assertEqual(k.list_tags_for_stream(StreamName=name)["Tags"], [{"Key": "keep", "Value": "me"}])
        self.assertEqual(h.wait_active(k, od)["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(h.wait_active(west, wname)["StreamARN"], h.stream_arn(wname, "eu-west-1"))

        got = []
        for sid in (h.shard_id(0), h.shard_id(1)):
            got += [(sid, r["SequenceNumber"], r["Data"]) for r in h.read_all(k, name, sid)]
        self.assertEqual(sorted(got), sorted(acked))
        # sequence numbers keep increasing after the restart
        last = {}
        for sid, seq, _ in acked:
            last[sid] = max(last.get(sid, 0), int(seq))
        for i in range(20):
            r = k.put_record(StreamName=name, PartitionKey=f"k{i}", Data=b"post")
            self.assertGreater(int(r["SequenceNumber"]), last[r["ShardId"]])
            last[r["ShardId"]] = int(r["SequenceNumber"])


class CrashMetadataTest(unittest.TestCase):
    """Acknowledged control-plane changes survive SIGKILL; pending transitions complete after restart."""

    def setUp(self):
        h.skip_if_external("needs to SIGKILL the server")
        self.server = h.SluiceServer(transition_ms=0, fsync="always").start()
        self.addCleanup(self.server.cleanup)

    def test_acknowledged_metadata_survives_sigkill(self):
        k = self.server.client()
        name = h.create_active(k, shards=3)
        k.add_tags_to_stream(StreamName=name, Tags={"a": "1"})
        k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=96)
        h.wait_active(k, name)
        k.update_max_record_size(StreamARN=h.stream_arn(name), MaxRecordSizeInKiB=4096)
        h.wait_active(k, name)
        gone = h.create_active(k, shards=1)
        k.delete_stream(StreamName=gone)
        h.wait_gone(k, gone)
        self.server.kill9()
        self.server.start()
        k = self.server.client()
        s = h.wait_active(k, name)
        self.assertEqual(s["OpenShardCount"], 3)
        self.assertEqual(s["RetentionPeriodHours"], 96)
        self.assertEqual(s["MaxRecordSizeInKiB"], 4096)
        self.assertEqual(k.list_tags_for_stream(StreamName=name)["Tags"], [{"Key": "a", "Value": "1"}])
        self.assertNotIn(gone, h.all_stream_names(k))
        self.assertClientError("ResourceNotFoundException", k.describe_stream_summary, StreamName=gone)

    def assertClientError(self, code, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual(h.error_code(cm.exception), code)

    def test_pending_transitions_complete_after_sigkill(self):
        self.server.stop()
        self.server.transition_ms = 3000
        self.server.start()
        k = self.server.client()
        # create one stream that will be DELETING and one that is CREATING at the time of the kill
        doomed = h.unique_name("doomed")
        k.create_stream(StreamName=doomed, ShardCount=1)
        h.wait_active(k, doomed, timeout=20)
        k.delete_stream(StreamName=doomed)
        born = h.unique_name("born")
        k.create_stream(StreamName=born, ShardCount=2)
        self.assertEqual(k.describe_stream_summary(StreamName=born)["StreamDescriptionSummary"]["StreamStatus"],
                         "CREATING")
        self.server.kill9()
        self.server.transition_ms = 0
        self.server.start()
        k = self.server.client()
        s = h.wait_active(k, born, timeout=20)
        self.assertEqual(s["OpenShardCount"], 2)
        h.wait_gone(k, doomed, timeout=20)


if __name__ == "__main__":
    unittest.main()
