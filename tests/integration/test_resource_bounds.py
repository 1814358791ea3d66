"""Resource bounds (docs/RELIABILITY.md#resource-bounds), driven through the
real binary:

* --max-total-shards bounds shards across every region (the per-region
  --shard-limit does not, since a client picks any region): CreateStream,
  SplitShard and UpdateShardCount beyond it get LimitExceededException, and
  the server's descriptor count stays bounded meanwhile;
* --max-open-files bounds the segment descriptors: idle shards hold none, and
  every record is still readable after a restart;
* --max-data-bytes refuses appends (Kinesis InternalFailure, Firehose
  ServiceUnavailableException, S3 503 ServiceUnavailable) with a message
  naming the quota, and every acknowledged record stays intact;
* the S3 store's startup sweep never follows a planted symlink;
* the data directory and everything in it are private (dirs 0700, files 0600).
"""

import json
import os
import shutil
import stat
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import (ACCESS_KEY, SECRET_KEY, SluiceServer, kinesis_client, raw_request, skip_if_external,
                     unique_name, wait_active)

REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1",
           "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", "ca-central-1"]
HASH_SPACE = 2 ** 128


def open_fds(pid):
    return os.listdir(f"/proc/{pid}/fd")


def segment_fds(pid):
    """Descriptors of the process that point at shard segment files."""
    n = 0
    for fd in open_fds(pid):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.endswith(".log") and "/shards/" in target:
            n += 1
    return n


def hash_key_for_shard(i, shards):
    return str((HASH_SPACE // shards) * i + 1)


def s3_client(endpoint):
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name="us-east-1")
    return session.client("s3", endpoint_url=endpoint,
                          config=Config(retries={"max_attempts": 1, "mode": "standard"},
                                        s3={"addressing_style": "path"}))


def firehose_client(endpoint):
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name="us-east-1")
    return session.client("firehose", endpoint_url=endpoint,
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}))


class BoundsBase(unittest.TestCase):
    def setUp(self):
        skip_if_external()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def server(self, *args, **kw):
        s = SluiceServer(extra_args=list(args), **kw)
        self.servers.append(s)
        return s.start()

    def create(self, endpoint, region, name, shards):
        r = raw_request(endpoint, "CreateStream", {"StreamName": name, "ShardCount": shards}, region=region)
        return r


