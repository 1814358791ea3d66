"""The move to AWS is a configuration change: an AWS-shaped deployment.

Two servers behave like AWS's separate services: Kinesis + Firehose on one,
the S3 that Firehose delivers to on another, both with strict SigV4 auth,
keys that are not "test", account 123456789012, and the region eu-west-1
coming from the client's configuration only. The clients get no
--endpoint-url: each service's endpoint comes from AWS_ENDPOINT_URL_<SERVICE>,
as the AWS SDKs resolve it. produce -> consume -> firehose create/put -> S3,
and `compare --aws`, which must delete everything it created.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config

from harness import SluiceServer, skip_if_external

ACCESS = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sluice-firehose"


class AwsTopologyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        skip_if_external()
        cls.work = tempfile.mkdtemp(prefix="sluice-aws-")
        creds = os.path.join(cls.work, "credentials")
        with open(creds, "w") as f:
            f.write(f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n")
        common = ["--auth", "strict", "--credentials-file", creds, "--account-id", ACCOUNT]
        cls.s3 = SluiceServer(extra_args=common).start()
        cls.addClassCleanup(cls.s3.cleanup)
        # Firehose on the first server delivers to the second with its own
        # credentials, resolved the AWS way from its environment.
        server_env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION=REGION)
        cls.kf = SluiceServer(extra_args=common + ["--firehose-s3-endpoint", cls.s3.endpoint,
                                                   "--firehose-interval-scale", "0.05"],
                              env=server_env).start()
        cls.addClassCleanup(cls.kf.cleanup)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION=REGION,
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   AWS_ENDPOINT_URL_KINESIS=cls.kf.endpoint, AWS_ENDPOINT_URL_FIREHOSE=cls.kf.endpoint,
                   AWS_ENDPOINT_URL_S3=cls.s3.endpoint)
        cls.env = env

    def client(self, service):
        endpoint = self.s3.endpoint if service == "s3" else self.kf.endpoint
        session = boto3.session.Session(aws_access_key_id=ACCESS, aws_secret_access_key=SECRET, region_name=REGION)
        return session.client(service, endpoint_url=endpoint,
                              config=Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"}))

    def sluice(self, *args, timeout=180):
        proc = subprocess.run([self.kf.binary, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, cwd=self.work, stdin=subprocess.DEVNULL)
        return proc

    def wait_objects(self, bucket, prefix="", minimum=1, timeout=60):
        s3 = self.client("s3")
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
            if len(got) >= minimum:
                return got
            time.sleep(0.3)
        self.fail(f"no objects in s3://{bucket}/{prefix} after {timeout}s")

    def test_pipeline_with_per_service_endpoints(self):
        p = self.sluice("produce", "--stream-name", "orders", "--create-stream", "--shard-count", "2",
                        "--count", "200", "--seed", "7", "--run-id", "topo", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        desc = self.client("kinesis").describe_stream_summary(StreamName="orders")["StreamDescriptionSummary"]
        self.assertEqual(desc["StreamARN"], f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/orders")

        out = os.path.join(self.work, "consumed.ndjson")
        c = self.sluice("consume", "--stream-name", "orders", "--output", out, "--idle-exit", "2",
                        "--checkpoint-db", os.path.join(self.work, "cp.db"), "--quiet")
        self.assertEqual(c.returncode, 0, c.stderr)
        with open(out) as f:
            ids = [json.loads(line)["event_id"] for line in f if line.strip()]
        self.assertEqual(len(ids), 200)
        self.assertEqual(len(set(ids)), 200)

        # A delivery stream reading the stream: the source ARN comes from
        # DescribeStreamSummary (account and region right, never guessed).
        self.client("s3").create_bucket(Bucket="lake", CreateBucketConfiguration={"LocationConstraint": REGION})
        fc = self.sluice("firehose", "create", "--delivery-stream-name", "to-lake", "--bucket", "lake",
                         "--source-stream", "orders", "--role-arn", ROLE, "--buffer-interval", "60",
                         "--prefix", "from-stream/")
        self.assertEqual(fc.returncode, 0, fc.stderr)
        self.assertEqual(fc.stdout.strip(), f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/to-lake")
        d = self.client("firehose").describe_delivery_stream(DeliveryStreamName="to-lake")["DeliveryStreamDescription"]
        self.assertEqual(d["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"], desc["StreamARN"])
        self.assertEqual(d["Source"]["KinesisStreamSourceDescription"]["RoleARN"], ROLE)
        # It starts at LATEST: only records put after it exists are delivered.
        p = self.sluice("produce", "--stream-name", "orders", "--count", "50", "--seed", "8", "--run-id", "late",
                        "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        objs = self.wait_objects("lake", "from-stream/")
        body = b"".join(self.client("s3").get_object(Bucket="lake", Key=o["Key"])["Body"].read() for o in objs)
        self.assertIn(b'"late', body)
        self.assertNotIn(b'"topo', body)

        # DirectPut with a newline delimiter: no blank lines in the object.
        fc = self.sluice("firehose", "create", "--delivery-stream-name", "direct", "--bucket", "lake",
                         "--role-arn", ROLE, "--buffer-interval", "60", "--prefix", "direct/", "--delimiter", "\\n")
        self.assertEqual(fc.returncode, 0, fc.stderr)
        fp = self.sluice("firehose", "put", "--delivery-stream-name", "direct", "--count", "20", "--seed", "3")
        self.assertEqual(fp.returncode, 0, fp.stderr)
        objs = self.wait_objects("lake", "direct/")
        body = b"".join(self.client("s3").get_object(Bucket="lake", Key=o["Key"])["Body"].read() for o in objs)
        lines = body.split(b"\n")
        self.assertEqual(lines[-1], b"")
        self.assertEqual(len(lines) - 1, 20, body[:400])
        self.assertNotIn(b"", lines[:-1])

    def test_roles_are_required_inputs_off_a_local_server(self):
        # --aws runs need the delivery role before anything is created.
        r = self.sluice("compare", "--aws", "--duration", "1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--role-arn", r.stderr)
        self.assertFalse([n for n in self.client("kinesis").list_streams()["StreamNames"] if n.startswith("sluice-demo")])
        # The client library refuses a delivery stream without a role when the
        # endpoint is not a local server, before sending anything.
        env = dict(self.env, AWS_ENDPOINT_URL_FIREHOSE="http://firehose.example.invalid:9")
        p = subprocess.run([self.kf.binary, "firehose", "create", "--delivery-stream-name", "x", "--bucket", "lake"],
                           env=env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("RoleARN", p.stderr)
        self.assertIn("--role-arn", p.stderr)

    def test_compare_aws_cleans_up(self):
        before_streams = set(self.client("kinesis").list_streams()["StreamNames"])
        before_buckets = {b["Name"] for b in self.client("s3").list_buckets()["Buckets"]}
        r = self.sluice("compare", "--aws", "--role-arn", ROLE, "--duration", "3", "--rate", "50",
                        "--buffer-interval", "1", "--shards", "1", "--json", "run.json", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        with open(os.path.join(self.work, "run.json")) as f:
            res = json.load(f)
        self.assertTrue(res["config"]["cleaned_up"], r.stderr[-2000:])
        self.assertEqual(res["config"]["region"], REGION)
        self.assertGreater(res["streams"]["events_consumed"], 0)
        self.assertGreater(res["firehose"]["events_delivered"], 0)
        # Nothing it made is left: streams (after their DELETING state), the
        # delivery stream and the bucket.
        deadline = time.time() + 30
        while time.time() < deadline:
            streams = set(self.client("kinesis").list_streams()["StreamNames"])
            if streams == before_streams:
                break
            time.sleep(0.3)
        self.assertEqual(set(self.client("kinesis").list_streams()["StreamNames"]), before_streams)
        self.assertFalse([n for n in self.client("firehose").list_delivery_streams()["DeliveryStreamNames"]
                          if n.startswith("sluice-demo")])
        self.assertEqual({b["Name"] for b in self.client("s3").list_buckets()["Buckets"]}, before_buckets)


if __name__ == "__main__":
    unittest.main()
