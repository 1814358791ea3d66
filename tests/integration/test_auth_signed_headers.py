"""`sluice serve --auth=strict`: what a signature must cover (docs/auth.md).

Regression tests for an adversarial review of the verifier, each one a raw
request built with botocore's own signers against the real binary:
  * an unsigned x-amz-* header (x-amz-copy-source on a presigned PUT turned
    the upload into a copy from any bucket) is refused, in both forms;
  * the AWS JSON services (Kinesis, Firehose) need a signed payload and a
    signed x-amz-target;
  * '+' in a query string reads the same to the verifier and to the S3 API,
    so a URL signed for "a%2Bb" cannot be replayed as "a+b" ("a b").
Unmodified boto3 clients must keep working throughout."""

import http.client
import json
import os
import subprocess
import tempfile
import unittest
import urllib.request
from urllib.parse import urlparse

import boto3
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import harness

KEY, SECRET = "AKIDSIGNEDHEADERS", "signed-headers-secret"
REGION = "us-east-1"
NOT_SIGNED = "There were headers present in the request which were not signed"


def client(service, endpoint, **config):
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)
    if service == "s3":
        cfg["s3"] = {"addressing_style": "path"}
        cfg["signature_version"] = "s3v4"
    cfg.update(config)
    session = boto3.session.Session(aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION)
    return session.client(service, endpoint_url=endpoint, config=Config(**cfg))


def send(endpoint, method, target, body=b"", headers=None):
    """Sends exactly these headers (http.client adds Host and Content-Length
    only when absent); returns (status, lower-case headers, body)."""
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def xml_field(body, name):
    text = body.decode()
    start = f"<{name}>"
    return text.split(start, 1)[1].split(f"</{name}>", 1)[0] if start in text else None


def path_of(url):
    u = urlparse(url)
    return u.path + ("?" + u.query if u.query else "")


class UnsignedPayloadSigV4(SigV4Auth):
    """botocore's signer, told to sign UNSIGNED-PAYLOAD (as over HTTPS with
    payload signing off) instead of the body's hash."""

    def payload(self, request):
        return "UNSIGNED-PAYLOAD"


class TargetNotSignedSigV4(SigV4Auth):
    """botocore's signer leaving X-Amz-Target out of SignedHeaders."""

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        del headers["x-amz-target"]
        return headers


class SignedHeadersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.skip_if_external("starts its own server with --auth=strict")
        cls.dir = tempfile.mkdtemp(prefix="sluice-signed-headers-")
        creds = os.path.join(cls.dir, "credentials")
        with open(creds, "w") as f:
            f.write(f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n")
        cls.server = harness.start_server(extra_args=["--auth=strict", "--credentials-file", creds])
        cls.endpoint = cls.server.endpoint
        cls.host = urlparse(cls.endpoint).netloc
        cls.s3 = client("s3", cls.endpoint)
        cls.private = harness.unique_name("private").lower()
        cls.public = harness.unique_name("public").lower()
        for b in (cls.private, cls.public):
            cls.s3.create_bucket(Bucket=b)
        cls.s3.put_object(Bucket=cls.private, Key="payroll.csv", Body=b"alice,1000000\n")
        cls.kinesis = client("kinesis", cls.endpoint)
        cls.stream = harness.unique_name("signed")
        cls.kinesis.create_stream(StreamName=cls.stream, ShardCount=1)
        harness.wait_active(cls.kinesis, cls.stream)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        subprocess.run(["rm", "-rf", cls.dir])

    def exists(self, bucket, key):
        try:
            self.s3.head_object(Bucket=bucket, Key=key)
            return True
        except ClientError as e:
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 404, e.response)
            return False

    def assertNotSigned(self, reply, *names):
        status, _, body = reply
        self.assertEqual((status, xml_field(body, "Code")), (403, "AccessDenied"), body)
        self.assertEqual(xml_field(body, "Message"), NOT_SIGNED)
        self.assertEqual(xml_field(body, "HeadersNotSigned"), ", ".join(names))

    # ---- S3: every x-amz-* header must be signed
    def test_presigned_put_with_unsigned_copy_source_is_refused(self):
        url = self.s3.generate_presigned_url("put_object", Params={"Bucket": self.public, "Key": "upload.txt"},
                                             ExpiresIn=300)
        self.assertIn("X-Amz-SignedHeaders=host", url)
        reply = send(self.endpoint, "PUT", path_of(url), b"",
                     {"x-amz-copy-source": f"/{self.private}/payroll.csv"})
        self.assertNotSigned(reply, "x-amz-copy-source")
        self.assertFalse(self.exists(self.public, "upload.txt"))
        # The same URL without the extra header is the upload it was made for.
        status, _, body = send(self.endpoint, "PUT", path_of(url), b"meant to be uploaded")
        self.assertEqual(status, 200, body)
        got = self.s3.get_object(Bucket=self.public, Key="upload.txt")["Body"].read()
        self.assertEqual(got, b"meant to be uploaded")
        # Presigned GETs: an unsigned x-amz-* header is refused there too.
        get = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.public, "Key": "upload.txt"},
                                             ExpiresIn=300)
        with urllib.request.urlopen(get, timeout=30) as r:
            self.assertEqual(r.read(), b"meant to be uploaded")
        self.assertNotSigned(send(self.endpoint, "GET", path_of(get), b"",
                                  {"X-Amz-Request-Payer": "requester", "x-amz-expected-bucket-owner": "1"}),
                             "x-amz-request-payer", "x-amz-expected-bucket-owner")

    def test_header_signed_put_with_unsigned_amz_headers_is_refused(self):
        url = f"{self.endpoint}/{self.public}/header-signed.txt"
        req = AWSRequest(method="PUT", url=url, data=b"signed body")
        S3SigV4Auth(Credentials(KEY, SECRET), "s3", REGION).add_auth(req)
        signed = dict(req.headers.items())
        self.assertIn("x-amz-content-sha256", signed["Authorization"])
        for extra, name in (({"x-amz-copy-source": f"/{self.private}/payroll.csv"}, "x-amz-copy-source"),
                            ({"X-Amz-Meta-Owner": "mallory"}, "x-amz-meta-owner"),
                            ({"x-amz-acl": "public-read"}, "x-amz-acl")):
            reply = send(self.endpoint, "PUT", f"/{self.public}/header-signed.txt", b"signed body",
                         {**signed, **extra})
            self.assertNotSigned(reply, name)
            self.assertFalse(self.exists(self.public, "header-signed.txt"))
        status, _, body = send(self.endpoint, "PUT", f"/{self.public}/header-signed.txt", b"signed body", signed)
        self.assertEqual(status, 200, body)

    def test_boto3_copy_signs_its_copy_source(self):
        self.s3.copy_object(Bucket=self.public, Key="copied.csv",
                            CopySource={"Bucket": self.private, "Key": "payroll.csv"},
                            Metadata={"owner": "payroll"}, MetadataDirective="REPLACE")
        got = self.s3.get_object(Bucket=self.public, Key="copied.csv")
        self.assertEqual(got["Body"].read(), b"alice,1000000\n")
        self.assertEqual(got["Metadata"], {"owner": "payroll"})

    # ---- S3: one decoding of '+' in a query string
    def test_signed_plus_cannot_be_replayed_as_a_space(self):
        for key in ("a+b/one", "a b/two"):
            self.s3.put_object(Bucket=self.public, Key=key, Body=b"x")
        url = self.s3.generate_presigned_url("list_objects_v2", Params={"Bucket": self.public, "Prefix": "a+b"},
                                             ExpiresIn=300)
        self.assertIn("prefix=a%2Bb", url)
        status, _, body = send(self.endpoint, "GET", path_of(url))
        self.assertEqual(status, 200, body)
        # (boto3 asks for encoding-type=url: keys come back percent-encoded.)
        self.assertIn(b"<KeyCount>1</KeyCount>", body)
        self.assertIn(b"<Key>a%2Bb/one</Key>", body)
        replay = path_of(url).replace("prefix=a%2Bb", "prefix=a+b")
        status, _, body = send(self.endpoint, "GET", replay)
        self.assertEqual((status, xml_field(body, "Code")), (403, "SignatureDoesNotMatch"), body)
        # A space signed as %20 (every SDK) and sent as '+' is the same value.
        url = self.s3.generate_presigned_url("list_objects_v2", Params={"Bucket": self.public, "Prefix": "a b"},
                                             ExpiresIn=300)
        self.assertIn("prefix=a%20b", url)
        status, _, body = send(self.endpoint, "GET", path_of(url).replace("prefix=a%20b", "prefix=a+b"))
        self.assertEqual(status, 200, body)
        self.assertIn(b"<KeyCount>1</KeyCount>", body)
        self.assertIn(b"<Key>a%20b/two</Key>", body)
        # boto3 itself, with both prefixes.
        for prefix, key in (("a+b", "a+b/one"), ("a b", "a b/two")):
            keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.public, Prefix=prefix)["Contents"]]
            self.assertEqual(keys, [key])

    # ---- AWS JSON services: signed payload, signed X-Amz-Target, no unsigned x-amz-*
    def kinesis_request(self, target, body, signer=SigV4Auth, service="kinesis", headers=None):
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, **(headers or {})}
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=body, headers=headers)
        signer(Credentials(KEY, SECRET), service, REGION).add_auth(req)
        return dict(req.headers.items())

    def json_error(self, reply):
        status, _, body = reply
        doc = json.loads(body)
        return status, doc.get("__type"), doc.get("message") or doc.get("Message")

    def test_kinesis_unsigned_payload_is_refused(self):
        body = json.dumps({"StreamName": self.stream, "Data": "Zm9yZ2Vk", "PartitionKey": "p"}).encode()
        headers = self.kinesis_request("Kinesis_20131202.PutRecord", body, UnsignedPayloadSigV4,
                                       headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
        self.assertIn("x-amz-content-sha256", headers["Authorization"])
        status, code, message = self.json_error(send(self.endpoint, "POST", "/", body, headers))
        self.assertEqual((status, code), (400, "InvalidSignatureException"), message)
        self.assertIn("payload must be signed", message)
        it = self.kinesis.get_shard_iterator(StreamName=self.stream, ShardId="shardId-000000000000",
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertNotIn(b"forged", [r["Data"] for r in self.kinesis.get_records(ShardIterator=it)["Records"]])

    def test_kinesis_unsigned_target_is_refused(self):
        body = json.dumps({"StreamName": self.stream}).encode()
        headers = self.kinesis_request("Kinesis_20131202.DescribeStreamSummary", body, TargetNotSignedSigV4)
        self.assertNotIn("x-amz-target", headers["Authorization"])
        status, code, message = self.json_error(send(self.endpoint, "POST", "/", body, headers))
        self.assertEqual((status, code), (400, "IncompleteSignatureException"), message)
        self.assertIn("'x-amz-target' must be a 'SignedHeader'", message)
        # The signed request itself is fine.
        headers = self.kinesis_request("Kinesis_20131202.DescribeStreamSummary", body)
        status, _, reply = send(self.endpoint, "POST", "/", body, headers)
        self.assertEqual(status, 200, reply)

    def test_json_services_refuse_unsigned_amz_headers(self):
        body = b"{}"
        for service, target in (("kinesis", "Kinesis_20131202.ListStreams"),
                                ("firehose", "Firehose_20150804.ListDeliveryStreams")):
            headers = self.kinesis_request(target, body, service=service)
            status, _, reply = send(self.endpoint, "POST", "/", body, headers)
            self.assertEqual(status, 200, reply)
            status, code, message = self.json_error(
                send(self.endpoint, "POST", "/", body, {**headers, "X-Amz-Extra": "1"}))
            self.assertEqual((status, code), (400, "InvalidSignatureException"), message)
            self.assertEqual(message, NOT_SIGNED + ": x-amz-extra")
            # x-amzn-* (the trace id botocore leaves unsigned) is another prefix.
            status, _, reply = send(self.endpoint, "POST", "/", body, {**headers, "X-Amzn-Trace-Id": "Root=1"})
            self.assertEqual(status, 200, reply)

    def test_boto3_clients_still_work(self):
        self.kinesis.put_record(StreamName=self.stream, Data=b"boto3", PartitionKey="p")
        client("firehose", self.endpoint).list_delivery_streams()
        self.s3.put_object(Bucket=self.public, Key="boto3.txt", Body=b"b", Metadata={"k": "v"},
                           ContentType="text/plain")
        self.assertEqual(self.s3.get_object(Bucket=self.public, Key="boto3.txt")["Metadata"], {"k": "v"})

    def test_aws_cli_s3_commands(self):
        # The aws CLI's S3 commands send x-amz-* headers of every kind
        # (multipart, copy source, metadata, storage class): all signed.
        env = harness.aws_cli_env()
        env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION=REGION)

        def aws(*args):
            proc = subprocess.run(["aws", "--endpoint-url", self.endpoint, *args], capture_output=True, text=True,
                                  env=env, timeout=300)
            self.assertEqual(proc.returncode, 0, (args, proc.stderr))
            return proc.stdout

        big = os.path.join(self.dir, "big.bin")
        with open(big, "wb") as f:
            f.write(os.urandom(9 << 20))  # over the CLI's 8 MiB multipart threshold
        aws("s3", "cp", big, f"s3://{self.public}/cli/big.bin", "--metadata", "who=cli",
            "--storage-class", "STANDARD")
        aws("s3api", "put-object", "--bucket", self.public, "--key", "cli/meta.txt", "--metadata", "a=b",
            "--content-type", "text/plain")
        # (A small copy: UploadPartCopy, which the CLI uses above 8 MiB, is not implemented.)
        aws("s3", "cp", f"s3://{self.public}/cli/meta.txt", f"s3://{self.public}/cli/copy.txt")
        listing = aws("s3", "ls", f"s3://{self.public}/cli/")
        for name in ("big.bin", "copy.txt", "meta.txt"):
            self.assertIn(name, listing)
        url = aws("s3", "presign", f"s3://{self.public}/cli/meta.txt").strip()
        with urllib.request.urlopen(url, timeout=30) as r:
            self.assertEqual(r.status, 200)
        self.assertEqual(self.s3.head_object(Bucket=self.public, Key="cli/big.bin")["ContentLength"], 9 << 20)
        self.assertEqual(self.s3.head_object(Bucket=self.public, Key="cli/copy.txt")["Metadata"], {"a": "b"})


if __name__ == "__main__":
    unittest.main()