class TotalShardBudgetTest(BoundsBase):
    def test_streams_across_regions_stop_at_the_server_wide_budget(self):
        srv = self.server("--max-total-shards", "40", "--max-open-files", "8")
        pid = srv.proc.pid
        baseline = len(open_fds(pid))
        # 8 shards per stream, one stream per region: the 6th stream passes
        # every per-region limit but not the server's.
        created = []
        refusal = None
        for region in REGIONS:
            r = self.create(srv.endpoint, region, "s", 8)
            if r.status != 200:
                refusal = (region, r)
                break
            created.append(region)
        self.assertEqual(len(created), 5, created)
        region, r = refusal
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_type, "LimitExceededException", r)
        self.assertIn("--max-total-shards", r.message)
        self.assertIn("Limit: 40", r.message)
        # Later regions too: the budget is the server's, not the region's.
        r = self.create(srv.endpoint, REGIONS[-1], "late", 1)
        self.assertEqual(r.error_type, "LimitExceededException", r)
        # Resharding that adds shards is refused the same way.
        c = kinesis_client(srv.endpoint, created[0])
        wait_active(c, "s")
        with self.assertRaises(ClientError) as cm:
            c.update_shard_count(StreamName="s", TargetShardCount=16, ScalingType="UNIFORM_SCALING")
        self.assertEqual(cm.exception.response["Error"]["Code"], "LimitExceededException")
        self.assertIn("--max-total-shards", cm.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as cm:
            c.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                          NewStartingHashKey=str(HASH_SPACE // 16))
        self.assertEqual(cm.exception.response["Error"]["Code"], "LimitExceededException")
        # Every stream got records; the descriptors stay bounded by
        # --max-open-files (8), not by the 40 shards.
        for region in created:
            ck = kinesis_client(srv.endpoint, region)
            wait_active(ck, "s")
            for i in range(8):
                ck.put_record(StreamName="s", Data=b"r", PartitionKey="k",
                              ExplicitHashKey=hash_key_for_shard(i, 8))
        self.assertLessEqual(segment_fds(pid), 8)
        self.assertLess(len(open_fds(pid)), baseline + 8 + 10, open_fds(pid))
        # Deleting a stream gives its shards back.
        kinesis_client(srv.endpoint, created[0]).delete_stream(StreamName="s")
        deadline = time.time() + 10
        while True:
            r = self.create(srv.endpoint, REGIONS[-1], "late", 8)
            if r.status == 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 200, r)
        # The count survives a restart: still full.
        srv.restart()
        r = self.create(srv.endpoint, REGIONS[-2], "after", 1)
        self.assertEqual(r.error_type, "LimitExceededException", r)


class IdleShardDescriptorsTest(BoundsBase):
    def test_idle_shards_hold_no_descriptor_and_read_back_after_restart(self):
        shards = 40
        srv = self.server("--max-open-files", "4", "--segment-bytes", str(64 << 10))
        c = kinesis_client(srv.endpoint)
        c.create_stream(StreamName="wide", ShardCount=shards)
        wait_active(c, "wide")
        sent = {}
        for i in range(shards):
            sid = f"shardId-{i:012d}"
            for j in range(12):  # 12 x 8 KiB: two segments per shard
                data = f"{i}-{j}-".encode() + b"x" * 8192
                r = c.put_record(StreamName="wide", Data=data, PartitionKey="k",
                                 ExplicitHashKey=hash_key_for_shard(i, shards))
                self.assertEqual(r["ShardId"], sid)
                sent.setdefault(sid, []).append(data)
        self.assertLessEqual(segment_fds(srv.proc.pid), 4)
        health = json.loads(urllib.request.urlopen(srv.endpoint + "/_sluice/health", timeout=10).read())
        res = health["storage_resources"]
        self.assertEqual(res["max_open_files"], 4)
        self.assertLessEqual(res["open_segment_files"], 4)
        self.assertGreater(res["segment_evictions"], 0)
        srv.restart()
        self.assertLessEqual(segment_fds(srv.proc.pid), 4)
        c = kinesis_client(srv.endpoint)
        for sid, datas in sent.items():
            it = c.get_shard_iterator(StreamName="wide", ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            got = []
            while len(got) < len(datas):
                r = c.get_records(ShardIterator=it, Limit=1000)
                got += [rec["Data"] for rec in r["Records"]]
                it = r["NextShardIterator"]
                if not r["Records"]:
                    break
            self.assertEqual(got, datas, sid)
            self.assertLessEqual(segment_fds(srv.proc.pid), 4)


class DataQuotaTest(BoundsBase):
    def test_appends_beyond_the_quota_are_refused_and_acknowledged_records_stay(self):
        quota = 4 << 20
        srv = self.server("--max-data-bytes", str(quota))
        c = kinesis_client(srv.endpoint)
        c.create_stream(StreamName="q", ShardCount=1)
        wait_active(c, "q")
        acked = []
        refusal = None
        for i in range(200):
            data = f"{i:05d}".encode() + os.urandom(64 << 10)
            try:
                c.put_record(StreamName="q", Data=data, PartitionKey="k")
                acked.append(data)
            except ClientError as e:
                refusal = e
                break
        self.assertIsNotNone(refusal, "the quota never refused a put")
        self.assertGreater(len(acked), 30)
        self.assertLess(len(acked), 64)
        err = refusal.response["Error"]
        self.assertEqual(err["Code"], "InternalFailure")
        self.assertIn("--max-data-bytes", err["Message"])
        # PutRecords: per record, with the same message.
        r = c.put_records(StreamName="q", Records=[{"Data": b"y" * (64 << 10), "PartitionKey": "k"}])
        self.assertEqual(r["FailedRecordCount"], 1)
        self.assertEqual(r["Records"][0]["ErrorCode"], "InternalFailure")
        self.assertIn("--max-data-bytes", r["Records"][0]["ErrorMessage"])
        # S3 PutObject: 503 ServiceUnavailable, nothing stored.
        s3 = s3_client(srv.endpoint)
        s3.create_bucket(Bucket="quota-bucket")
        with self.assertRaises(ClientError) as cm:
            s3.put_object(Bucket="quota-bucket", Key="big", Body=b"z" * (1 << 20))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ServiceUnavailable")
        self.assertIn("--max-data-bytes", cm.exception.response["Error"]["Message"])
        # Firehose DirectPut: ServiceUnavailableException.
        fh = firehose_client(srv.endpoint)
        fh.create_delivery_stream(
            DeliveryStreamName="fq", DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": "arn:aws:s3:::quota-bucket",
                "BufferingHints": {"IntervalInSeconds": 900, "SizeInMBs": 128}})
        deadline = time.time() + 10
        while fh.describe_delivery_stream(DeliveryStreamName="fq")["DeliveryStreamDescription"][
                "DeliveryStreamStatus"] != "ACTIVE" and time.time() < deadline:
            time.sleep(0.1)
        with self.assertRaises(ClientError) as cm:
            fh.put_record(DeliveryStreamName="fq", Record={"Data": b"f" * (512 << 10)})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ServiceUnavailableException")
        self.assertIn("--max-data-bytes", cm.exception.response["Error"]["Message"])
        health = json.loads(urllib.request.urlopen(srv.endpoint + "/_sluice/health", timeout=10).read())
        self.assertEqual(health["storage_resources"]["max_data_bytes"], quota)
        self.assertLessEqual(health["storage_resources"]["data_bytes"], quota)
        # The data directory did not grow past the quota (plus metadata).
        total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(srv.data_dir) for f in fs)
        self.assertLess(total, quota + (1 << 20))
        # Restart without the quota: every acknowledged record is there, and
        # appends work again.
        srv.extra_args = []
        srv.restart()
        c = kinesis_client(srv.endpoint)
        it = c.get_shard_iterator(StreamName="q", ShardId="shardId-000000000000",
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got = []
        while True:
            r = c.get_records(ShardIterator=it, Limit=100)
            got += [rec["Data"] for rec in r["Records"]]
            it = r["NextShardIterator"]
            if not r["Records"]:
                break
        self.assertEqual(got, acked)
        c.put_record(StreamName="q", Data=b"after", PartitionKey="k")


class SweepSymlinkTest(BoundsBase):
    def test_startup_sweep_never_follows_a_planted_symlink(self):
        srv = self.server()
        s3 = s3_client(srv.endpoint)
        s3.create_bucket(Bucket="keep")
        s3.put_object(Bucket="keep", Key="k", Body=b"kept")
        srv.stop()
        canary = tempfile.mkdtemp(prefix="sluice-canary-")
        self.addCleanup(shutil.rmtree, canary, True)
        for name in ("a", "b"):
            with open(os.path.join(canary, name), "w") as f:
                f.write("canary")
        root = os.path.join(srv.data_dir, "s3")
        # s3/tmp itself a symlink to the canary directory.
        shutil.rmtree(os.path.join(root, "tmp"))
        os.symlink(canary, os.path.join(root, "tmp"))
        # A symlink inside s3/parts and a fan-out directory that is a symlink.
        os.symlink(os.path.join(canary, "a"), os.path.join(root, "parts", "planted"))
        os.symlink(canary, os.path.join(root, "objects", "zz"))
        srv.start()
        self.assertEqual(sorted(os.listdir(canary)), ["a", "b"])
        with open(os.path.join(canary, "a")) as f:
            self.assertEqual(f.read(), "canary")
        # The planted link in parts/ was unreferenced: it is gone, its target is not.
        self.assertFalse(os.path.lexists(os.path.join(root, "parts", "planted")))
        self.assertEqual(s3_client(srv.endpoint).get_object(Bucket="keep", Key="k")["Body"].read(), b"kept")


class FileModesTest(BoundsBase):
    def test_data_directory_and_files_are_private(self):
        work = tempfile.mkdtemp(prefix="sluice-modes-")
        self.addCleanup(shutil.rmtree, work, True)
        data_dir = os.path.join(work, "fresh", "data")
        old = os.umask(0o022)
        try:
            srv = SluiceServer(data_dir=data_dir, extra_args=["--tls-port", "0"])
            os.rmdir(data_dir)  # the harness made it: let the server create it
            os.rmdir(os.path.dirname(data_dir))
            self.servers.append(srv)
            srv.start()
        finally:
            os.umask(old)
        c = kinesis_client(srv.endpoint)
        c.create_stream(StreamName="m", ShardCount=2)
        wait_active(c, "m")
        c.put_record(StreamName="m", Data=b"d", PartitionKey="k")
        s3 = s3_client(srv.endpoint)
        s3.create_bucket(Bucket="modes")
        s3.put_object(Bucket="modes", Key="o", Body=b"o")
        up = s3.create_multipart_upload(Bucket="modes", Key="mp")
        s3.upload_part(Bucket="modes", Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"p")
        fh = firehose_client(srv.endpoint)
        fh.create_delivery_stream(
            DeliveryStreamName="fm", DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": "arn:aws:s3:::modes",
                "BufferingHints": {"IntervalInSeconds": 900, "SizeInMBs": 128}})
        time.sleep(0.3)
        srv.stop()
        self.assertEqual(stat.S_IMODE(os.stat(data_dir).st_mode), 0o700)
        seen = set()
        for d, dirs, files in os.walk(data_dir):
            for name in dirs:
                p = os.path.join(d, name)
                self.assertEqual(stat.S_IMODE(os.lstat(p).st_mode), 0o700, p)
            for name in files:
                p = os.path.join(d, name)
                mode = stat.S_IMODE(os.lstat(p).st_mode)
                rel = os.path.relpath(p, data_dir)
                seen.add(rel.split(os.sep)[0] if "/" in rel else rel)
                if rel == os.path.join("tls", "cert.pem"):
                    continue  # a certificate is public
                self.assertEqual(mode & 0o077, 0, f"{rel} has mode {oct(mode)}")
        for must in ("token.key", "kinesis", "s3", "tls", "firehose"):
            self.assertIn(must, seen)
        names = {os.path.basename(os.path.join(d, f)) for d, _, fs in os.walk(data_dir) for f in fs}
        for must in ("token.key", "stream.json", "index.db", "key.pem"):
            self.assertIn(must, names)
        self.assertTrue(any(n.endswith(".log") for n in names))


if __name__ == "__main__":
    unittest.main()
