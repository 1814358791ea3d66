"""Shared harness for Sluice integration tests.

The tests drive the real `sluice` binary with unmodified clients (boto3 and the
aws CLI).  Environment:

  SLUICE_BIN       path of the sluice binary (set by ctest).  If unset, the
                   newest <repo>/build*/src/sluice is used.
  SLUICE_ENDPOINT  if set (e.g. http://127.0.0.1:4567), no server is started;
                   every test talks to that endpoint instead.  Tests that need
                   to stop/kill/restart the server or a specific
                   --stream-transition-ms are then skipped with a reason.
  SLUICE_KEEP_LOGS if set, server logs / data dirs are not deleted.
"""

from __future__ import annotations

import atexit
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid
from pathlib import Path
from typing import Optional

import boto3
import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "secret"
ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"
TARGET_PREFIX = "Kinesis_20131202."
HASH_SPACE = 2 ** 128
LISTEN_RE = re.compile(r"sluice listening on (http://[^\s:]+:(\d+))")

EXTERNAL_ENDPOINT = os.environ.get("SLUICE_ENDPOINT") or None

_live_processes: "set[subprocess.Popen]" = set()
_live_lock = threading.Lock()


def _kill_leftovers() -> None:
    with _live_lock:
        procs = list(_live_processes)
    for p in procs:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(timeout=5)
            except Exception:
                pass


atexit.register(_kill_leftovers)


def find_binary() -> str:
    b = os.environ.get("SLUICE_BIN")
    if b:
        if not os.access(b, os.X_OK):
            raise RuntimeError(f"SLUICE_BIN={b!r} is not an executable file")
        return b
    cands = [c for c in glob.glob(str(REPO_ROOT / "build*" / "src" / "sluice")) if os.access(c, os.X_OK)]
    if not cands:
        raise RuntimeError("no sluice binary: set SLUICE_BIN (or SLUICE_ENDPOINT for an external server)")
    cands.sort(key=os.path.getmtime, reverse=True)
    return cands[0]


def is_external() -> bool:
    return EXTERNAL_ENDPOINT is not None


def skip_if_external(reason: str = "needs to control the server process") -> None:
    if is_external():
        raise unittest.SkipTest(f"SLUICE_ENDPOINT is set: {reason}")


class ServerError(RuntimeError):
    pass


