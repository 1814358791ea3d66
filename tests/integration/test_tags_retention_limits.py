"""Tags (legacy stream ops and ARN-based resource ops), retention period rules,
DescribeLimits, UpdateMaxRecordSize bounds."""

import unittest

from botocore.exceptions import ClientError

import harness as h


def tag_dict(tags):
    return {t["Key"]: t.get("Value", "") for t in tags}


class TagsTest(h.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.raw = h.raw_client(cls.endpoint)

    def test_add_list_overwrite_remove(self):
        name = h.create_active(self.kinesis, shards=1)
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"], [])
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"b": "2", "a": "1", "empty": ""})
        r = self.kinesis.list_tags_for_stream(StreamName=name)
        self.assertEqual(tag_dict(r["Tags"]), {"a": "1", "b": "2", "empty": ""})
        self.assertFalse(r["HasMoreTags"])
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"a": "one", "c": "3"})
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]),
                         {"a": "one", "b": "2", "c": "3", "empty": ""})
        self.kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["b", "does-not-exist"])
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]),
                         {"a": "one", "c": "3", "empty": ""})

    def test_list_tags_for_stream_paging(self):
        name = h.create_active(self.kinesis, shards=1)
        tags = {f"key{i:02d}": f"v{i}" for i in range(7)}
        self.kinesis.add_tags_to_stream(StreamName=name, Tags=tags)
        r = self.kinesis.list_tags_for_stream(StreamName=name, Limit=3)
        self.assertEqual(len(r["Tags"]), 3)
        self.assertTrue(r["HasMoreTags"])
        got = list(r["Tags"])
        for _ in range(5):
            if not r["HasMoreTags"]:
                break
            r = self.kinesis.list_tags_for_stream(StreamName=name, Limit=3,
                                                  ExclusiveStartTagKey=got[-1]["Key"])
            got += r["Tags"]
        self.assertFalse(r["HasMoreTags"])
        self.assertEqual([t["Key"] for t in got], sorted(tags))
        self.assertEqual(tag_dict(got), tags)
        r = self.kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="key04")
        self.assertEqual([t["Key"] for t in r["Tags"]], ["key05", "key06"])

    def test_fifty_tags_allowed_fifty_one_rejected(self):
        name = h.create_active(self.kinesis, shards=1)
        fifty = {f"k{i:02d}": "v" for i in range(50)}
        self.kinesis.add_tags_to_stream(StreamName=name, Tags=fifty)
        self.assertEqual(len(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]), 50)
        # overwriting existing keys keeps the count at 50: allowed
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"k00": "new"})
        # one more distinct key exceeds the per-stream limit
        err = self.assertClientError("InvalidArgumentException", self.kinesis.add_tags_to_stream,
                                     StreamName=name, Tags={"one-too-many": "x"})
        tags = tag_dict(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"])
        self.assertEqual(len(tags), 50)
        self.assertEqual(tags["k00"], "new")
        self.assertNotIn("one-too-many", tags)

    def test_more_than_fifty_tags_in_one_call(self):
        name = h.create_active(self.kinesis, shards=1)
        with self.assertRaises(ClientError) as cm:
            self.kinesis.add_tags_to_stream(StreamName=name, Tags={f"k{i:02d}": "v" for i in range(51)})
        self.assertIn(h.error_code(cm.exception), ("InvalidArgumentException", "ValidationException"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"], [])
        with self.assertRaises(ClientError) as cm:
            self.kinesis.create_stream(StreamName=h.unique_name("t51"), ShardCount=1,
                                       Tags={f"k{i:02d}": "v" for i in range(51)})
        self.assertIn(h.error_code(cm.exception), ("InvalidArgumentException", "ValidationException"))

    def test_remove_more_than_fifty_keys_is_validation_error(self):
        name = h.create_active(self.kinesis, shards=1)
        err = self.assertClientError("ValidationException", self.raw.remove_tags_from_stream, StreamName=name,
                                     TagKeys=[f"k{i}" for i in range(51)])
        self.assertIn("tagKeys", err.response["Error"]["Message"])

    def test_tag_key_and_value_lengths(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"k" * 128: "v" * 256})
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]),
                         {"k" * 128: "v" * 256})
        for bad in ({"k" * 129: "v"}, {"": "v"}, {"k": "v" * 257}):
            with self.subTest(bad={k[:5]: v[:5] for k, v in bad.items()}):
                self.assertClientError("ValidationException", self.raw.add_tags_to_stream, StreamName=name, Tags=bad)

    def test_invalid_tag_characters(self):
        name = h.create_active(self.kinesis, shards=1)
        with self.assertRaises(ClientError) as cm:
            self.kinesis.add_tags_to_stream(StreamName=name, Tags={"bad#key": "v"})
        self.assertIn(h.error_code(cm.exception), ("InvalidArgumentException", "ValidationException"))
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"], [])
        # the documented allowed characters are accepted
        ok = {"a_b.c:d/e=f+g-h@i j": "Ünïcode_ .:/=+-@ 123"}
        self.kinesis.add_tags_to_stream(StreamName=name, Tags=ok)
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]), ok)

    def test_resource_tag_ops_by_arn(self):
        name = h.create_active(self.kinesis, shards=1, Tags={"created": "yes"})
        arn = h.stream_arn(name)
        self.kinesis.tag_resource(ResourceARN=arn, Tags={"x": "1", "y": "2"})
        r = self.kinesis.list_tags_for_resource(ResourceARN=arn)
        self.assertEqual(tag_dict(r["Tags"]), {"created": "yes", "x": "1", "y": "2"})
        # shared with the legacy stream-tag view
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_stream(StreamName=name)["Tags"]),
                         {"created": "yes", "x": "1", "y": "2"})
        self.kinesis.untag_resource(ResourceARN=arn, TagKeys=["x", "created"])
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]), {"y": "2"})
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"z": "3"})
        self.assertEqual(tag_dict(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]), {"y": "2", "z": "3"})

    def test_resource_tag_limit(self):
        name = h.create_active(self.kinesis, shards=1)
        arn = h.stream_arn(name)
        self.kinesis.tag_resource(ResourceARN=arn, Tags={f"k{i:02d}": "v" for i in range(50)})
        with self.assertRaises(ClientError) as cm:
            self.kinesis.tag_resource(ResourceARN=arn, Tags={"extra": "v"})
        self.assertIn(h.error_code(cm.exception), ("InvalidArgumentException", "LimitExceededException"))
        self.assertEqual(len(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]), 50)

    def test_tag_ops_unknown_stream(self):
        missing = h.unique_name("missing")
        arn = h.stream_arn(missing)
        self.assertClientError("ResourceNotFoundException", self.kinesis.add_tags_to_stream,
                               StreamName=missing, Tags={"a": "b"})
        self.assertClientError("ResourceNotFoundException", self.kinesis.list_tags_for_stream, StreamName=missing)
        self.assertClientError("ResourceNotFoundException", self.kinesis.remove_tags_from_stream,
                               StreamName=missing, TagKeys=["a"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.tag_resource,
                               ResourceARN=arn, Tags={"a": "b"})
        self.assertClientError("ResourceNotFoundException", self.kinesis.untag_resource,
                               ResourceARN=arn, TagKeys=["a"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.list_tags_for_resource, ResourceARN=arn)


class RetentionTest(h.ServerTestCase):

    def retention(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"]

    def test_increase_and_decrease(self):
        name = h.create_active(self.kinesis, shards=1)
        self.assertEqual(self.retention(name), 24)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        h.wait_active(self.kinesis, name)
        self.assertEqual(self.retention(name), 48)
        self.assertEqual(self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"], 48)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=25)
        h.wait_active(self.kinesis, name)
        self.assertEqual(self.retention(name), 25)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
        h.wait_active(self.kinesis, name)
        self.assertEqual(self.retention(name), 8760)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        h.wait_active(self.kinesis, name)
        self.assertEqual(self.retention(name), 24)

    def test_wrong_direction_is_invalid_argument(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=100)
        h.wait_active(self.kinesis, name)
        self.assertClientError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=50)
        self.assertClientError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=200)
        self.assertEqual(self.retention(name), 100)

    def test_bounds_24_to_8760(self):
        name = h.create_active(self.kinesis, shards=1)
        self.assertClientError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=8761)
        self.assertClientError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=23)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=1000)
        h.wait_active(self.kinesis, name)
        self.assertClientError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=23)
        self.assertClientError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=100000)
        self.assertEqual(self.retention(name), 1000)

    def test_unknown_stream(self):
        self.assertClientError("ResourceNotFoundException", self.kinesis.increase_stream_retention_period,
                               StreamName=h.unique_name("missing"), RetentionPeriodHours=48)
        self.assertClientError("ResourceNotFoundException", self.kinesis.decrease_stream_retention_period,
                               StreamName=h.unique_name("missing"), RetentionPeriodHours=24)

    def test_records_survive_retention_changes(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"keep")
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=168)
        h.wait_active(self.kinesis, name)
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        h.wait_active(self.kinesis, name)
        self.assertEqual([r["Data"] for r in h.read_all(self.kinesis, name, h.shard_id(0))], [b"keep"])


