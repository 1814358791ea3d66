"""Firehose delivery, end to end, against the real `sluice serve`.

Kinesis stream -> KinesisStreamAsSource delivery stream -> objects in the
embedded S3 (same port), read back with unmodified boto3 and the aws CLI v1;
every CompressionFormat decoded with standard tools (gunzip, unzip,
python-snappy in the system Python); prefix expressions, CustomTimeZone,
dynamic partitioning with JQ and the error output; several delivery streams
on one Kinesis stream.  DirectPut buffering, UpdateDestination and the
external (s3rver) destination are in test_firehose_delivery_directput.py;
crashes and outages in test_firehose_faults.py.  Both import the helpers
below.

Intervals are scaled with `--firehose-interval-scale` so that the module runs
in well under two minutes; every wait is a poll with a deadline.
"""

from __future__ import annotations

import base64
import collections
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile
from pathlib import Path
from typing import Callable, Dict, List, Optional
from zoneinfo import ZoneInfo

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from harness import ACCESS_KEY, ACCOUNT_ID, DEFAULT_REGION, SECRET_KEY, REPO_ROOT

ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/firehose-delivery-role"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-snappy

EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".snappy"}
CONTENT_ENCODINGS = {"UNCOMPRESSED": None, "GZIP": "gzip", "ZIP": "zip", "Snappy": "snappy-java",
                     "HADOOP_SNAPPY": "hadoop-snappy"}
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def key_regex(name: str, prefix_re: str = r"\d{4}/\d{2}/\d{2}/\d{2}/", version: Optional[int] = None,
              ext: str = "") -> re.Pattern:
    """AWS's object name: <prefix><name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>."""
    v = str(version) if version is not None else r"\d+"
    return re.compile(rf"^(?P<prefix>{prefix_re}){re.escape(name)}-(?P<version>{v})-"
                      rf"(?P<ts>\d{{4}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}})-(?P<uuid>{UUID_RE}){re.escape(ext)}$")


# ---------------------------------------------------------------------------
# clients
# ---------------------------------------------------------------------------

def _session(region=DEFAULT_REGION, access=ACCESS_KEY, secret=SECRET_KEY):
    return boto3.session.Session(aws_access_key_id=access, aws_secret_access_key=secret, region_name=region)


def firehose_client(endpoint: str, region: str = DEFAULT_REGION):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                 max_pool_connections=16)
    return _session(region).client("firehose", endpoint_url=endpoint, config=cfg)


def s3_client(endpoint: str, access=ACCESS_KEY, secret=SECRET_KEY):
    cfg = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                 max_pool_connections=16, s3={"addressing_style": "path"})
    return _session(DEFAULT_REGION, access, secret).client("s3", endpoint_url=endpoint, config=cfg)