class SluiceServer:
    """One sluice process (re)started on a free loopback port over one data dir."""

    def __init__(self, data_dir: Optional[str] = None, transition_ms: int = 0,
                 fsync: Optional[str] = None, extra_args=(), start_timeout: float = 30.0,
                 env: Optional[dict] = None):
        self.binary = find_binary()
        self.env = env  # the server's environment (None: the test's)
        self._own_dir = data_dir is None
        self._work = tempfile.mkdtemp(prefix="sluice-it-")
        self.data_dir = data_dir or os.path.join(self._work, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self._work, "server.log")
        self.transition_ms = transition_ms
        self.fsync = fsync
        self.extra_args = list(extra_args)
        self.start_timeout = start_timeout
        self.proc: Optional[subprocess.Popen] = None
        self.endpoint: Optional[str] = None
        self.port: Optional[int] = None
        self._drain: Optional[threading.Thread] = None
        self.starts = 0

    # -- process control -------------------------------------------------
    def command(self):
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", "0",
               "--data-dir", self.data_dir, "--stream-transition-ms", str(self.transition_ms)]
        if self.fsync:
            cmd += ["--fsync", self.fsync]
        return cmd + self.extra_args

    def start(self) -> "SluiceServer":
        if self.running:
            raise ServerError("already running")
        log = open(self.log_path, "ab")
        log.write(f"\n==== start #{self.starts + 1}: {' '.join(self.command())}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=log,
                                     stdin=subprocess.DEVNULL, start_new_session=True, env=self.env)
        log.close()
        with _live_lock:
            _live_processes.add(self.proc)
        self.starts += 1
        found = {}
        ready = threading.Event()
        proc = self.proc

        def drain():
            with open(self.log_path, "ab") as out:
                for raw in iter(proc.stdout.readline, b""):
                    out.write(raw)
                    out.flush()
                    if not ready.is_set():
                        m = LISTEN_RE.search(raw.decode("utf-8", "replace"))
                        if m:
                            found["endpoint"], found["port"] = m.group(1), int(m.group(2))
                            ready.set()
            ready.set()  # EOF: process exited

        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()
        if not ready.wait(self.start_timeout) or "endpoint" not in found:
            rc = self.proc.poll()
            self._hard_kill()
            raise ServerError(f"sluice did not report 'sluice listening on' within {self.start_timeout}s "
                              f"(exit code {rc}); log tail:\n{self.log_tail()}")
        self.endpoint, self.port = found["endpoint"], found["port"]
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _forget(self):
        if self.proc is not None:
            with _live_lock:
                _live_processes.discard(self.proc)
            if self._drain is not None:
                self._drain.join(timeout=5)
            try:
                self.proc.stdout.close()
            except Exception:
                pass
        self.proc = None
        self._drain = None

    def _hard_kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self._forget()

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM; returns the exit code. Raises ServerError if it does not stop in time."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._hard_kill()
                raise ServerError(f"sluice did not exit within {timeout}s of SIGTERM")
        rc = self.proc.returncode
        self._forget()
        return rc

    def kill9(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._forget()

    def restart(self, kill: bool = False) -> "SluiceServer":
        if kill:
            self.kill9()
        else:
            self.stop()
        return self.start()

    def cleanup(self) -> None:
        self._hard_kill()
        if not os.environ.get("SLUICE_KEEP_LOGS"):
            shutil.rmtree(self._work, ignore_errors=True)
            if not self._own_dir:
                pass  # caller owns it

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return "<no log>"

    def client(self, region: str = DEFAULT_REGION, **config):
        return kinesis_client(self.endpoint, region, **config)


class ExternalServer:
    """Stand-in when SLUICE_ENDPOINT points at an already-running server."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")
        self.transition_ms = None

    running = True

    def start(self):
        return self

    def stop(self, *a, **k):
        raise unittest.SkipTest("SLUICE_ENDPOINT is set: cannot stop an external server")

    kill9 = restart = stop

    def cleanup(self):
        pass

    def log_tail(self, n: int = 40) -> str:
        return "<external server>"

    def client(self, region: str = DEFAULT_REGION, **config):
        return kinesis_client(self.endpoint, region, **config)


def start_server(**kwargs):
    """Start a server (or return the external one).  Caller must call .cleanup()."""
    if is_external():
        return ExternalServer(EXTERNAL_ENDPOINT)
    return SluiceServer(**kwargs).start()


# ---------------------------------------------------------------------------
# clients
# ---------------------------------------------------------------------------

def kinesis_client(endpoint: str, region: str = DEFAULT_REGION, **config):
    """An unmodified boto3 Kinesis client aimed at `endpoint` with dummy credentials.

    `config` entries are passed to botocore.config.Config (e.g.
    parameter_validation=False); retries default to a single attempt."""
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60,
               max_pool_connections=32)
    cfg.update(config)
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name=region)
    return session.client("kinesis", endpoint_url=endpoint, config=Config(**cfg))


def raw_client(endpoint: str, region: str = DEFAULT_REGION, **config):
    """boto3 client with client-side parameter validation disabled (server-side validation tests)."""
    config.setdefault("parameter_validation", False)
    return kinesis_client(endpoint, region, **config)


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # dict with lower-case keys
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError):
            self.json = None

    @property
    def error_type(self):
        if not isinstance(self.json, dict):
            return None
        t = self.json.get("__type")
        if isinstance(t, str) and "#" in t:
            t = t.rsplit("#", 1)[1]
        return t

    @property
    def message(self):
        if not isinstance(self.json, dict):
            return None
        return self.json.get("message", self.json.get("Message"))

    @property
    def request_id(self):
        return self.headers.get("x-amzn-requestid")

    def __repr__(self):
        return f"<RawResponse {self.status} {dict(self.headers)!r} {self.body[:500]!r}>"


def raw_request(endpoint: str, target: Optional[str], body, region: str = DEFAULT_REGION,
                content_type: str = "application/x-amz-json-1.1", sign: bool = True,
                method: str = "POST", extra_headers: Optional[dict] = None) -> RawResponse:
    """Send an arbitrary (SigV4-signed) request with http.client and return the raw response."""
    import http.client
    from urllib.parse import urlparse

    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if target is not None:
        headers["X-Amz-Target"] = target if "." in target else TARGET_PREFIX + target
    if extra_headers:
        headers.update(extra_headers)
    url = endpoint.rstrip("/") + "/"
    if sign:
        req = AWSRequest(method=method, url=url, data=body, headers=headers)
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "kinesis", region).add_auth(req)
        headers = dict(req.headers.items())
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, "/", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return RawResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# aws CLI
# ---------------------------------------------------------------------------

class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        try:
            self.json = json.loads(proc.stdout) if proc.stdout.strip() else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<aws rc={self.returncode} stdout={self.stdout[:800]!r} stderr={self.stderr[:800]!r}>"


def sluice_cli_env() -> dict:
    """Environment for the `sluice` client subcommands: the test keys and region,
    and none of the caller's profile or endpoint overrides."""
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION=DEFAULT_REGION)
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_DEFAULT_REGION"):
        env.pop(k, None)
    return env


