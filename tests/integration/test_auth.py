"""`sluice serve --auth=strict`: SigV4 verification with unmodified boto3, the
aws CLI, hand-built requests and the project's own C++ client.

One strict server (credentials file with two profiles) serves most tests;
the startup tests run the binary briefly without ever listening on a
non-loopback address."""

import datetime
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from unittest import mock
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness

KEY1, SECRET1 = "AKIDSLUICEONE", "first-secret/+x"
KEY2, SECRET2 = "AKIDSLUICETWO", "second-secret"
REGION = "us-east-1"
CREDENTIALS = (f"[default]\naws_access_key_id = {KEY1}\naws_secret_access_key = {SECRET1}\n\n"
               f"[ci]\naws_access_key_id={KEY2}\naws_secret_access_key={SECRET2}\n\n"
               "[incomplete]\naws_access_key_id = AKIDHALF\n")
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def client(service, endpoint, key=KEY1, secret=SECRET1, **config):
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)
    if service == "s3":
        cfg["s3"] = {"addressing_style": "path"}
    cfg.update(config)
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION)
    return session.client(service, endpoint_url=endpoint, config=Config(**cfg))


def skewed(minutes):
    """Makes botocore sign as if the clock were `minutes` off."""
    real = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return mock.patch("botocore.auth.get_current_datetime",
                      lambda *a, **k: real + datetime.timedelta(minutes=minutes))


def wait_for_log(server, text, timeout=10.0):
    """The server log once it contains `text` (stdout is copied to it by a thread)."""
    deadline = time.monotonic() + timeout
    while True:
        with open(server.log_path) as f:
            log = f.read()
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def raw(endpoint, method, path, body=b"", headers=None):
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def xml_code(body):
    text = body.decode()
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else None


def signing_key(secret, date, service="s3"):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (REGION, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def chunked_put(endpoint, path, chunks, secret=SECRET1, corrupt_chunk=None):
    """A PUT with STREAMING-AWS4-HMAC-SHA256-PAYLOAD, built by hand following
    AWS's chunk-signing algorithm: the seed signature signs the headers, each
    chunk's signature signs the previous signature and the chunk's SHA-256."""
    host = urlparse(endpoint).netloc
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    scope = f"{date}/{REGION}/s3/aws4_request"
    key = signing_key(secret, date)
    payload = b"".join(chunks)
    # Size of the encoded body: every chunk (and the final empty one) carries
    # "<hex>;chunk-signature=<64>\r\n<data>\r\n".
    encoded_len = sum(len(f"{len(c):x}") + 17 + 64 + 2 + len(c) + 2 for c in list(chunks) + [b""])
    headers = {"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
               "content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(payload)),
               "content-length": str(encoded_len)}
    names = sorted(headers)
    canonical = "\n".join(["PUT", path, "", *[f"{n}:{headers[n]}" for n in names], "", ";".join(names),
                           "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    previous = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={KEY1}/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={previous}")
    body = b""
    for i, c in enumerate(list(chunks) + [b""]):
        chunk_sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY_SHA,
                               hashlib.sha256(c).hexdigest()])
        previous = hmac.new(key, chunk_sts.encode(), hashlib.sha256).hexdigest()
        sig = previous if i != corrupt_chunk else ("0" if previous[0] != "0" else "1") + previous[1:]
        body += f"{len(c):x};chunk-signature={sig}\r\n".encode() + c + b"\r\n"
    assert len(body) == encoded_len
    return raw(endpoint, "PUT", path, body, headers)