def run_aws(endpoint: str, *args, timeout: float = 120, check: bool = True, env=None):
    """`aws --endpoint-url URL --region us-east-1 ARGS...` (CLI v1), dummy credentials."""
    cmd = ["aws", "--endpoint-url", endpoint, "--region", DEFAULT_REGION, *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, env=env or harness.aws_cli_env(), timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return proc


def run_sluice(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    """The sluice CLI (produce, firehose create/put) with the harness's dummy credentials."""
    env = harness.aws_cli_env()
    env["AWS_REGION"] = DEFAULT_REGION
    cmd = [harness.find_binary(), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return proc


# ---------------------------------------------------------------------------
# delivery streams
# ---------------------------------------------------------------------------

def extended_destination(bucket: str, prefix: Optional[str] = None, error_prefix: Optional[str] = None,
                         interval: int = 60, size_mb: int = 5, compression: str = "UNCOMPRESSED",
                         processors: Optional[list] = None, dynamic_partitioning: bool = False,
                         time_zone: Optional[str] = None, file_extension: Optional[str] = None) -> dict:
    d = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
         "BufferingHints": {"IntervalInSeconds": interval, "SizeInMBs": size_mb},
         "CompressionFormat": compression}
    if prefix is not None:
        d["Prefix"] = prefix
    if error_prefix is not None:
        d["ErrorOutputPrefix"] = error_prefix
    if processors:
        d["ProcessingConfiguration"] = {"Enabled": True, "Processors": processors}
    if dynamic_partitioning:
        d["DynamicPartitioningConfiguration"] = {"Enabled": True, "RetryOptions": {"DurationInSeconds": 60}}
    if time_zone:
        d["CustomTimeZone"] = time_zone
    if file_extension is not None:
        d["FileExtension"] = file_extension
    return d


def wait_delivery_active(fh, name: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if d["DeliveryStreamStatus"] == "ACTIVE":
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery stream {name} not ACTIVE after {timeout}s: {d['DeliveryStreamStatus']}")
        time.sleep(0.05)


def create_delivery_stream(fh, name: str, destination: dict, source_stream: Optional[str] = None) -> dict:
    args = dict(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination)
    if source_stream:
        args["DeliveryStreamType"] = "KinesisStreamAsSource"
        args["KinesisStreamSourceConfiguration"] = {"KinesisStreamARN": harness.stream_arn(source_stream),
                                                    "RoleARN": ROLE}
    else:
        args["DeliveryStreamType"] = "DirectPut"
    fh.create_delivery_stream(**args)
    return wait_delivery_active(fh, name)


def append_delimiter(delimiter: Optional[str] = None) -> dict:
    p = {"Type": "AppendDelimiterToRecord"}
    if delimiter is not None:
        p["Parameters"] = [{"ParameterName": "Delimiter", "ParameterValue": delimiter}]
    return p


def metadata_extraction(query: str) -> dict:
    return {"Type": "MetadataExtraction", "Parameters": [
        {"ParameterName": "MetadataExtractionQuery", "ParameterValue": query},
        {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}


def put_batches(fh, name: str, datas: List[bytes], batch: int = 500) -> None:
    """PutRecordBatch in batches of <= 500 records / < 4 MiB; fails on any per-record failure."""
    i = 0
    while i < len(datas):
        chunk, size = [], 0
        while i < len(datas) and len(chunk) < batch and size + len(datas[i]) < (4 << 20) - 4096:
            chunk.append({"Data": datas[i]})
            size += len(datas[i])
            i += 1
        r = fh.put_record_batch(DeliveryStreamName=name, Records=chunk)
        if r["FailedPutCount"]:
            raise AssertionError(f"PutRecordBatch: {r['FailedPutCount']} failed: "
                                 f"{[x for x in r['RequestResponses'] if 'ErrorCode' in x][:3]}")


def put_kinesis(kinesis, stream: str, datas: List[bytes]) -> None:
    for i in range(0, len(datas), 500):
        recs = [{"Data": d, "PartitionKey": f"pk-{i + j}"} for j, d in enumerate(datas[i:i + 500])]
        r = kinesis.put_records(StreamName=stream, Records=recs)
        if r["FailedRecordCount"]:
            raise AssertionError(f"PutRecords: {r['FailedRecordCount']} failed")


def event(tag: str, n: int, **extra) -> bytes:
    """One JSON event; `put_ms` is the client's clock just before sending (for timing checks)."""
    e = {"id": f"{tag}-{n}", "n": n, "put_ms": int(time.time() * 1000)}
    e.update(extra)
    return json.dumps(e, separators=(",", ":")).encode()


def parse_json_records(payload: bytes) -> List[dict]:
    """Concatenated JSON values, with or without separators (Firehose adds none by default)."""
    dec = json.JSONDecoder()
    text = payload.decode("utf-8")
    out, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


# ---------------------------------------------------------------------------
# decoding with standard tools
# ---------------------------------------------------------------------------

_SNAPPY_JAVA_READER = r"""
import struct, sys, snappy
data = sys.stdin.buffer.read()
magic = b"\x82SNAPPY\x00"
if data[:8] != magic:
    sys.exit("not a snappy-java stream: %r" % data[:8])
version, compatible = struct.unpack(">ii", data[8:16])
if (version, compatible) != (1, 1):
    sys.exit("snappy-java header version %d/%d" % (version, compatible))
pos, out = 16, []
while pos < len(data):
    (n,) = struct.unpack(">i", data[pos:pos + 4])
    pos += 4
    out.append(snappy.uncompress(data[pos:pos + n]))
    pos += n
sys.stdout.buffer.write(b"".join(out))
"""


def _tool(cmd: List[str], stdin: bytes) -> bytes:
    proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {proc.stderr[-2000:]!r}")
    return proc.stdout


def decode_object(body: bytes, compression: str, key: str = "") -> bytes:
    """Decompress a delivered object with standard tools (never with sluice's own code)."""
    if compression == "UNCOMPRESSED":
        return body
    if compression == "GZIP":
        return _tool(["gunzip", "-c"], body)
    if compression == "ZIP":
        with tempfile.NamedTemporaryFile(suffix=".zip") as f:
            f.write(body)
            f.flush()
            listing = _tool(["unzip", "-Z1", f.name], b"").decode().split()
            if len(listing) != 1:
                raise AssertionError(f"ZIP object {key} has {len(listing)} entries: {listing}")
            _tool(["unzip", "-tq", f.name], b"")  # CRC check
            return _tool(["unzip", "-p", f.name], b"")
    if compression == "Snappy":
        return _tool([SYSTEM_PYTHON, "-c", _SNAPPY_JAVA_READER], body)
    if compression == "HADOOP_SNAPPY":
        return _tool([SYSTEM_PYTHON, "-m", "snappy", "-d", "-t", "hadoop_snappy"], body)
    raise ValueError(compression)


# ---------------------------------------------------------------------------
# reading what was delivered
# ---------------------------------------------------------------------------

class Bucket:
    """Polls one bucket (ListObjectsV2 without delimiter, all pages) and caches object bodies."""

    def __init__(self, s3, bucket: str):
        self.s3, self.bucket = s3, bucket
        self.bodies: Dict[str, bytes] = {}
        self.meta: Dict[str, dict] = {}
        self.first_seen: Dict[str, float] = {}

    def list(self, prefix: str = "") -> List[dict]:
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            out += page.get("Contents", [])
        now = time.time()
        for o in out:
            self.meta[o["Key"]] = o
            self.first_seen.setdefault(o["Key"], now)
        return out

    def body(self, key: str) -> bytes:
        if key not in self.bodies:
            r = self.s3.get_object(Bucket=self.bucket, Key=key)
            self.bodies[key] = r["Body"].read()
            self.meta.setdefault(key, {})["ContentEncoding"] = r.get("ContentEncoding")
        return self.bodies[key]


def wait_until(fn: Callable, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value {v!r}")
        time.sleep(interval)


def collect_events(bucket: Bucket, expected_ids, timeout: float, prefix: str = "",
                   compression: str = "UNCOMPRESSED", what: str = ""):
    """Poll until every id in expected_ids was delivered (under prefix). Returns
    (Counter of ids, {key: [events]}): every event of every object, expected or not."""
    expected = set(expected_ids)
    seen = collections.Counter()
    per_key: Dict[str, List[dict]] = {}

    def scan():
        for o in bucket.list(prefix):
            k = o["Key"]
            if k in per_key:
                continue
            evs = parse_json_records(decode_object(bucket.body(k), compression, k))
            per_key[k] = evs
            seen.update(event_id(e) for e in evs)
        return expected <= set(seen)

    try:
        wait_until(scan, timeout, 0.1, what or f"{len(expected)} events in s3://{bucket.bucket}/{prefix}")
    except AssertionError:
        missing = expected - set(seen)
        raise AssertionError(f"{len(missing)} of {len(expected)} events missing after {timeout}s "
                             f"(e.g. {sorted(missing)[:5]}); objects: {sorted(per_key)}") from None
    return seen, per_key


def event_id(e: dict):
    """Our events carry "id", `sluice produce`'s and `sluice firehose put`'s "event_id"."""
    return e.get("id") if "id" in e else e.get("event_id")


def duplicates(counter: collections.Counter, ids) -> int:
    return sum(counter[i] - 1 for i in ids if counter[i] > 1)


def report(msg: str) -> None:
    print(f"  [firehose] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# processes: sluice with an environment, s3rver
# ---------------------------------------------------------------------------

class EnvSluiceServer(harness.SluiceServer):
    """A SluiceServer whose process gets extra environment variables (for the
    external destination's credentials), via env(1) so the pid is sluice's."""

    def __init__(self, env: dict, **kw):
        self.env_args = [f"{k}={v}" for k, v in env.items()]
        super().__init__(**kw)

    def command(self):
        unset = []
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            unset += ["-u", k]
        return ["env", *unset, *self.env_args] + super().command()


S3RVER_ENV = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": DEFAULT_REGION,
              "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3rver:
    """s3rver (npm), an independent S3 implementation, on loopback only
    (bench/force-loopback.js and -a 127.0.0.1). Restartable on the same port
    and data directory. Credentials S3RVER/S3RVER."""

    def __init__(self, data_dir: Optional[str] = None, port: Optional[int] = None, log_requests: bool = False):
        self.cli = REPO_ROOT / "bench" / "node_modules" / "s3rver" / "bin" / "s3rver.js"
        if not self.cli.exists():
            raise RuntimeError(f"s3rver is not installed ({self.cli} missing): run scripts/setup.sh")
        self._own = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="s3rver-it-")
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[subprocess.Popen] = None
        self.log_requests = log_requests
        self.log_path = os.path.join(tempfile.gettempdir(), f"s3rver-it-{self.port}-{os.getpid()}.log")

    def log(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self, timeout: float = 30.0) -> "S3rver":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["node", "--openssl-legacy-provider", "-r", str(REPO_ROOT / "bench" / "force-loopback.js"),
             str(self.cli), "-d", self.data_dir, "-a", "127.0.0.1", "-p", str(self.port)] +
            ([] if self.log_requests else ["--silent"]),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        with harness._live_lock:
            harness._live_processes.add(self.proc)
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"s3rver did not start on port {self.port}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        with harness._live_lock:
            harness._live_processes.discard(self.proc)
        self.proc = None

    def client(self):
        return s3_client(self.endpoint, "S3RVER", "S3RVER")

    def cleanup(self) -> None:
        self.stop()
        if not os.environ.get("SLUICE_KEEP_LOGS"):
            if self._own:
                shutil.rmtree(self.data_dir, ignore_errors=True)
            try:
                os.unlink(self.log_path)
            except OSError:
                pass


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------

SCALE = 0.02      # --firehose-interval-scale: 60 s -> 1.2 s, 250 s -> 5 s
POLL_MS = 200     # --firehose-source-poll-ms


class DeliveryBase(unittest.TestCase):
    extra_args = ["--firehose-interval-scale", str(SCALE), "--firehose-source-poll-ms", str(POLL_MS)]

    @classmethod
    def setUpClass(cls):
        harness.skip_if_external("needs --firehose-interval-scale on the server")
        cls.server = harness.start_server(extra_args=cls.extra_args)
        cls.addClassCleanup(cls.server.cleanup)
        cls.endpoint = cls.server.endpoint
        cls.fh = firehose_client(cls.endpoint)
        cls.s3 = s3_client(cls.endpoint)
        cls.kinesis = cls.server.client()

    def new_bucket(self, prefix: str = "fh") -> Bucket:
        name = harness.unique_name(prefix)
        self.s3.create_bucket(Bucket=name)
        return Bucket(self.s3, name)

    def assertAlive(self):
        self.assertTrue(self.server.running, f"sluice exited; log:\n{self.server.log_tail()}")


class KinesisSourceTest(DeliveryBase):

    def test_stream_to_bucket_latest_keys_timing_and_readers(self):
        """Events produced after the delivery stream exists all arrive (boto3 and
        `sluice produce`), earlier ones do not; keys, prefix, timing, aws s3 cp."""
        stream = harness.create_active(self.kinesis, harness.unique_name("src"), shards=2)
        bucket = self.new_bucket()
        before = [event("before", i) for i in range(200)]
        put_kinesis(self.kinesis, stream, before)
        time.sleep(0.02)  # the creation instant must be strictly after the last "before" arrival
        name = harness.unique_name("ds")
        interval = 250  # scaled: 5 s
        create_delivery_stream(self.fh, name, extended_destination(
            bucket.bucket, interval=interval, processors=[append_delimiter()]), source_stream=stream)

        after = [event("after", i) for i in range(1500)]
        t_first_put = time.time()
        put_kinesis(self.kinesis, stream, after)
        run_id = harness.unique_name("prod")
        tmp = tempfile.mkdtemp(prefix="fh-prod-")
        self.addCleanup(shutil.rmtree, tmp, True)
        summary = os.path.join(tmp, "summary.json")
        run_sluice("produce", "--stream-name", stream, "--count", 1000, "--run-id", run_id,
                   "--endpoint-url", self.endpoint, "--quiet", "--summary-json", summary)
        produced_ids = [f"{run_id}-{i}" for i in range(1000)]
        with open(summary) as f:
            report(f"sluice produce summary: {f.read().strip()}")
        expected = [json.loads(d)["id"] for d in after]
        collect_events(bucket, expected + produced_ids, 30)
        # Absence can only be shown by waiting: one more (scaled) interval in which
        # "before" events or duplicates would have shown up.
        time.sleep(interval * SCALE + 1.0)
        final = collections.Counter()
        all_events = []
        for o in bucket.list():
            evs = parse_json_records(bucket.body(o["Key"]))
            all_events += [(o["Key"], e) for e in evs]
            final.update(event_id(e) for e in evs)
        report(f"kinesis source: {len(expected) + len(produced_ids)} events in {len(bucket.bodies)} objects, "
               f"duplicates: {duplicates(final, expected + produced_ids)}")
        leaked = [i for i in final if str(i).startswith("before-")]
        self.assertEqual(leaked, [], "events put before CreateDeliveryStream were delivered (AWS starts at LATEST)")
        self.assertEqual(duplicates(final, expected), 0, "duplicates without any fault")
        self.assertEqual(set(final), set(expected + produced_ids), "unexpected events delivered")

        # Keys: default prefix YYYY/MM/dd/HH/ (UTC) of the oldest record; name-version-time-uuid.
        rx = key_regex(name, version=1)
        keys = [o["Key"] for o in bucket.list()]
        for k in keys:
            self.assertRegex(k, rx)
        oldest_by_key = collections.defaultdict(lambda: float("inf"))
        for k, e in all_events:
            t = e.get("put_ms") or e.get("produced_at_ms")
            oldest_by_key[k] = min(oldest_by_key[k], t / 1000.0)
        utc = datetime.timezone.utc
        for k in keys:
            m = rx.match(k)
            oldest = oldest_by_key[k]
            ok_prefixes = {datetime.datetime.fromtimestamp(oldest + d, utc).strftime("%Y/%m/%d/%H/") for d in (0, 2)}
            self.assertIn(m.group("prefix"), ok_prefixes, f"{k}: prefix is not the oldest record's arrival hour")
            lm = bucket.meta[k]["LastModified"].timestamp()
            name_time = datetime.datetime.strptime(m.group("ts"), "%Y-%m-%d-%H-%M-%S").replace(tzinfo=utc).timestamp()
            self.assertLessEqual(abs(name_time - lm), 2.0, f"{k}: time in the name vs LastModified {lm}")
            # The buffer opens when its oldest record is read (<= one poll after arrival) and is
            # delivered IntervalInSeconds (scaled) later.
            age = lm - oldest
            scaled = interval * SCALE
            self.assertGreaterEqual(age, scaled - 0.3, f"{k}: delivered {age:.2f}s after its oldest record, "
                                                       f"before the {scaled}s interval")
            self.assertLessEqual(age, scaled + POLL_MS / 1000 + 4.0, f"{k}: delivered {age:.2f}s after its oldest record")
        self.assertGreaterEqual(min(bucket.meta[k]["LastModified"].timestamp() for k in keys) - t_first_put,
                                interval * SCALE - 0.3)

        # Readable with the aws CLI (v1) and boto3, byte for byte.
        k = keys[0]
        with tempfile.TemporaryDirectory() as d:
            dst = os.path.join(d, "obj")
            run_aws(self.endpoint, "s3", "cp", f"s3://{bucket.bucket}/{k}", dst)
            with open(dst, "rb") as f:
                self.assertEqual(f.read(), bucket.body(k))
        ls = run_aws(self.endpoint, "s3", "ls", "--recursive", f"s3://{bucket.bucket}/").stdout.decode()
        for k in keys:
            self.assertIn(k, ls)
        head = self.s3.head_object(Bucket=bucket.bucket, Key=k)
        self.assertEqual(head["ContentLength"], len(bucket.body(k)))
        self.assertAlive()

    def test_several_delivery_streams_read_one_kinesis_stream(self):
        """LocalStack issue 9476: a second delivery stream on the same Kinesis stream got nothing."""
        stream = harness.create_active(self.kinesis, harness.unique_name("fan"), shards=3)
        buckets, names = [], []
        for i in range(3):
            b = self.new_bucket(f"fan{i}")
            n = harness.unique_name(f"fan{i}")
            create_delivery_stream(self.fh, n, extended_destination(
                b.bucket, prefix=f"copy{i}/", interval=60, compression=["UNCOMPRESSED", "GZIP", "ZIP"][i]),
                source_stream=stream)
            buckets.append(b)
            names.append(n)
        datas = [event("fan", i, pad="x" * (i % 300)) for i in range(3000)]
        put_kinesis(self.kinesis, stream, datas)
        expected = [json.loads(d)["id"] for d in datas]
        for i, b in enumerate(buckets):
            seen, per_key = collect_events(b, expected, 30, compression=["UNCOMPRESSED", "GZIP", "ZIP"][i])
            report(f"fan-out copy {i}: {len(expected)} events in {len(per_key)} objects, "
                   f"duplicates {duplicates(seen, expected)}")
            self.assertEqual(duplicates(seen, expected), 0)
            self.assertEqual(set(seen), set(expected))
            for k in per_key:
                self.assertRegex(k, key_regex(names[i], r"copy" + str(i) + r"/\d{4}/\d{2}/\d{2}/\d{2}/", 1,
                                              EXTENSIONS[["UNCOMPRESSED", "GZIP", "ZIP"][i]]))


class CompressionTest(DeliveryBase):

    def test_every_compression_format_decodes_with_standard_tools(self):
        bucket = self.new_bucket("comp")
        streams = {}
        for fmt in EXTENSIONS:
            streams[fmt] = harness.unique_name(fmt.lower().replace("_", ""))
        # Created three ways: boto3, the aws CLI, and `sluice firehose create`.
        for fmt in ("UNCOMPRESSED", "GZIP", "ZIP"):
            create_delivery_stream(self.fh, streams[fmt], extended_destination(
                bucket.bucket, prefix=f"{fmt}/", error_prefix="err/", interval=60, compression=fmt))
        run_aws(self.endpoint, "firehose", "create-delivery-stream",
                "--delivery-stream-name", streams["Snappy"], "--delivery-stream-type", "DirectPut",
                "--extended-s3-destination-configuration",
                json.dumps(extended_destination(bucket.bucket, prefix="Snappy/", error_prefix="err/",
                                                interval=60, compression="Snappy")))
        wait_delivery_active(self.fh, streams["Snappy"])
        run_sluice("firehose", "create", "--delivery-stream-name", streams["HADOOP_SNAPPY"],
                   "--bucket", bucket.bucket, "--prefix", "HADOOP_SNAPPY/", "--error-output-prefix", "err/",
                   "--buffer-interval", 60, "--compression", "HADOOP_SNAPPY", "--endpoint-url", self.endpoint)
        for fmt, n in streams.items():
            d = wait_delivery_active(self.fh, n)["Destinations"][0]["ExtendedS3DestinationDescription"]
            self.assertEqual(d["CompressionFormat"], fmt)

        # ~300 KB per stream: several 32 KiB snappy blocks; mixed compressibility.
        rnd = os.urandom(60000).hex()
        datas = [(json.dumps({"id": f"c-{i}", "n": i, "text": "lorem ipsum " * (i % 40),
                              "noise": rnd[(i * 97) % 100000:(i * 97) % 100000 + (i % 200)]}) + "\n").encode()
                 for i in range(2500)]
        payload = b"".join(datas)
        for fmt, n in streams.items():
            put_batches(self.fh, n, datas)
        for fmt, n in streams.items():
            with self.subTest(compression=fmt):
                got = []
                keys = wait_until(lambda: [o for o in bucket.list(f"{fmt}/")], 20, 0.1, f"{fmt} object")
                # Everything fits one 5 MiB buffer: wait until all bytes are there.
                def complete():
                    objs = bucket.list(f"{fmt}/")
                    total = sum(len(decode_object(bucket.body(o["Key"]), fmt, o["Key"])) for o in objs)
                    return objs if total >= len(payload) else None
                objs = wait_until(complete, 20, 0.2, f"all {fmt} data")
                for o in objs:
                    k = o["Key"]
                    self.assertRegex(k, key_regex(n, rf"{fmt}/\d{{4}}/\d{{2}}/\d{{2}}/\d{{2}}/", 1, EXTENSIONS[fmt]))
                    body = bucket.body(k)
                    head = self.s3.head_object(Bucket=bucket.bucket, Key=k)
                    self.assertEqual(head.get("ContentEncoding"), CONTENT_ENCODINGS[fmt], k)
                    decoded = decode_object(body, fmt, k)
                    if fmt != "UNCOMPRESSED":
                        self.assertLess(len(body), len(decoded), f"{k}: not compressed")
                    got.append(decoded)
                    # Cross-check with Python's own readers where they exist.
                    if fmt == "GZIP":
                        import gzip
                        self.assertEqual(gzip.decompress(body), decoded)
                    if fmt == "ZIP":
                        import io
                        with zipfile.ZipFile(io.BytesIO(body)) as z:
                            self.assertEqual(len(z.namelist()), 1)
                            self.assertEqual(z.read(z.namelist()[0]), decoded)
                    if fmt == "Snappy":
                        self.assertEqual(body[:8], b"\x82SNAPPY\x00")
                # DirectPut keeps order within an object; compare as line multisets across objects.
                lines = sorted(b"".join(got).splitlines(keepends=True))
                self.assertEqual(lines, sorted(datas), f"{fmt}: decoded records differ from those put")
                if len(objs) == 1:
                    self.assertEqual(got[0], payload, f"{fmt}: one object but not the records in put order")
                report(f"{fmt}: {len(objs)} object(s), {sum(len(bucket.body(o['Key'])) for o in objs)} bytes "
                       f"for {len(payload)} input bytes")
        self.assertAlive()


class PrefixTest(DeliveryBase):

    def test_timestamp_random_string_custom_time_zone(self):
        bucket = self.new_bucket("pfx")
        name = harness.unique_name("tz")
        zone = "Asia/Kolkata"  # +05:30: hours and minutes both differ from UTC
        create_delivery_stream(self.fh, name, extended_destination(
            bucket.bucket, prefix="logs/!{timestamp:yyyy/MM/dd/HH}/!{firehose:random-string}/mm=!{timestamp:mm}/",
            error_prefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy}/", interval=60,
            time_zone=zone, processors=[append_delimiter()]))
        t0 = time.time()
        datas = [event("tz", i) for i in range(50)]
        put_batches(self.fh, name, datas)
        t1 = time.time()
        seen, per_key = collect_events(bucket, [json.loads(d)["id"] for d in datas], 20)
        tz = ZoneInfo(zone)
        rx = re.compile(r"^logs/(?P<date>\d{4}/\d{2}/\d{2}/\d{2})/(?P<rand>[0-9a-f-]{11})/mm=(?P<mm>\d{2})/" +
                        key_regex(name, "", 1).pattern[1:])
        for k in per_key:
            m = rx.match(k)
            self.assertIsNotNone(m, f"key {k!r} does not match {rx.pattern}")
            self.assertNotIn("!{", k)
            allowed = {datetime.datetime.fromtimestamp(t, tz).strftime("%Y/%m/%d/%H") for t in (t0 - 1, t1 + 1)}
            self.assertIn(m.group("date"), allowed, f"{k}: timestamp prefix is not in {zone}")
            allowed_mm = {datetime.datetime.fromtimestamp(t, tz).strftime("%M") for t in (t0 - 1, t1 + 1)}
            self.assertIn(m.group("mm"), allowed_mm)
            # The name's time is in CustomTimeZone too (AWS docs, s3-object-name.html).
            lm = bucket.meta[k]["LastModified"].timestamp()
            name_time = datetime.datetime.strptime(m.group("ts"), "%Y-%m-%d-%H-%M-%S").replace(tzinfo=tz).timestamp()
            self.assertLessEqual(abs(name_time - lm), 2.0, f"{k}: name time not in {zone} (LastModified {lm})")

        # random-string: new per object: two more deliveries get different strings.
        for j in range(2):
            more = [event(f"tz{j}", i) for i in range(5)]
            put_batches(self.fh, name, more)
            collect_events(bucket, [json.loads(d)["id"] for d in more], 20)
        rands = {rx.match(o["Key"]).group("rand") for o in bucket.list("logs/")}
        self.assertEqual(len(rands), len(bucket.list("logs/")), "random-string repeated across objects")

    def test_dynamic_partitioning_jq_and_error_output(self):
        bucket = self.new_bucket("dyn")
        name = harness.unique_name("dyn")
        create_delivery_stream(self.fh, name, extended_destination(
            bucket.bucket, prefix="cust/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy}/",
            error_prefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/", interval=60,
            size_mb=64, dynamic_partitioning=True,
            processors=[metadata_extraction("{customer: .customer}"), append_delimiter()]))
        customers = ["acme", "globex", "initech"]
        good = [event("dp", i, customer=customers[i % 3]) for i in range(600)]
        bad = [event("dp-nokey", i) for i in range(20)] + [b"not json at all %d" % i for i in range(5)]
        datas = good + bad
        datas = [datas[(i * 7) % len(datas)] for i in range(len(datas))]  # interleave (7 is coprime with 625)
        self.assertEqual(len(set(datas)), len(good) + len(bad))
        put_batches(self.fh, name, datas)

        def done():
            objs = bucket.list()
            return objs if (len([o for o in objs if o["Key"].startswith("cust/")]) >= 3 and
                            any(o["Key"].startswith("errors/") for o in objs)) else None
        wait_until(done, 20, 0.2, "one object per customer and an error object")
        # One more scaled interval: nothing else may appear (one object per partition).
        time.sleep(60 * SCALE + 0.8)
        objs = bucket.list()
        data_keys = sorted(o["Key"] for o in objs if o["Key"].startswith("cust/"))
        error_keys = sorted(o["Key"] for o in objs if o["Key"].startswith("errors/"))
        self.assertEqual(len(data_keys), 3, f"expected one object per partition: {data_keys}")
        self.assertEqual(len(error_keys), 1, error_keys)
        year = datetime.datetime.now(datetime.timezone.utc).strftime("%Y")
        for c in customers:
            [k] = [k for k in data_keys if k.startswith(f"cust/customer={c}/")]
            self.assertRegex(k, key_regex(name, rf"cust/customer={c}/{year}/", 1))
            evs = parse_json_records(bucket.body(k))
            self.assertTrue(bucket.body(k).endswith(b"\n"))
            self.assertEqual(sorted(e["id"] for e in evs),
                             sorted(json.loads(d)["id"] for d in good if json.loads(d)["customer"] == c))
        [ek] = error_keys
        self.assertRegex(ek, key_regex(name, r"errors/processing-failed/\d{4}/\d{2}/\d{2}/", 1))
        lines = bucket.body(ek).decode().splitlines()
        self.assertEqual(len(lines), len(bad), "error output: one JSON line per failed record")
        raws = []
        for line in lines:
            rec = json.loads(line)
            for field in ("attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "rawData"):
                self.assertIn(field, rec)
            self.assertTrue(rec["errorCode"])
            raws.append(base64.b64decode(rec["rawData"]))
        self.assertEqual(sorted(raws), sorted(bad), "rawData must be the original record, base64")

    def test_append_delimiter_and_plain_concatenation(self):
        bucket = self.new_bucket("delim")
        plain, nl, pipe = (harness.unique_name(p) for p in ("plain", "nl", "pipe"))
        create_delivery_stream(self.fh, plain, extended_destination(bucket.bucket, prefix="plain/", interval=60))
        create_delivery_stream(self.fh, nl, extended_destination(bucket.bucket, prefix="nl/", interval=60,
                                                                 processors=[append_delimiter()]))
        create_delivery_stream(self.fh, pipe, extended_destination(bucket.bucket, prefix="pipe/", interval=60,
                                                                   processors=[append_delimiter("|")]))
        datas = [b'{"k":%d}' % i for i in range(100)]
        for n in (plain, nl, pipe):
            put_batches(self.fh, n, datas)
        expect = {"plain/": b"".join(datas), "nl/": b"".join(d + b"\n" for d in datas),
                  "pipe/": b"".join(d + b"|" for d in datas)}
        for prefix, want in expect.items():
            def whole():
                objs = bucket.list(prefix)
                got = b"".join(bucket.body(o["Key"]) for o in sorted(objs, key=lambda o: o["LastModified"]))
                return got if len(got) >= len(want) else None
            self.assertEqual(wait_until(whole, 20, 0.1, prefix), want, prefix)


if __name__ == "__main__":
    unittest.main()