def aws_cli_env() -> dict:
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_RETRY_MODE="standard", AWS_MAX_ATTEMPTS="2", AWS_PAGER="")
    return env


def run_aws(endpoint: str, *args, region: str = DEFAULT_REGION, timeout: float = 120,
            check: bool = True) -> CliResult:
    """Run `aws --endpoint-url URL --region R --output json kinesis ARGS...`."""
    cmd = ["aws", "--endpoint-url", endpoint, "--region", region, "--output", "json", "kinesis"]
    cmd += [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=aws_cli_env(), timeout=timeout)
    res = CliResult(proc)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed: {res!r}")
    return res


_cli_v2 = None


def aws_cli_is_v2() -> bool:
    global _cli_v2
    if _cli_v2 is None:
        out = subprocess.run(["aws", "--version"], capture_output=True, text=True, env=aws_cli_env())
        _cli_v2 = (out.stdout + out.stderr).strip().startswith("aws-cli/2")
    return _cli_v2


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def unique_name(prefix: str = "s") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def stream_arn(name: str, region: str = DEFAULT_REGION) -> str:
    return f"arn:aws:kinesis:{region}:{ACCOUNT_ID}:stream/{name}"


def wait_active(client, name: str = None, arn: str = None, timeout: float = 30.0) -> dict:
    """Poll DescribeStreamSummary until ACTIVE; returns the summary."""
    kw = {"StreamARN": arn} if arn else {"StreamName": name}
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = client.describe_stream_summary(**kw)["StreamDescriptionSummary"]
            if last["StreamStatus"] == "ACTIVE":
                return last
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            last = e.response
        if time.monotonic() > deadline:
            raise AssertionError(f"stream {name or arn} not ACTIVE after {timeout}s: {last}")
        time.sleep(0.05)


