"""The Firehose API (X-Amz-Target: Firehose_20150804.*) against the real
`sluice serve`, driven by unmodified boto3 and the aws CLI v1.

Every operation, the errors Firehose gives, the shapes botocore parses
(strictly typed), versioning, region isolation, a Kinesis stream as source,
and persistence across SIGKILL + restart.  Delivery itself (objects in S3) is
the engine's and is tested with it; the DirectPut spool's durability is
checked at the catalog level in tests/unit/firehose_catalog_test.cc.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import (ACCESS_KEY, ACCOUNT_ID, DEFAULT_REGION, SECRET_KEY, aws_cli_env, create_active,
                     kinesis_client, skip_if_external, start_server, unique_name)

ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/firehose-role"
BUCKET = "arn:aws:s3:::sluice-test-bucket"


def firehose_client(endpoint: str, region: str = DEFAULT_REGION, **config):
    """An unmodified boto3 Firehose client with dummy credentials and one attempt."""
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)
    cfg.update(config)
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name=region)
    return session.client("firehose", endpoint_url=endpoint, config=Config(**cfg))


def run_firehose_cli(endpoint: str, *args, region: str = DEFAULT_REGION, check: bool = True):
    cmd = ["aws", "--endpoint-url", endpoint, "--region", region, "--output", "json", "firehose", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=aws_cli_env(), timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr}")
    out = json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc.returncode, out, proc.stderr


def s3_dest(**kw):
    d = {"RoleARN": ROLE, "BucketARN": BUCKET}
    d.update(kw)
    return d


METADATA_EXTRACTION = {
    "Enabled": True,
    "Processors": [
        {"Type": "MetadataExtraction", "Parameters": [
            {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{user:.user_id}"},
            {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
        {"Type": "AppendDelimiterToRecord", "Parameters": [{"ParameterName": "Delimiter", "ParameterValue": "\\n"}]},
    ],
}


class FirehoseApiBase(unittest.TestCase):
    transition_ms = 0

    @classmethod
    def setUpClass(cls):
        cls.server = start_server(transition_ms=cls.transition_ms)
        cls.fh = firehose_client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, code, fn, *args, message=None, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, cm.exception.response)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            self.assertEqual(err["Message"], message)
        return err["Message"]

    def create(self, name=None, **kw):
        name = name or unique_name("fh")
        if "S3DestinationConfiguration" not in kw and "ExtendedS3DestinationConfiguration" not in kw:
            kw["ExtendedS3DestinationConfiguration"] = s3_dest()
        self.fh.create_delivery_stream(DeliveryStreamName=name, **kw)
        return name

    def describe(self, name, **kw):
        return self.fh.describe_delivery_stream(DeliveryStreamName=name, **kw)["DeliveryStreamDescription"]

    def wait_status(self, name, status, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                d = self.describe(name)
                if d["DeliveryStreamStatus"] == status:
                    return d
            except ClientError as e:
                if e.response["Error"]["Code"] != "ResourceNotFoundException":
                    raise
                if status is None:
                    return None
            if time.monotonic() > deadline:
                self.fail(f"{name} not {status} after {timeout}s")
            time.sleep(0.05)


class TestFirehoseApi(FirehoseApiBase):
    # -- CreateDeliveryStream / DescribeDeliveryStream -------------------------

    def test_create_and_describe_with_aws_defaults(self):
        before = datetime.datetime.now(datetime.timezone.utc)
        name = unique_name("fh")
        out = self.fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_dest())
        arn = f"arn:aws:firehose:{DEFAULT_REGION}:{ACCOUNT_ID}:deliverystream/{name}"
        self.assertEqual(out["DeliveryStreamARN"], arn)
        d = self.describe(name)
        self.assertEqual(d["DeliveryStreamName"], name)
        self.assertEqual(d["DeliveryStreamARN"], arn)
        self.assertEqual(d["DeliveryStreamStatus"], "ACTIVE")
        self.assertEqual(d["DeliveryStreamType"], "DirectPut")
        self.assertEqual(d["VersionId"], "1")
        self.assertIsInstance(d["CreateTimestamp"], datetime.datetime)
        self.assertLess(abs((d["CreateTimestamp"] - before).total_seconds()), 5)
        self.assertNotIn("LastUpdateTimestamp", d)
        self.assertEqual(d["DeliveryStreamEncryptionConfiguration"], {"Status": "DISABLED"})
        self.assertIn("DirectPutSourceDescription", d["Source"])
        self.assertIs(d["HasMoreDestinations"], False)
        self.assertEqual(len(d["Destinations"]), 1)
        dest = d["Destinations"][0]
        self.assertEqual(dest["DestinationId"], "destinationId-000000000001")
        for key in ("S3DestinationDescription", "ExtendedS3DestinationDescription"):
            desc = dest[key]
            self.assertEqual(desc["RoleARN"], ROLE)
            self.assertEqual(desc["BucketARN"], BUCKET)
            self.assertEqual(desc["Prefix"], "")
            self.assertEqual(desc["BufferingHints"], {"SizeInMBs": 5, "IntervalInSeconds": 300})
            self.assertEqual(desc["CompressionFormat"], "UNCOMPRESSED")
            self.assertEqual(desc["EncryptionConfiguration"], {"NoEncryptionConfig": "NoEncryption"})
            self.assertEqual(desc["CloudWatchLoggingOptions"], {"Enabled": False})
        self.assertEqual(dest["ExtendedS3DestinationDescription"]["S3BackupMode"], "Disabled")
        # Paging destinations: past the only one there is nothing.
        d = self.describe(name, ExclusiveStartDestinationId="destinationId-000000000001", Limit=1)
        self.assertEqual(d["Destinations"], [])
        self.assertIs(d["HasMoreDestinations"], False)

    def test_create_with_legacy_s3_configuration(self):
        name = self.create(S3DestinationConfiguration=s3_dest(
            Prefix="raw/", ErrorOutputPrefix="err/", CompressionFormat="GZIP",
            BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60},
            EncryptionConfiguration={"KMSEncryptionConfig": {
                "AWSKMSKeyARN": f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234"}}))
        dest = self.describe(name)["Destinations"][0]["S3DestinationDescription"]
        self.assertEqual(dest["Prefix"], "raw/")
        self.assertEqual(dest["ErrorOutputPrefix"], "err/")
        self.assertEqual(dest["CompressionFormat"], "GZIP")
        self.assertEqual(dest["BufferingHints"], {"SizeInMBs": 1, "IntervalInSeconds": 60})
        self.assertEqual(dest["EncryptionConfiguration"]["KMSEncryptionConfig"]["AWSKMSKeyARN"],
                         f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234")

    def test_create_full_extended_configuration(self):
        name = self.create(
            DirectPutSourceConfiguration={"ThroughputHintInMBs": 5},
            ExtendedS3DestinationConfiguration=s3_dest(
                Prefix="events/user=!{partitionKeyFromQuery:user}/!{timestamp:yyyy-MM-dd}/",
                ErrorOutputPrefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy}/",
                BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 60},
                CompressionFormat="HADOOP_SNAPPY",
                CloudWatchLoggingOptions={"Enabled": True, "LogGroupName": "g", "LogStreamName": "s"},
                ProcessingConfiguration=METADATA_EXTRACTION,
                DynamicPartitioningConfiguration={"Enabled": True, "RetryOptions": {"DurationInSeconds": 120}},
                DataFormatConversionConfiguration={"Enabled": False},
                FileExtension=".json.snappy",
                CustomTimeZone="Europe/Paris"))
        d = self.describe(name)
        self.assertEqual(d["Source"]["DirectPutSourceDescription"], {"ThroughputHintInMBs": 5})
        ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual(ext["ProcessingConfiguration"], METADATA_EXTRACTION)
        self.assertEqual(ext["DynamicPartitioningConfiguration"],
                         {"Enabled": True, "RetryOptions": {"DurationInSeconds": 120}})
        self.assertEqual(ext["CompressionFormat"], "HADOOP_SNAPPY")
        self.assertEqual(ext["FileExtension"], ".json.snappy")
        self.assertEqual(ext["CustomTimeZone"], "Europe/Paris")
        self.assertEqual(ext["CloudWatchLoggingOptions"], {"Enabled": True, "LogGroupName": "g", "LogStreamName": "s"})
        self.assertEqual(ext["DataFormatConversionConfiguration"], {"Enabled": False})
        self.assertEqual(ext["BufferingHints"], {"SizeInMBs": 64, "IntervalInSeconds": 60})

    def test_create_errors(self):
        name = self.create()
        self.assertError("ResourceInUseException", self.create, name,
                         message=f"Firehose {name} under accountId {ACCOUNT_ID} already exists.")
        n = unique_name("bad")
        inv = "InvalidArgumentException"
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n)  # no destination
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         S3DestinationConfiguration=s3_dest(), ExtendedS3DestinationConfiguration=s3_dest())
        msg = self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                               HttpEndpointDestinationConfiguration={
                                   "EndpointConfiguration": {"Url": "https://example.com"},
                                   "S3Configuration": s3_dest()})
        self.assertIn("only to S3", msg)
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n, DeliveryStreamType="MSKAsSource",
                         ExtendedS3DestinationConfiguration=s3_dest())
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         DeliveryStreamType="KinesisStreamAsSource", ExtendedS3DestinationConfiguration=s3_dest())
        msg = self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                               ExtendedS3DestinationConfiguration=s3_dest(ProcessingConfiguration={
                                   "Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
                                       {"ParameterName": "LambdaArn",
                                        "ParameterValue": "arn:aws:lambda:us-east-1:000000000000:function:f"}]}]}))
        self.assertIn("not supported", msg)
        bad_engine = json.loads(json.dumps(METADATA_EXTRACTION))
        bad_engine["Processors"][0]["Parameters"][1]["ParameterValue"] = "JQ-1.5"
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(
                             Prefix="!{partitionKeyFromQuery:user}/", ErrorOutputPrefix="e/",
                             ProcessingConfiguration=bad_engine,
                             DynamicPartitioningConfiguration={"Enabled": True}))
        # Dynamic partitioning: needs a partition key in Prefix; no zero buffering.
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(
                             Prefix="plain/", ErrorOutputPrefix="e/", ProcessingConfiguration=METADATA_EXTRACTION,
                             DynamicPartitioningConfiguration={"Enabled": True}))
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(
                             Prefix="!{partitionKeyFromQuery:user}/", ErrorOutputPrefix="e/",
                             BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 0},
                             ProcessingConfiguration=METADATA_EXTRACTION,
                             DynamicPartitioningConfiguration={"Enabled": True}))
        # Partition keys without dynamic partitioning; expressions without ErrorOutputPrefix.
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(Prefix="!{partitionKeyFromQuery:user}/",
                                                                    ErrorOutputPrefix="e/"))
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(Prefix="!{timestamp:yyyy}/"))
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(
                             DataFormatConversionConfiguration={"Enabled": True}))
        # What the model's patterns catch is a ValidationException from the router.
        self.assertError("ValidationException", self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "my-bucket"})
        self.assertError("ValidationException", self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration={"RoleARN": "role", "BucketARN": BUCKET})
        # Encryption input: a customer-managed key needs its ARN.
        self.assertError(inv, self.fh.create_delivery_stream, DeliveryStreamName=n,
                         ExtendedS3DestinationConfiguration=s3_dest(),
                         DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK"})
        # Nothing of the failed attempts exists.
        self.assertError("ResourceNotFoundException", self.describe, n)

    def test_create_with_encryption_and_tags(self):
        key = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/abcd"
        name = self.create(DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK",
                                                                       "KeyARN": key},
                           Tags=[{"Key": "team", "Value": "data"}, {"Key": "env"}])
        enc = self.describe(name)["DeliveryStreamEncryptionConfiguration"]
        self.assertEqual(enc, {"KeyARN": key, "KeyType": "CUSTOMER_MANAGED_CMK", "Status": "ENABLED"})
        tags = self.fh.list_tags_for_delivery_stream(DeliveryStreamName=name)
        self.assertEqual(tags["Tags"], [{"Key": "env", "Value": ""}, {"Key": "team", "Value": "data"}])
        self.assertIs(tags["HasMoreTags"], False)

    # -- ListDeliveryStreams -----------------------------------------------------

    def test_list_paging_and_type_filter(self):
        region = "ap-south-1"  # a region of its own, so other tests' streams do not show
        fh = firehose_client(self.server.endpoint, region)
        k = kinesis_client(self.server.endpoint, region)
        src = create_active(k)
        names = sorted(unique_name("ls") for _ in range(5))
        for i, n in enumerate(names):
            if i % 2:
                fh.create_delivery_stream(
                    DeliveryStreamName=n, DeliveryStreamType="KinesisStreamAsSource",
                    KinesisStreamSourceConfiguration={
                        "KinesisStreamARN": f"arn:aws:kinesis:{region}:{ACCOUNT_ID}:stream/{src}", "RoleARN": ROLE},
                    ExtendedS3DestinationConfiguration=s3_dest())
            else:
                fh.create_delivery_stream(DeliveryStreamName=n, ExtendedS3DestinationConfiguration=s3_dest())
        out = fh.list_delivery_streams()
        self.assertEqual(out["DeliveryStreamNames"], names)
        self.assertIs(out["HasMoreDeliveryStreams"], False)
        seen, start = [], None
        while True:
            kw = {"Limit": 2}
            if start:
                kw["ExclusiveStartDeliveryStreamName"] = start
            out = fh.list_delivery_streams(**kw)
            seen += out["DeliveryStreamNames"]
            self.assertLessEqual(len(out["DeliveryStreamNames"]), 2)
            if not out["HasMoreDeliveryStreams"]:
                break
            start = out["DeliveryStreamNames"][-1]
        self.assertEqual(seen, names)
        self.assertEqual(fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"],
                         names[1::2])
        self.assertEqual(fh.list_delivery_streams(DeliveryStreamType="DirectPut")["DeliveryStreamNames"], names[0::2])
        self.assertError("ValidationException", fh.list_delivery_streams, Limit=10001)

    # -- DeleteDeliveryStream ------------------------------------------------------

    def test_delete(self):
        name = self.create()
        self.fh.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
        msg = f"Firehose {name} under account {ACCOUNT_ID} not found."
        self.assertError("ResourceNotFoundException", self.describe, name, message=msg)
        self.assertError("ResourceNotFoundException", self.fh.delete_delivery_stream, DeliveryStreamName=name,
                         message=msg)
        self.assertNotIn(name, self.fh.list_delivery_streams(Limit=10000)["DeliveryStreamNames"])
        # The name can be used again, from scratch.
        self.create(name)
        self.assertEqual(self.describe(name)["VersionId"], "1")

    def test_not_found_everywhere(self):
        n = unique_name("none")
        msg = f"Firehose {n} under account {ACCOUNT_ID} not found."
        nf = "ResourceNotFoundException"
        self.assertError(nf, self.fh.put_record, DeliveryStreamName=n, Record={"Data": b"x"}, message=msg)
        self.assertError(nf, self.fh.put_record_batch, DeliveryStreamName=n, Records=[{"Data": b"x"}], message=msg)
        self.assertError(nf, self.fh.update_destination, DeliveryStreamName=n, CurrentDeliveryStreamVersionId="1",
                         DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={})
        self.assertError(nf, self.fh.tag_delivery_stream, DeliveryStreamName=n, Tags=[{"Key": "a"}])
        self.assertError(nf, self.fh.untag_delivery_stream, DeliveryStreamName=n, TagKeys=["a"])
        self.assertError(nf, self.fh.list_tags_for_delivery_stream, DeliveryStreamName=n)
        self.assertError(nf, self.fh.start_delivery_stream_encryption, DeliveryStreamName=n)
        self.assertError(nf, self.fh.stop_delivery_stream_encryption, DeliveryStreamName=n)

    # -- PutRecord / PutRecordBatch ---------------------------------------------

    def test_put_record_and_batch(self):
        name = self.create()
        r = self.fh.put_record(DeliveryStreamName=name, Record={"Data": b'{"a":1}\n'})
        self.assertIsInstance(r["RecordId"], str)
        self.assertTrue(r["RecordId"])
        self.assertIs(r["Encrypted"], False)
        out = self.fh.put_record_batch(DeliveryStreamName=name,
                                       Records=[{"Data": f"record {i}\n".encode()} for i in range(500)])
        self.assertEqual(out["FailedPutCount"], 0)
        self.assertIs(out["Encrypted"], False)
        self.assertEqual(len(out["RequestResponses"]), 500)
        ids = [e["RecordId"] for e in out["RequestResponses"]]
        self.assertEqual(len(set(ids + [r["RecordId"]])), 501)
        for e in out["RequestResponses"]:
            self.assertNotIn("ErrorCode", e)
        # An empty record and a record of exactly 1,000 KiB are fine.
        self.fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b""}, {"Data": b"x" * 1024000}])

    def test_put_limits(self):
        name = self.create()
        self.assertError("ValidationException", self.fh.put_record, DeliveryStreamName=name,
                         Record={"Data": b"x" * 1024001})
        self.assertError("ValidationException", self.fh.put_record_batch, DeliveryStreamName=name,
                         Records=[{"Data": b"x"}] * 501)
        self.assertError("ValidationException", self.fh.put_record_batch, DeliveryStreamName=name,
                         Records=[{"Data": b"x"}, {"Data": b"y" * 1024001}])
        self.assertError("InvalidArgumentException", self.fh.put_record_batch, DeliveryStreamName=name,
                         Records=[{"Data": b"z" * 1000000}] * 5)  # 5 MB > 4 MiB

    # -- UpdateDestination ---------------------------------------------------------

    def test_update_destination_versioning_and_merge(self):
        name = self.create(ExtendedS3DestinationConfiguration=s3_dest(
            Prefix="a/", ErrorOutputPrefix="e/", CompressionFormat="GZIP",
            BufferingHints={"SizeInMBs": 2, "IntervalInSeconds": 120}))
        d0 = self.describe(name)
        dest_id = d0["Destinations"][0]["DestinationId"]
        self.assertError("ConcurrentModificationException", self.fh.update_destination, DeliveryStreamName=name,
                         CurrentDeliveryStreamVersionId="7", DestinationId=dest_id,
                         ExtendedS3DestinationUpdate={"Prefix": "b/"})
        self.assertError("InvalidArgumentException", self.fh.update_destination, DeliveryStreamName=name,
                         CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000009",
                         ExtendedS3DestinationUpdate={"Prefix": "b/"})
        self.assertError("InvalidArgumentException", self.fh.update_destination, DeliveryStreamName=name,
                         CurrentDeliveryStreamVersionId="1", DestinationId=dest_id,
                         HttpEndpointDestinationUpdate={"EndpointConfiguration": {"Url": "https://x.example"}})
        time.sleep(0.01)
        self.fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1", DestinationId=dest_id,
                                   ExtendedS3DestinationUpdate={"BufferingHints": {"IntervalInSeconds": 0},
                                                                "CompressionFormat": "Snappy"})
        d1 = self.describe(name)
        self.assertEqual(d1["VersionId"], "2")
        self.assertIsInstance(d1["LastUpdateTimestamp"], datetime.datetime)
        self.assertGreater(d1["LastUpdateTimestamp"], d1["CreateTimestamp"])
        ext = d1["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual(ext["Prefix"], "a/")  # untouched
        self.assertEqual(ext["ErrorOutputPrefix"], "e/")
        self.assertEqual(ext["CompressionFormat"], "Snappy")
        self.assertEqual(ext["BufferingHints"], {"SizeInMBs": 2, "IntervalInSeconds": 0})
        # The legacy update shape merges into the same destination.
        self.fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="2", DestinationId=dest_id,
                                   S3DestinationUpdate={"Prefix": "c/"})
        d2 = self.describe(name)
        self.assertEqual(d2["VersionId"], "3")
        self.assertEqual(d2["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"], "c/")
        self.assertEqual(d2["Destinations"][0]["ExtendedS3DestinationDescription"]["CompressionFormat"], "Snappy")
        # A stale version is refused; an invalid result is refused without a version bump.
        self.assertError("ConcurrentModificationException", self.fh.update_destination, DeliveryStreamName=name,
                         CurrentDeliveryStreamVersionId="2", DestinationId=dest_id,
                         ExtendedS3DestinationUpdate={"Prefix": "d/"})
        self.assertError("InvalidArgumentException", self.fh.update_destination, DeliveryStreamName=name,
                         CurrentDeliveryStreamVersionId="3", DestinationId=dest_id,
                         ExtendedS3DestinationUpdate={"Prefix": "!{partitionKeyFromQuery:u}/",
                                                      "DynamicPartitioningConfiguration": {"Enabled": True}})
        self.assertEqual(self.describe(name)["VersionId"], "3")

    # -- Tags -----------------------------------------------------------------------

    def test_tags(self):
        name = self.create(Tags=[{"Key": "k00", "Value": "v"}])
        self.fh.tag_delivery_stream(DeliveryStreamName=name,
                                    Tags=[{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(1, 50)])
        self.fh.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "k00", "Value": "replaced"}])
        self.assertError("LimitExceededException", self.fh.tag_delivery_stream, DeliveryStreamName=name,
                         Tags=[{"Key": "k50", "Value": "x"}])
        got, start = [], None
        while True:
            kw = {"Limit": 7}
            if start:
                kw["ExclusiveStartTagKey"] = start
            out = self.fh.list_tags_for_delivery_stream(DeliveryStreamName=name, **kw)
            got += out["Tags"]
            if not out["HasMoreTags"]:
                break
            start = out["Tags"][-1]["Key"]
        self.assertEqual(len(got), 50)
        self.assertEqual(got[0], {"Key": "k00", "Value": "replaced"})
        self.assertEqual([t["Key"] for t in got], sorted(t["Key"] for t in got))
        self.fh.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["k00", "k01", "missing"])
        out = self.fh.list_tags_for_delivery_stream(DeliveryStreamName=name)
        self.assertEqual(len(out["Tags"]), 48)
        self.assertEqual(out["Tags"][0]["Key"], "k02")
        self.assertError("ValidationException", self.fh.tag_delivery_stream, DeliveryStreamName=name,
                         Tags=[{"Key": f"x{i}"} for i in range(51)])

    # -- Encryption -----------------------------------------------------------------

    def test_start_stop_encryption(self):
        name = self.create()
        self.fh.start_delivery_stream_encryption(DeliveryStreamName=name)
        self.assertEqual(self.describe(name)["DeliveryStreamEncryptionConfiguration"],
                         {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"})
        self.assertIs(self.fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"], True)
        self.assertIs(self.fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}])["Encrypted"], True)
        self.assertError("InvalidArgumentException", self.fh.start_delivery_stream_encryption,
                         DeliveryStreamName=name,
                         DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK"})
        key = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/k2"
        self.fh.start_delivery_stream_encryption(
            DeliveryStreamName=name,
            DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key})
        self.assertEqual(self.describe(name)["DeliveryStreamEncryptionConfiguration"],
                         {"KeyARN": key, "KeyType": "CUSTOMER_MANAGED_CMK", "Status": "ENABLED"})
        self.fh.stop_delivery_stream_encryption(DeliveryStreamName=name)
        self.assertEqual(self.describe(name)["DeliveryStreamEncryptionConfiguration"], {"Status": "DISABLED"})
        self.assertIs(self.fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"], False)
        self.fh.stop_delivery_stream_encryption(DeliveryStreamName=name)  # already off: fine

    # -- Kinesis stream as source -----------------------------------------------------

    def test_kinesis_stream_as_source(self):
        k = kinesis_client(self.server.endpoint)
        src = create_active(k, shards=2)
        src_arn = k.describe_stream_summary(StreamName=src)["StreamDescriptionSummary"]["StreamARN"]
        before = datetime.datetime.now(datetime.timezone.utc)
        name = self.create(DeliveryStreamType="KinesisStreamAsSource",
                           KinesisStreamSourceConfiguration={"KinesisStreamARN": src_arn, "RoleARN": ROLE})
        d = self.describe(name)
        self.assertEqual(d["DeliveryStreamType"], "KinesisStreamAsSource")
        ks = d["Source"]["KinesisStreamSourceDescription"]
        self.assertEqual(ks["KinesisStreamARN"], src_arn)
        self.assertEqual(ks["RoleARN"], ROLE)
        self.assertIsInstance(ks["DeliveryStartTimestamp"], datetime.datetime)
        self.assertLess(abs((ks["DeliveryStartTimestamp"] - before).total_seconds()), 5)
        msg = "This operation is not permitted on KinesisStreamAsSource delivery stream type."
        self.assertError("InvalidArgumentException", self.fh.put_record, DeliveryStreamName=name,
                         Record={"Data": b"x"}, message=msg)
        self.assertError("InvalidArgumentException", self.fh.put_record_batch, DeliveryStreamName=name,
                         Records=[{"Data": b"x"}], message=msg)
        self.assertError("InvalidArgumentException", self.fh.start_delivery_stream_encryption,
                         DeliveryStreamName=name)
        # Several delivery streams may read one stream.
        second = self.create(DeliveryStreamType="KinesisStreamAsSource",
                             KinesisStreamSourceConfiguration={"KinesisStreamARN": src_arn, "RoleARN": ROLE})
        self.assertEqual(self.describe(second)["DeliveryStreamStatus"], "ACTIVE")
        # The source must exist: in this account and in the ARN's region.
        for arn in (f"arn:aws:kinesis:us-east-1:{ACCOUNT_ID}:stream/{unique_name('nope')}",
                    f"arn:aws:kinesis:eu-central-1:{ACCOUNT_ID}:stream/{src}",
                    f"arn:aws:kinesis:us-east-1:111111111111:stream/{src}"):
            self.assertError("InvalidArgumentException", self.fh.create_delivery_stream,
                             DeliveryStreamName=unique_name("ks"), DeliveryStreamType="KinesisStreamAsSource",
                             KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": ROLE},
                             ExtendedS3DestinationConfiguration=s3_dest())
        # DirectPut with a Kinesis source configuration is contradictory.
        self.assertError("InvalidArgumentException", self.fh.create_delivery_stream,
                         DeliveryStreamName=unique_name("ks"),
                         KinesisStreamSourceConfiguration={"KinesisStreamARN": src_arn, "RoleARN": ROLE},
                         ExtendedS3DestinationConfiguration=s3_dest())

    # -- Regions ------------------------------------------------------------------------

    def test_region_isolation(self):
        west = firehose_client(self.server.endpoint, "eu-west-1")
        name = self.create()
        self.assertError("ResourceNotFoundException", west.describe_delivery_stream, DeliveryStreamName=name)
        self.assertNotIn(name, west.list_delivery_streams(Limit=10000)["DeliveryStreamNames"])
        west.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration=s3_dest(Prefix="west/"))
        dw = west.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        self.assertEqual(dw["DeliveryStreamARN"], f"arn:aws:firehose:eu-west-1:{ACCOUNT_ID}:deliverystream/{name}")
        self.assertEqual(dw["Destinations"][0]["S3DestinationDescription"]["Prefix"], "west/")
        self.assertEqual(self.describe(name)["Destinations"][0]["S3DestinationDescription"]["Prefix"], "")
        west.delete_delivery_stream(DeliveryStreamName=name)
        self.assertEqual(self.describe(name)["DeliveryStreamStatus"], "ACTIVE")

    # -- aws CLI v1 ---------------------------------------------------------------------

    def test_aws_cli(self):
        ep = self.server.endpoint
        name = unique_name("cli")
        _, out, _ = run_firehose_cli(ep, "create-delivery-stream", "--delivery-stream-name", name,
                                     "--extended-s3-destination-configuration",
                                     json.dumps(s3_dest(CompressionFormat="GZIP")))
        self.assertTrue(out["DeliveryStreamARN"].endswith(f"deliverystream/{name}"))
        _, out, _ = run_firehose_cli(ep, "describe-delivery-stream", "--delivery-stream-name", name)
        desc = out["DeliveryStreamDescription"]
        self.assertEqual(desc["DeliveryStreamStatus"], "ACTIVE")
        self.assertEqual(desc["Destinations"][0]["ExtendedS3DestinationDescription"]["CompressionFormat"], "GZIP")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"Data": "aGVsbG8K"}, {"Data": "d29ybGQK"}], f)  # CLI v1: blobs as base64 text
        try:
            _, out, _ = run_firehose_cli(ep, "put-record-batch", "--delivery-stream-name", name,
                                         "--records", f"file://{f.name}")
        finally:
            os.unlink(f.name)
        self.assertEqual(out["FailedPutCount"], 0)
        self.assertEqual(len(out["RequestResponses"]), 2)
        _, out, _ = run_firehose_cli(ep, "put-record", "--delivery-stream-name", name, "--record", "Data=aGkK")
        self.assertTrue(out["RecordId"])
        _, out, _ = run_firehose_cli(ep, "list-delivery-streams", "--limit", "10000")
        self.assertIn(name, out["DeliveryStreamNames"])
        run_firehose_cli(ep, "tag-delivery-stream", "--delivery-stream-name", name, "--tags", "Key=a,Value=b")
        _, out, _ = run_firehose_cli(ep, "list-tags-for-delivery-stream", "--delivery-stream-name", name)
        self.assertEqual(out["Tags"], [{"Key": "a", "Value": "b"}])
        run_firehose_cli(ep, "update-destination", "--delivery-stream-name", name,
                         "--current-delivery-stream-version-id", "1", "--destination-id", "destinationId-000000000001",
                         "--extended-s3-destination-update", json.dumps({"Prefix": "cli/"}))
        run_firehose_cli(ep, "delete-delivery-stream", "--delivery-stream-name", name)
        rc, _, err = run_firehose_cli(ep, "describe-delivery-stream", "--delivery-stream-name", name, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("ResourceNotFoundException", err)
        self.assertIn(f"Firehose {name} under account {ACCOUNT_ID} not found.", err)


class TestFirehoseTransitions(FirehoseApiBase):
    """CREATING -> ACTIVE and DELETING -> gone take --stream-transition-ms."""
    transition_ms = 600

    @classmethod
    def setUpClass(cls):
        skip_if_external("needs --stream-transition-ms")
        super().setUpClass()

    def test_creating_deleting_and_encryption_states(self):
        name = self.create()
        d = self.describe(name)
        self.assertEqual(d["DeliveryStreamStatus"], "CREATING")
        self.assertError("ResourceNotFoundException", self.fh.put_record, DeliveryStreamName=name,
                         Record={"Data": b"x"})
        self.assertError("ResourceInUseException", self.fh.delete_delivery_stream, DeliveryStreamName=name)
        self.assertError("ResourceInUseException", self.fh.update_destination, DeliveryStreamName=name,
                         CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
                         ExtendedS3DestinationUpdate={"Prefix": "x/"})
        self.assertError("ResourceInUseException", self.fh.start_delivery_stream_encryption, DeliveryStreamName=name)
        self.wait_status(name, "ACTIVE")
        self.fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
        self.fh.start_delivery_stream_encryption(DeliveryStreamName=name)
        self.assertEqual(self.describe(name)["DeliveryStreamEncryptionConfiguration"]["Status"], "ENABLING")
        deadline = time.monotonic() + 10
        while self.describe(name)["DeliveryStreamEncryptionConfiguration"]["Status"] != "ENABLED":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.fh.stop_delivery_stream_encryption(DeliveryStreamName=name)
        self.assertEqual(self.describe(name)["DeliveryStreamEncryptionConfiguration"]["Status"], "DISABLING")
        self.fh.delete_delivery_stream(DeliveryStreamName=name)
        self.assertEqual(self.describe(name)["DeliveryStreamStatus"], "DELETING")
        self.fh.delete_delivery_stream(DeliveryStreamName=name)  # again while DELETING: accepted
        self.assertError("ResourceNotFoundException", self.fh.put_record, DeliveryStreamName=name,
                         Record={"Data": b"x"})
        self.wait_status(name, None)


class TestFirehosePersistence(unittest.TestCase):
    """Delivery streams survive SIGKILL and restart with everything they had."""

    def setUp(self):
        skip_if_external("kills and restarts the server")
        self.server = start_server(transition_ms=0)

    def tearDown(self):
        self.server.cleanup()

    def test_survives_sigkill_and_restart(self):
        fh = firehose_client(self.server.endpoint)
        k = kinesis_client(self.server.endpoint)
        src = create_active(k)
        src_arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT_ID}:stream/{src}"
        fh.create_delivery_stream(DeliveryStreamName="direct", Tags=[{"Key": "t", "Value": "1"}],
                                  ExtendedS3DestinationConfiguration=s3_dest(Prefix="p/", CompressionFormat="ZIP"))
        fh.create_delivery_stream(DeliveryStreamName="fromk", DeliveryStreamType="KinesisStreamAsSource",
                                  KinesisStreamSourceConfiguration={"KinesisStreamARN": src_arn, "RoleARN": ROLE},
                                  S3DestinationConfiguration=s3_dest())
        firehose_client(self.server.endpoint, "eu-west-1").create_delivery_stream(
            DeliveryStreamName="direct", ExtendedS3DestinationConfiguration=s3_dest(Prefix="eu/"))
        fh.update_destination(DeliveryStreamName="direct", CurrentDeliveryStreamVersionId="1",
                              DestinationId="destinationId-000000000001",
                              ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
        fh.start_delivery_stream_encryption(DeliveryStreamName="direct")
        out = fh.put_record_batch(DeliveryStreamName="direct", Records=[{"Data": b"r%d" % i} for i in range(100)])
        self.assertEqual(out["FailedPutCount"], 0)
        fh.create_delivery_stream(DeliveryStreamName="gone", ExtendedS3DestinationConfiguration=s3_dest())
        fh.delete_delivery_stream(DeliveryStreamName="gone")
        before = {n: fh.describe_delivery_stream(DeliveryStreamName=n)["DeliveryStreamDescription"]
                  for n in ("direct", "fromk")}

        self.server.restart(kill=True)
        fh = firehose_client(self.server.endpoint)
        self.assertEqual(fh.list_delivery_streams()["DeliveryStreamNames"], ["direct", "fromk"])
        for n in ("direct", "fromk"):
            after = fh.describe_delivery_stream(DeliveryStreamName=n)["DeliveryStreamDescription"]
            self.assertEqual(after, before[n])
        d = before["direct"]
        self.assertEqual(d["VersionId"], "2")
        self.assertEqual(d["DeliveryStreamEncryptionConfiguration"]["Status"], "ENABLED")
        self.assertEqual(fh.list_tags_for_delivery_stream(DeliveryStreamName="direct")["Tags"],
                         [{"Key": "t", "Value": "1"}])
        eu = firehose_client(self.server.endpoint, "eu-west-1").describe_delivery_stream(
            DeliveryStreamName="direct")["DeliveryStreamDescription"]
        self.assertEqual(eu["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"], "eu/")
        # The spool holds the 100 acknowledged records (format: storage segments).
        spool = os.path.join(self.server.data_dir, "firehose", "us-east-1", "direct", "spool")
        self.assertTrue(os.path.isdir(spool))
        self.assertGreater(sum(os.path.getsize(os.path.join(spool, f)) for f in os.listdir(spool)), 100 * 2)
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "firehose", "us-east-1", "gone")))
        # Writable after the restart, and the version check continues from 2.
        self.assertEqual(fh.put_record(DeliveryStreamName="direct", Record={"Data": b"after"})["Encrypted"], True)
        fh.update_destination(DeliveryStreamName="direct", CurrentDeliveryStreamVersionId="2",
                              DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "q/"})
        self.assertEqual(self.server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
