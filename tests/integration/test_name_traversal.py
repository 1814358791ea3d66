"""Resource names and regions never become paths (security review, critical).

`..` and `.` are valid AWS stream and delivery-stream names: they must work,
and they must not touch anything else. Regions come from the SigV4 scope and
must have AWS's region syntax. Every request here is followed by a restart
that must still return every acknowledged record, with a canary file beside
the data directory untouched.
"""

from __future__ import annotations

import os
import unittest

import boto3
from botocore.config import Config

from harness import (ACCESS_KEY, ACCOUNT_ID, SECRET_KEY, create_active, raw_request, read_all,
                     skip_if_external, start_server, wait_active)

ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/firehose-role"


def client(service, endpoint, region="us-east-1"):
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name=region)
    return session.client(service, endpoint_url=endpoint,
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"}))


def snapshot(root):
    """Every file below `root` with its size."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = os.path.getsize(p)
    return out


class NameTraversalTest(unittest.TestCase):
    def setUp(self):
        skip_if_external()
        self.server = start_server()
        self.addCleanup(self.server.cleanup)
        self.parent = os.path.dirname(self.server.data_dir)
        self.canary = os.path.join(self.parent, "canary.txt")
        with open(self.canary, "w") as f:
            f.write("still here\n")

    def kinesis(self, region="us-east-1"):
        return client("kinesis", self.server.endpoint, region)

    def seed(self):
        """Acknowledged data in two regions, in S3 and in a DirectPut spool."""
        acked = {}
        for region in ("us-east-1", "eu-west-1"):
            k = self.kinesis(region)
            create_active(k, "victim", shards=1)
            seqs = [k.put_record(StreamName="victim", Data=f"{region}-{i}".encode(), PartitionKey="p")["SequenceNumber"]
                    for i in range(5)]
            acked[region] = seqs
        s3 = client("s3", self.server.endpoint)
        s3.create_bucket(Bucket="keep")
        s3.put_object(Bucket="keep", Key="a.txt", Body=b"object body")
        fh = client("firehose", self.server.endpoint)
        fh.create_delivery_stream(DeliveryStreamName="spooled", DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration={
                                      "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::keep",
                                      "BufferingHints": {"IntervalInSeconds": 900, "SizeInMBs": 128}})
        fh.put_record(DeliveryStreamName="spooled", Record={"Data": b"undelivered\n"})
        return acked

    def check_intact(self, acked):
        for region, seqs in acked.items():
            k = self.kinesis(region)
            got = read_all(k, "victim", "shardId-000000000000")
            self.assertEqual([r["SequenceNumber"] for r in got], seqs, region)
            self.assertEqual([r["Data"] for r in got], [f"{region}-{i}".encode() for i in range(5)])
        s3 = client("s3", self.server.endpoint)
        self.assertEqual(s3.get_object(Bucket="keep", Key="a.txt")["Body"].read(), b"object body")
        fh = client("firehose", self.server.endpoint)
        self.assertEqual(fh.describe_delivery_stream(DeliveryStreamName="spooled")
                         ["DeliveryStreamDescription"]["DeliveryStreamStatus"], "ACTIVE")
        with open(self.canary) as f:
            self.assertEqual(f.read(), "still here\n")

    def test_dot_names_work_and_touch_nothing_else(self):
        acked = self.seed()
        k = self.kinesis()
        before = snapshot(self.parent)
        for name in ("..", "."):
            k.create_stream(StreamName=name, ShardCount=1)
            wait_active(k, name)
            seq = k.put_record(StreamName=name, Data=name.encode(), PartitionKey="p")["SequenceNumber"]
            got = read_all(k, name, "shardId-000000000000")
            self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in got], [(seq, name.encode())])
        self.assertIn("..", k.list_streams()["StreamNames"])
        after = snapshot(self.parent)
        self.assertTrue(set(before) <= set(after), f"files gone: {set(before) - set(after)}")
        fh = client("firehose", self.server.endpoint)
        for name in ("..", "."):
            fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                      ExtendedS3DestinationConfiguration={
                                          "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::keep"})
            fh.put_record(DeliveryStreamName=name, Record={"Data": b"x\n"})
        self.check_intact(acked)
        # Deleting them removes exactly them.
        k.delete_stream(StreamName="..")
        fh.delete_delivery_stream(DeliveryStreamName="..")
        self.server.restart()
        self.check_intact(acked)
        k = self.kinesis()
        fh = client("firehose", self.server.endpoint)
        names = k.list_streams()["StreamNames"]
        self.assertIn(".", names)
        self.assertNotIn("..", names)
        got = read_all(k, ".", "shardId-000000000000")
        self.assertEqual([r["Data"] for r in got], [b"."])
        self.assertIn(".", fh.list_delivery_streams()["DeliveryStreamNames"])
        self.server.kill9()
        self.server.start()
        self.check_intact(acked)

    def test_hostile_regions_are_refused(self):
        acked = self.seed()
        before = snapshot(self.parent)
        for region in ("..", ".", "r0", "us-east-1x", "..%2F..", "US-EAST-1"):
            for name in ("s3", "..", "victim", "kinesis"):
                for target, body in (("Kinesis_20131202.CreateStream", {"StreamName": name, "ShardCount": 1}),
                                     ("Kinesis_20131202.DeleteStream", {"StreamName": name}),
                                     ("Firehose_20150804.CreateDeliveryStream",
                                      {"DeliveryStreamName": name, "DeliveryStreamType": "DirectPut"})):
                    r = raw_request(self.server.endpoint, target, body, region=region)
                    self.assertEqual(r.status, 400, r)
                    self.assertEqual(r.error_type, "InvalidSignatureException", r)
                    self.assertIn("valid region", r.message)
        self.assertEqual(snapshot(self.parent), before)
        self.server.restart()
        self.check_intact(acked)

    def test_unknown_default_region_refused_at_start(self):
        import subprocess
        proc = subprocess.run([self.server.binary, "serve", "--port", "0", "--data-dir", self.server.data_dir,
                               "--default-region", ".."], capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("not an AWS region", proc.stderr)


if __name__ == "__main__":
    unittest.main()