def wait_gone(client, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.describe_stream_summary(StreamName=name)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise
        if time.monotonic() > deadline:
            raise AssertionError(f"stream {name} still exists after {timeout}s")
        time.sleep(0.05)


def create_active(client, name: str = None, shards: int = 1, **kw) -> str:
    name = name or unique_name()
    args = dict(StreamName=name, **kw)
    if shards is not None and "StreamModeDetails" not in kw:
        args["ShardCount"] = shards
    client.create_stream(**args)
    wait_active(client, name)
    return name


def expected_hash_ranges(n: int):
    """[(start, end)] for n shards split evenly over 2^128 like AWS."""
    step = HASH_SPACE // n
    out = []
    for i in range(n):
        start = i * step
        end = HASH_SPACE - 1 if i == n - 1 else (i + 1) * step - 1
        out.append((start, end))
    return out


def partition_hash(key: str) -> int:
    return int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")


def shard_for_hash(h: int, shards) -> str:
    """shards: list of Shard dicts from ListShards/DescribeStream."""
    for s in shards:
        r = s["HashKeyRange"]
        if int(r["StartingHashKey"]) <= h <= int(r["EndingHashKey"]):
            return s["ShardId"]
    raise AssertionError(f"hash {h} not covered by any shard")


def shard_id(i: int) -> str:
    return f"shardId-{i:012d}"


def read_all(client, stream: str, shard: str, iterator_type: str = "TRIM_HORIZON",
             limit: Optional[int] = None, max_empty: int = 2, max_calls: int = 10000, **kw):
    """Read a shard from `iterator_type` until `max_empty` consecutive empty pages. Returns the records."""
    it = client.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType=iterator_type,
                                   **kw)["ShardIterator"]
    out = []
    empty = 0
    for _ in range(max_calls):
        args = {"ShardIterator": it}
        if limit:
            args["Limit"] = limit
        r = client.get_records(**args)
        out.extend(r["Records"])
        it = r.get("NextShardIterator")
        if it is None:
            break
        if r["Records"]:
            empty = 0
        else:
            empty += 1
            if empty >= max_empty:
                break
    return out


def list_all_streams(client):
    """All stream names and summaries of the client's region, following NextToken with the boto3 paginator."""
    names, summaries = [], []
    for page in client.get_paginator("list_streams").paginate():
        names += page["StreamNames"]
        summaries += page.get("StreamSummaries", [])
    return names, summaries


def all_stream_names(client):
    return list_all_streams(client)[0]


def error_code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


class ServerTestCase(unittest.TestCase):
    """Base class: one server per test class (fresh data dir), torn down at class end."""

    transition_ms = 0
    fsync = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = start_server(transition_ms=cls.transition_ms, fsync=cls.fsync)
        cls.addClassCleanup(cls.server.cleanup)
        cls.endpoint = cls.server.endpoint
        cls.kinesis = cls.server.client()

    def assertClientError(self, code, fn, *args, status=400, **kwargs) -> ClientError:
        """Call fn and assert it fails with the given AWS error code, HTTP 400 and a request id."""
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception
        got = error_code(err)
        meta = err.response.get("ResponseMetadata", {})
        self.assertEqual(got, code, f"expected {code}, got {got}: {err.response}")
        self.assertEqual(meta.get("HTTPStatusCode"), status, f"HTTP status: {err.response}")
        self.assertTrue(meta.get("RequestId"), f"no x-amzn-RequestId in {meta.get('HTTPHeaders')}")
        self.assertTrue(err.response["Error"].get("Message"), f"empty error message: {err.response}")
        return err


# ---------------------------------------------------------------------------
# kinesalite: an independent Kinesis implementation (npm), for testing our
# clients against something other than our own server.
# ---------------------------------------------------------------------------

class Kinesalite:
    """kinesalite on a free loopback port. kinesalite has no --host option, so
    it is started through bench/force-loopback.js, which pins every listening
    socket of the node process to 127.0.0.1. Installed by scripts/setup.sh
    (npm ci in bench/); a missing install is an error, not a skip."""

    def __init__(self, create_ms: int = 20):
        import socket
        cli = REPO_ROOT / "bench" / "node_modules" / "kinesalite" / "cli.js"
        preload = REPO_ROOT / "bench" / "force-loopback.js"
        if not cli.exists():
            raise RuntimeError(f"kinesalite is not installed ({cli} missing): run scripts/setup.sh")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(["node", "-r", str(preload), str(cli), "--port", str(self.port),
                                      "--createStreamMs", str(create_ms), "--deleteStreamMs", str(create_ms),
                                      "--updateStreamMs", str(create_ms)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        with _live_lock:
            _live_processes.add(self.proc)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("kinesalite did not start")
                time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        with _live_lock:
            _live_processes.discard(self.proc)
