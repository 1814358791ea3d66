"""The unmodified aws CLI end to end against a server with a 300 ms
stream transition (so `aws kinesis wait` really waits)."""

import base64
import json
import os
import tempfile
import time
import unittest

import harness as h


def blob_args():
    """CLI v2 needs --cli-binary-format raw-in-base64-out for raw blob input; v1 takes raw input as-is."""
    return ["--cli-binary-format", "raw-in-base64-out"] if h.aws_cli_is_v2() else []


class CliTest(h.ServerTestCase):
    transition_ms = 300

    def aws(self, *args, **kw):
        return h.run_aws(self.endpoint, *args, **kw)

    def test_end_to_end(self):
        name = h.unique_name("cli")
        r = self.aws("create-stream", "--stream-name", name, "--shard-count", "2")
        self.assertEqual(r.returncode, 0)
        self.aws("wait", "stream-exists", "--stream-name", name)
        d = self.aws("describe-stream", "--stream-name", name).json["StreamDescription"]
        self.assertEqual(d["StreamStatus"], "ACTIVE")
        self.assertEqual(len(d["Shards"]), 2)
        self.assertEqual(d["StreamARN"], h.stream_arn(name))

        s = self.aws("describe-stream-summary", "--stream-name", name).json["StreamDescriptionSummary"]
        self.assertEqual(s["OpenShardCount"], 2)

        self.assertIn(name, self.aws("list-streams").json["StreamNames"])
        shards = self.aws("list-shards", "--stream-name", name).json["Shards"]
        self.assertEqual([x["ShardId"] for x in shards], [h.shard_id(0), h.shard_id(1)])

        # text payload, raw in -> base64 on the wire
        put = self.aws("put-record", "--stream-name", name, "--partition-key", "pk-1",
                       "--data", "hello from the cli", *blob_args()).json
        self.assertIn(put["ShardId"], (h.shard_id(0), h.shard_id(1)))
        self.assertTrue(put["SequenceNumber"].isdigit())
        self.assertEqual(put["ShardId"], h.shard_for_hash(h.partition_hash("pk-1"), shards))

        # binary payload through fileb:// (works the same in v1 and v2)
        payload = bytes(range(256)) * 2
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(payload)
        self.addCleanup(os.unlink, f.name)
        put2 = self.aws("put-record", "--stream-name", name, "--partition-key", "pk-1",
                        "--data", f"fileb://{f.name}").json
        self.assertEqual(put2["ShardId"], put["ShardId"])
        self.assertGreater(int(put2["SequenceNumber"]), int(put["SequenceNumber"]))

        it = self.aws("get-shard-iterator", "--stream-name", name, "--shard-id", put["ShardId"],
                      "--shard-iterator-type", "TRIM_HORIZON").json["ShardIterator"]
        recs = self.aws("get-records", "--shard-iterator", it).json
        self.assertIn("NextShardIterator", recs)
        self.assertEqual(recs["MillisBehindLatest"], 0)
        self.assertEqual([r["SequenceNumber"] for r in recs["Records"]],
                         [put["SequenceNumber"], put2["SequenceNumber"]])
        self.assertEqual(base64.b64decode(recs["Records"][0]["Data"]), b"hello from the cli")
        self.assertEqual(base64.b64decode(recs["Records"][1]["Data"]), payload)
        self.assertEqual(recs["Records"][0]["PartitionKey"], "pk-1")

        # AT_SEQUENCE_NUMBER via the CLI
        it = self.aws("get-shard-iterator", "--stream-name", name, "--shard-id", put["ShardId"],
                      "--shard-iterator-type", "AT_SEQUENCE_NUMBER",
                      "--starting-sequence-number", put2["SequenceNumber"]).json["ShardIterator"]
        recs = self.aws("get-records", "--shard-iterator", it, "--limit", "5").json["Records"]
        self.assertEqual([r["SequenceNumber"] for r in recs], [put2["SequenceNumber"]])

        self.aws("delete-stream", "--stream-name", name)
        self.aws("wait", "stream-not-exists", "--stream-name", name)
        r = self.aws("describe-stream", "--stream-name", name, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)
        self.assertNotIn(name, self.aws("list-streams").json["StreamNames"])

    def test_wait_stream_exists_after_creating(self):
        h.skip_if_external("needs --stream-transition-ms 300")
        name = h.unique_name("wait")
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        status = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        self.assertEqual(status, "CREATING")
        t0 = time.monotonic()
        r = self.aws("wait", "stream-exists", "--stream-name", name, check=False)
        self.assertEqual(r.returncode, 0, r)
        self.assertLess(time.monotonic() - t0, 60)
        s = self.aws("describe-stream-summary", "--stream-name", name).json["StreamDescriptionSummary"]
        self.assertEqual(s["StreamStatus"], "ACTIVE")

    def test_put_records_and_tags(self):
        name = h.unique_name("clib")
        self.aws("create-stream", "--stream-name", name, "--shard-count", "1")
        h.wait_active(self.kinesis, name)
        records = [{"Data": f"rec-{i}", "PartitionKey": f"k{i}"} for i in range(5)]
        r = self.aws("put-records", "--stream-name", name, "--records", json.dumps(records),
                     *blob_args()).json
        self.assertEqual(r["FailedRecordCount"], 0)
        self.assertEqual(len(r["Records"]), 5)
        got = [x["Data"] for x in h.read_all(self.kinesis, name, h.shard_id(0))]
        self.assertEqual(got, [f"rec-{i}".encode() for i in range(5)])

        self.aws("add-tags-to-stream", "--stream-name", name, "--tags", "team=data,env=ci")
        tags = self.aws("list-tags-for-stream", "--stream-name", name).json["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "data", "env": "ci"})
        self.aws("increase-stream-retention-period", "--stream-name", name, "--retention-period-hours", "48")
        h.wait_active(self.kinesis, name)
        s = self.aws("describe-stream-summary", "--stream-name", name).json["StreamDescriptionSummary"]
        self.assertEqual(s["RetentionPeriodHours"], 48)

    def test_list_streams_auto_pagination(self):
        h.skip_if_external("needs a server with per-region namespaces to get an exact listing")
        region = "eu-central-1"
        k = self.server.client(region=region)
        names = sorted(h.unique_name("pg") for _ in range(5))
        for n in names:
            k.create_stream(StreamName=n, ShardCount=1)
        # the CLI follows NextToken itself when --page-size is small
        r = h.run_aws(self.endpoint, "list-streams", "--page-size", "2", region=region).json
        self.assertEqual(r["StreamNames"], names)

    def test_cli_error_reporting(self):
        r = self.aws("describe-stream-summary", "--stream-name", h.unique_name("missing"), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ResourceNotFoundException", r.stderr)
        r = self.aws("create-stream", "--stream-name", "bad name!", "--shard-count", "1", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ValidationException", r.stderr)


if __name__ == "__main__":
    unittest.main()