class LimitsTest(h.ServerTestCase):
    REGION = "ca-central-1"  # fresh region -> exact counts

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.k = cls.server.client(region=cls.REGION)
        cls.raw = h.raw_client(cls.endpoint, region=cls.REGION)

    def test_describe_limits_shape_and_counts(self):
        r = self.k.describe_limits()
        for f in ("ShardLimit", "OpenShardCount", "OnDemandStreamCount", "OnDemandStreamCountLimit"):
            self.assertIsInstance(r[f], int, f)
        self.assertGreater(r["ShardLimit"], 0)
        self.assertGreater(r["OnDemandStreamCountLimit"], 0)
        base_open, base_od = r["OpenShardCount"], r["OnDemandStreamCount"]
        a = h.create_active(self.k, shards=2)
        h.create_active(self.k, shards=3)
        od = h.unique_name("od")
        self.k.create_stream(StreamName=od, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        h.wait_active(self.k, od)
        r = self.k.describe_limits()
        self.assertEqual(r["OpenShardCount"], base_open + 9)
        self.assertEqual(r["OnDemandStreamCount"], base_od + 1)
        # other regions are counted separately
        other = self.server.client(region="eu-north-1").describe_limits()
        self.assertEqual(other["OpenShardCount"], 0)
        self.k.delete_stream(StreamName=a)
        h.wait_gone(self.k, a)
        self.assertEqual(self.k.describe_limits()["OpenShardCount"], base_open + 7)

    def test_shard_limit_enforced(self):
        limit = self.k.describe_limits()["ShardLimit"]
        if limit > 100000:
            self.skipTest(f"ShardLimit {limit} too large to exceed cheaply")
        name = h.unique_name("toomany")
        self.assertClientError("LimitExceededException", self.k.create_stream, StreamName=name,
                               ShardCount=limit + 1)
        self.assertClientError("ResourceNotFoundException", self.k.describe_stream_summary, StreamName=name)

    def test_update_max_record_size_bounds(self):
        name = h.create_active(self.k, shards=1)
        arn = h.stream_arn(name, self.REGION)
        for bad in (1023, 10241, 0):
            with self.subTest(value=bad):
                err = self.assertClientError("ValidationException", self.raw.update_max_record_size,
                                             StreamARN=arn, MaxRecordSizeInKiB=bad)
                self.assertIn("maxRecordSizeInKiB", err.response["Error"]["Message"])
        for good in (1024, 10240, 5000):
            self.k.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=good)
            self.assertEqual(h.wait_active(self.k, name)["MaxRecordSizeInKiB"], good)
        self.assertClientError("ResourceNotFoundException", self.k.update_max_record_size,
                               StreamARN=h.stream_arn(h.unique_name("missing"), self.REGION),
                               MaxRecordSizeInKiB=2048)

    def test_create_stream_max_record_size_bounds(self):
        for bad in (1023, 10241):
            self.assertClientError("ValidationException", self.raw.create_stream, StreamName=h.unique_name("m"),
                                   ShardCount=1, MaxRecordSizeInKiB=bad)


if __name__ == "__main__":
    unittest.main()
