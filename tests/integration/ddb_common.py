"""Shared pieces of the DynamoDB integration tests: unmodified boto3 clients,
the two servers a behavioural suite runs against (the real `sluice serve` and
dynalite 4.0.0 from npm, both on loopback), and small helpers.

dynalite is installed by scripts/setup.sh (npm ci in bench/); a missing
install is an error, not a skip.
"""

from __future__ import annotations

import socket
import subprocess
import time
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness as h


def ddb_client(endpoint: str, region: str = h.DEFAULT_REGION, key: str = h.ACCESS_KEY,
               secret: str = h.SECRET_KEY, **config):
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60,
               max_pool_connections=32)
    cfg.update(config)
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=region)
    return session.client("dynamodb", endpoint_url=endpoint, config=Config(**cfg))


def ddb_resource(endpoint: str, region: str = h.DEFAULT_REGION):
    session = boto3.session.Session(aws_access_key_id=h.ACCESS_KEY, aws_secret_access_key=h.SECRET_KEY,
                                    region_name=region)
    return session.resource("dynamodb", endpoint_url=endpoint,
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def wait_table(client, table: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = client.describe_table(TableName=table)["Table"]
        if d["TableStatus"] == "ACTIVE" and all(g.get("IndexStatus") == "ACTIVE"
                                                 for g in d.get("GlobalSecondaryIndexes", [])):
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"{table} not ACTIVE: {d}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dynalite:
    """dynalite 4.0.0 on a free loopback port, in memory, zero transition times."""

    def __init__(self):
        cli = h.REPO_ROOT / "bench" / "node_modules" / "dynalite" / "cli.js"
        if not cli.exists():
            raise RuntimeError(f"dynalite is not installed ({cli} missing): run scripts/setup.sh")
        preload = str(h.REPO_ROOT / "bench" / "force-loopback.js")
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(["node", "-r", preload, str(cli), "--port", str(self.port),
                                      "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        with h._live_lock:
            h._live_processes.add(self.proc)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.cleanup()
                    raise RuntimeError("dynalite did not start")
                time.sleep(0.1)

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        with h._live_lock:
            h._live_processes.discard(self.proc)


class PeerCase(unittest.TestCase):
    """A behavioural suite runs once per server: subclasses set `server_kind`.

    `sluice` starts the real binary (extra args from `sluice_args`); `dynalite`
    starts the npm peer.  `needs(feature)` skips, with the reason, a case the
    server does not implement (dynalite: transactions, TTL,
    ReturnValuesOnConditionCheckFailure)."""

    server_kind = None
    sluice_args = ("--table-transition-ms", "0")
    DYNALITE_LACKS = {
        "transactions": "dynalite 4.0.0 has no TransactWriteItems/TransactGetItems",
        "ttl": "dynalite 4.0.0 has no TTL",
        "rvoccf": "dynalite 4.0.0 ignores ReturnValuesOnConditionCheckFailure",
        "backups": "dynalite 4.0.0 has no Describe/UpdateContinuousBackups (UnknownOperationException)",
        "limits": "dynalite 4.0.0 has no DescribeLimits (UnknownOperationException)",
    }

    @classmethod
    def setUpClass(cls):
        if cls.server_kind is None:
            raise unittest.SkipTest("abstract suite")
        if cls.server_kind == "sluice":
            cls.server = h.start_server(extra_args=list(cls.sluice_args))
        else:
            cls.server = Dynalite()
        cls.endpoint = cls.server.endpoint
        cls.ddb = ddb_client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        srv = getattr(cls, "server", None)
        if srv is not None:
            srv.cleanup()

    @property
    def is_dynalite(self) -> bool:
        return self.server_kind == "dynalite"

    def needs(self, feature: str):
        if self.is_dynalite and feature in self.DYNALITE_LACKS:
            self.skipTest(self.DYNALITE_LACKS[feature])

    def differs(self, what: str):
        """The peer was just observed to differ from AWS's documented behaviour
        (listed in docs/dynamodb-peers.md): reported as a skip, never a pass."""
        self.skipTest(f"{self.server_kind} differs from AWS: {what} (docs/dynamodb-peers.md)")

    def assertDdbError(self, err_code, fn, *args, status=400, message=None, message_contains=None, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        resp = cm.exception.response
        self.assertEqual(code(cm.exception), err_code, resp)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], status, resp)
        msg = resp["Error"].get("Message", "")
        if message is not None:
            self.assertEqual(msg, message, resp)
        if message_contains is not None:
            self.assertIn(message_contains, msg, resp)
        return cm.exception