def unsigned_trailer_put(endpoint, path, chunks, secret=SECRET1):
    """A signed PUT whose aws-chunked body is unsigned and ends with a
    checksum trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what newer SDKs send
    over HTTPS)."""
    import base64
    import zlib
    host = urlparse(endpoint).netloc
    payload = b"".join(chunks)
    crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
    body = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks)
    body += f"0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    headers = {"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(payload)),
               "x-amz-trailer": "x-amz-checksum-crc32"}
    names = sorted(headers)
    canonical = "\n".join(["PUT", path, "", *[f"{n}:{headers[n]}" for n in names], "", ";".join(names),
                           "STREAMING-UNSIGNED-PAYLOAD-TRAILER"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    sig = hmac.new(signing_key(secret, amz_date[:8]), sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={KEY1}/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={sig}")
    return raw(endpoint, "PUT", path, body, headers)


class StrictServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.skip_if_external("starts its own server with --auth=strict")
        cls.dir = tempfile.mkdtemp(prefix="sluice-auth-")
        cls.creds = os.path.join(cls.dir, "credentials")
        with open(cls.creds, "w") as f:
            f.write(CREDENTIALS)
        cls.server = harness.start_server(extra_args=["--auth=strict", "--credentials-file", cls.creds])
        cls.endpoint = cls.server.endpoint
        cls.kinesis = client("kinesis", cls.endpoint)
        cls.stream = harness.unique_name("auth")
        cls.kinesis.create_stream(StreamName=cls.stream, ShardCount=1)
        harness.wait_active(cls.kinesis, cls.stream)
        cls.s3 = client("s3", cls.endpoint)
        cls.bucket = harness.unique_name("auth-bucket").lower()
        cls.s3.create_bucket(Bucket=cls.bucket)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        subprocess.run(["rm", "-rf", cls.dir])

    def records(self):
        it = self.kinesis.get_shard_iterator(StreamName=self.stream, ShardId="shardId-000000000000",
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return [r["Data"] for r in self.kinesis.get_records(ShardIterator=it)["Records"]]

    def assertJsonError(self, ctx, code, status=400):
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        return err["Error"]["Message"]

    def assertS3Error(self, ctx, code, status):
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)

    # ---- startup
    def test_startup_prints_the_mode(self):
        text = f"auth: strict (2 access keys from {self.creds})"
        self.assertIn(text, wait_for_log(self.server, text))

    # ---- Kinesis
    def test_kinesis_both_profiles_work(self):
        self.kinesis.put_record(StreamName=self.stream, Data=b"from-one", PartitionKey="p")
        client("kinesis", self.endpoint, KEY2, SECRET2).put_record(StreamName=self.stream, Data=b"from-two",
                                                                  PartitionKey="p")
        data = self.records()
        self.assertIn(b"from-one", data)
        self.assertIn(b"from-two", data)

    def test_kinesis_wrong_secret_is_rejected_and_not_stored(self):
        bad = client("kinesis", self.endpoint, KEY1, "not-the-secret")
        with self.assertRaises(ClientError) as ctx:
            bad.put_record(StreamName=self.stream, Data=b"forged-wrong-secret", PartitionKey="p")
        msg = self.assertJsonError(ctx, "InvalidSignatureException")
        self.assertTrue(msg.startswith("The request signature we calculated does not match"), msg)
        self.assertNotIn(b"forged-wrong-secret", self.records())

    def test_kinesis_unknown_key(self):
        with self.assertRaises(ClientError) as ctx:
            client("kinesis", self.endpoint, "AKIDNOBODY", SECRET1).put_record(
                StreamName=self.stream, Data=b"forged-unknown-key", PartitionKey="p")
        msg = self.assertJsonError(ctx, "UnrecognizedClientException")
        self.assertEqual(msg, "The security token included in the request is invalid.")
        self.assertNotIn(b"forged-unknown-key", self.records())
        # A profile without a secret in the file is not a usable key either.
        with self.assertRaises(ClientError) as ctx:
            client("kinesis", self.endpoint, "AKIDHALF", "x").list_streams()
        self.assertJsonError(ctx, "UnrecognizedClientException")

    def test_kinesis_no_auth(self):
        body = json.dumps({"StreamName": self.stream, "Data": "Zm9yZ2Vk", "PartitionKey": "p"})
        r = harness.raw_request(self.endpoint, "PutRecord", body, sign=False)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_type, "MissingAuthenticationTokenException")
        self.assertEqual(r.message, "Missing Authentication Token")
        self.assertNotIn(b"forged", self.records())
        # Authentication is checked before anything else about the request.
        r = harness.raw_request(self.endpoint, "ListStreams", "not json", sign=False, method="GET")
        self.assertEqual((r.status, r.error_type), (400, "MissingAuthenticationTokenException"), r)

    def test_kinesis_incomplete_signature(self):
        r = harness.raw_request(self.endpoint, "ListStreams", "{}", sign=False,
                                extra_headers={"Authorization": "AWS4-HMAC-SHA256 Credential=" + KEY1,
                                               "X-Amz-Date": "20260101T000000Z"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_type, "IncompleteSignatureException")
        self.assertIn("Authorization header requires 'Signature' parameter.", r.message)

    def test_kinesis_skewed_clock(self):
        for minutes, words in ((-20, "Signature expired: "), (20, "Signature not yet current: ")):
            with skewed(minutes), self.assertRaises(ClientError) as ctx:
                self.kinesis.list_streams()
            msg = self.assertJsonError(ctx, "InvalidSignatureException")
            self.assertTrue(msg.startswith(words), msg)
            self.assertTrue(msg.endswith(" 15 min.)"), msg)
        with skewed(-10):  # inside the window
            self.kinesis.list_streams()

    # ---- Firehose
    def test_firehose(self):
        fh = client("firehose", self.endpoint)
        name = harness.unique_name("auth-fh")
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration={
                                      "RoleARN": "arn:aws:iam::000000000000:role/firehose",
                                      "BucketARN": "arn:aws:s3:::" + self.bucket})
        self.assertIn(name, fh.list_delivery_streams()["DeliveryStreamNames"])
        with self.assertRaises(ClientError) as ctx:
            client("firehose", self.endpoint, KEY1, "wrong").list_delivery_streams()
        self.assertJsonError(ctx, "InvalidSignatureException")
        with self.assertRaises(ClientError) as ctx:
            client("firehose", self.endpoint, "AKIDNOBODY", "x").list_delivery_streams()
        self.assertJsonError(ctx, "UnrecognizedClientException")
        r = harness.raw_request(self.endpoint, "Firehose_20150804.ListDeliveryStreams", "{}", sign=False)
        self.assertEqual(r.error_type, "MissingAuthenticationTokenException")
        # Credentials scoped to kinesis are not valid for firehose.
        r = harness.raw_request(self.endpoint, "Firehose_20150804.ListDeliveryStreams", "{}")
        self.assertEqual(r.status, 400)
        self.assertIn(r.error_type, ("InvalidSignatureException", "UnrecognizedClientException"))

    # ---- S3
    def test_s3_right_keys(self):
        self.s3.put_object(Bucket=self.bucket, Key="dir/hello world+1.txt", Body=b"hello")
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="dir/hello world+1.txt")["Body"].read(), b"hello")
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.bucket, Prefix="dir/")["Contents"]]
        self.assertIn("dir/hello world+1.txt", keys)

    def test_s3_wrong_secret_creates_nothing(self):
        with self.assertRaises(ClientError) as ctx:
            client("s3", self.endpoint, KEY1, "wrong").put_object(Bucket=self.bucket, Key="forged", Body=b"x")
        self.assertS3Error(ctx, "SignatureDoesNotMatch", 403)
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_object(Bucket=self.bucket, Key="forged")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_s3_unknown_key(self):
        with self.assertRaises(ClientError) as ctx:
            client("s3", self.endpoint, "AKIDNOBODY", "x").put_object(Bucket=self.bucket, Key="forged2", Body=b"x")
        self.assertS3Error(ctx, "InvalidAccessKeyId", 403)
        self.assertEqual(ctx.exception.response["Error"]["AWSAccessKeyId"], "AKIDNOBODY")
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket=self.bucket, Key="forged2")

    def test_s3_no_auth(self):
        status, _, body = raw(self.endpoint, "PUT", f"/{self.bucket}/anonymous", b"x")
        self.assertEqual((status, xml_code(body)), (403, "AccessDenied"))
        status, _, body = raw(self.endpoint, "GET", "/")
        self.assertEqual((status, xml_code(body)), (403, "AccessDenied"))
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket=self.bucket, Key="anonymous")

    def test_s3_skewed_clock(self):
        with skewed(-20), self.assertRaises(ClientError) as ctx:
            self.s3.list_buckets()
        self.assertS3Error(ctx, "RequestTimeTooSkewed", 403)
        self.assertEqual(ctx.exception.response["Error"]["MaxAllowedSkewMilliseconds"], "900000")

    def check_presigned(self, s3, mock_clock):
        params = {"Bucket": self.bucket, "Key": "shared.txt"}
        url = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
        with urllib.request.urlopen(url, timeout=30) as r:
            self.assertEqual(r.read(), b"presigned body")
        # Tampered: another key under the same signature, or a changed last parameter.
        for bad in (url.replace("shared.txt", "shared.txy"), url[:-1] + ("0" if url[-1] != "0" else "1")):
            with self.assertRaises(urllib.error.HTTPError) as ctx:
                urllib.request.urlopen(bad, timeout=30)
            self.assertEqual(ctx.exception.code, 403)
            self.assertEqual(xml_code(ctx.exception.read()), "SignatureDoesNotMatch")
        # Expired: signed ten minutes ago for one minute.
        with mock_clock:
            old = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(old, timeout=30)
        self.assertEqual(ctx.exception.code, 403)
        body = ctx.exception.read().decode()
        self.assertIn("<Code>AccessDenied</Code>", body)
        self.assertIn("Request has expired", body)
        return url

    def test_s3_presigned_get(self):
        self.s3.put_object(Bucket=self.bucket, Key="shared.txt", Body=b"presigned body")
        # boto3's default for presigning is S3's signature version 2 ...
        url = self.check_presigned(self.s3, mock.patch("botocore.auth.time.time", return_value=time.time() - 600))
        self.assertIn("AWSAccessKeyId=", url)
        # ... and with signature_version="s3v4", SigV4 query parameters.
        v4 = client("s3", self.endpoint, signature_version="s3v4")
        url = self.check_presigned(v4, skewed(-10))
        self.assertIn("X-Amz-Signature=", url)

    def test_s3_streaming_signed_chunks(self):
        chunks = [b"a" * 8192, b"b" * 1000]
        status, _, body = chunked_put(self.endpoint, f"/{self.bucket}/chunked.bin", chunks)
        self.assertEqual(status, 200, body)
        got = self.s3.get_object(Bucket=self.bucket, Key="chunked.bin")
        self.assertEqual(got["Body"].read(), b"".join(chunks))
        self.assertNotIn("aws-chunked", got.get("ContentEncoding", ""))
        for corrupt in (0, 2):  # a data chunk, the final empty chunk
            status, _, body = chunked_put(self.endpoint, f"/{self.bucket}/chunked-bad-{corrupt}.bin", chunks,
                                          corrupt_chunk=corrupt)
            self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"), body)
            with self.assertRaises(ClientError):
                self.s3.head_object(Bucket=self.bucket, Key=f"chunked-bad-{corrupt}.bin")
        status, _, body = chunked_put(self.endpoint, f"/{self.bucket}/chunked-wrong.bin", chunks, secret="wrong")
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"), body)

    def test_s3_streaming_unsigned_trailer(self):
        chunks = [b"c" * 5000, b"d" * 10]
        status, _, body = unsigned_trailer_put(self.endpoint, f"/{self.bucket}/trailer.bin", chunks)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="trailer.bin")["Body"].read(), b"".join(chunks))
        status, _, body = unsigned_trailer_put(self.endpoint, f"/{self.bucket}/trailer-bad.bin", chunks,
                                               secret="wrong")
        self.assertEqual((status, xml_code(body)), (403, "SignatureDoesNotMatch"), body)
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket=self.bucket, Key="trailer-bad.bin")

    def test_s3_content_sha_must_match_body(self):
        host = urlparse(self.endpoint).netloc
        amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        claimed = hashlib.sha256(b"claimed").hexdigest()
        headers = {"host": host, "x-amz-content-sha256": claimed, "x-amz-date": amz_date}
        names = sorted(headers)
        canonical = "\n".join(["PUT", f"/{self.bucket}/sha", "", *[f"{n}:{headers[n]}" for n in names], "",
                               ";".join(names), claimed])
        scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        sig = hmac.new(signing_key(SECRET1, amz_date[:8]), sts.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={KEY1}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={sig}")
        status, _, body = raw(self.endpoint, "PUT", f"/{self.bucket}/sha", b"actual", headers)
        self.assertEqual((status, xml_code(body)), (400, "XAmzContentSHA256Mismatch"), body)
        status, _, body = raw(self.endpoint, "PUT", f"/{self.bucket}/sha", b"claimed", headers)
        self.assertEqual(status, 200, body)

    # ---- the aws CLI and the C++ client
    def cli_env(self):
        env = harness.aws_cli_env()
        env.update(AWS_ACCESS_KEY_ID=KEY2, AWS_SECRET_ACCESS_KEY=SECRET2, AWS_REGION=REGION,
                   AWS_DEFAULT_REGION=REGION)
        return env

    def test_aws_cli(self):
        proc = subprocess.run(["aws", "--endpoint-url", self.endpoint, "--output", "json", "kinesis",
                               "list-streams"], capture_output=True, text=True, env=self.cli_env(), timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(self.stream, json.loads(proc.stdout)["StreamNames"])
        path = os.path.join(self.dir, "upload.txt")
        with open(path, "wb") as f:
            f.write(b"via the aws cli\n" * 1000)
        proc = subprocess.run(["aws", "--endpoint-url", self.endpoint, "s3", "cp", path,
                               f"s3://{self.bucket}/cli/upload.txt"],
                              capture_output=True, text=True, env=self.cli_env(), timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = self.s3.get_object(Bucket=self.bucket, Key="cli/upload.txt")["Body"].read()
        self.assertEqual(got, b"via the aws cli\n" * 1000)
        env = self.cli_env()
        env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        proc = subprocess.run(["aws", "--endpoint-url", self.endpoint, "kinesis", "list-streams"],
                              capture_output=True, text=True, env=env, timeout=120)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("InvalidSignatureException", proc.stderr)

    def test_sluice_produce_and_consume(self):
        binary = harness.find_binary()
        stream = harness.unique_name("auth-pc")
        env = self.cli_env()
        summary = os.path.join(self.dir, "produce.json")
        proc = subprocess.run([binary, "produce", "--stream-name", stream, "--endpoint-url", self.endpoint,
                               "--create-stream", "--shard-count", "1", "--count", "200", "--quiet",
                               "--summary-json", summary], capture_output=True, text=True, env=env,
                              cwd=self.dir, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = os.path.join(self.dir, "consumed.ndjson")
        proc = subprocess.run([binary, "consume", "--stream-name", stream, "--endpoint-url", self.endpoint,
                               "--checkpoint-db", os.path.join(self.dir, "c.db"), "--output", out, "--quiet",
                               "--idle-exit", "2"], capture_output=True, text=True, env=env, cwd=self.dir,
                              timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read().count(b"\n"), 200)
        env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        proc = subprocess.run([binary, "produce", "--stream-name", stream, "--endpoint-url", self.endpoint,
                               "--count", "5", "--quiet"], capture_output=True, text=True, env=env, cwd=self.dir,
                              timeout=300)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("InvalidSignatureException", proc.stderr + proc.stdout)


class ModesTest(unittest.TestCase):
    def setUp(self):
        harness.skip_if_external("starts its own servers")
        self.dir = tempfile.mkdtemp(prefix="sluice-auth-modes-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.dir]))

    def run_serve(self, *args):
        """Runs `serve` expecting it to refuse to start (it never gets to listen)."""
        proc = subprocess.run([harness.find_binary(), "serve", "--port", "0", "--data-dir",
                               os.path.join(self.dir, "data"), *args],
                              capture_output=True, text=True, timeout=30)
        return proc

    def test_non_loopback_default_is_strict_and_needs_credentials(self):
        proc = self.run_serve("--host", "0.0.0.0")
        self.assertEqual(proc.returncode, 2, proc)
        self.assertIn("--auth=auto on a non-loopback --host", proc.stderr)
        self.assertIn("--credentials-file", proc.stderr)
        self.assertNotIn("listening", proc.stdout)

    def test_strict_without_usable_credentials_fails(self):
        proc = self.run_serve("--host", "127.0.0.1", "--auth=strict")
        self.assertEqual(proc.returncode, 2, proc)
        self.assertIn("needs --credentials-file", proc.stderr)
        empty = os.path.join(self.dir, "empty")
        with open(empty, "w") as f:
            f.write("[default]\naws_access_key_id = AKIDONLY\n")
        proc = self.run_serve("--host", "127.0.0.1", "--auth=strict", "--credentials-file", empty)
        self.assertEqual(proc.returncode, 2, proc)
        self.assertIn("has no profile with both aws_access_key_id and aws_secret_access_key", proc.stderr)
        proc = self.run_serve("--host", "127.0.0.1", "--auth=strict", "--credentials-file",
                              os.path.join(self.dir, "missing"))
        self.assertEqual(proc.returncode, 2, proc)

    def test_off_accepts_anything(self):
        server = harness.start_server(extra_args=["--auth=off"])
        self.addCleanup(server.cleanup)
        self.assertIn("auth: off", wait_for_log(server, "auth: off"))
        r = harness.raw_request(server.endpoint, "ListStreams", "{}", sign=False)
        self.assertEqual(r.status, 200, r)
        client("kinesis", server.endpoint, "AKIDANY", "any-secret").list_streams()
        s3 = client("s3", server.endpoint, "AKIDANY", "any-secret")
        s3.create_bucket(Bucket="auth-off")
        chunks = [b"x" * 100]
        status, _, body = chunked_put(server.endpoint, "/auth-off/chunked", chunks, secret="whatever")
        self.assertEqual(status, 200, body)
        self.assertEqual(s3.get_object(Bucket="auth-off", Key="chunked")["Body"].read(), b"x" * 100)

    def test_loopback_default_is_off(self):
        server = harness.start_server()
        self.addCleanup(server.cleanup)
        self.assertIn("auth: off (signatures are not checked)", wait_for_log(server, "auth: off"))


if __name__ == "__main__":
    unittest.main()
