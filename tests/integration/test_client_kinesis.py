"""The C++ Kinesis client library end to end against `sluice serve`, through
tests/client_smoke (sluice-client-smoke): create, wait ACTIVE, paged
ListShards, PutRecord(s), GetRecords with every iterator type, errors as
values, delete. Credentials and region come from the standard chain
(environment, ./.env), and boto3 checks the result from the other side."""

import http.server
import json
import os
import socket
import ssl
import subprocess
import time
import tempfile
import threading
import unittest

import harness
from test_client_sigv4 import smoke_binary


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.update(extra)
    return env


class ClientKinesisTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = smoke_binary()
        cls.server = harness.start_server()
        cls.addClassCleanup(cls.server.cleanup)

    def smoke(self, *args, env=None, cwd=None, timeout=120):
        proc = subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=timeout,
                              env=env if env is not None else clean_env(AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
                                                                        AWS_SECRET_ACCESS_KEY="secret"),
                              cwd=cwd)
        try:
            out = json.loads(proc.stdout)
        except ValueError:
            self.fail(f"not JSON (rc={proc.returncode}): {proc.stdout!r} {proc.stderr!r}")
        return proc.returncode, out

    def test_end_to_end_in_region_from_flag(self):
        name = harness.unique_name("client")
        rc, out = self.smoke("e2e", "--endpoint-url", self.server.endpoint, "--region", "eu-west-1",
                             "--stream", name, "--shards", "3", "--records", "25", "--keep", "1")
        self.assertEqual(rc, 0, out)
        self.assertTrue(out["ok"])
        self.assertEqual(out["region"], "eu-west-1")
        self.assertEqual(out["stream_arn"], harness.stream_arn(name, "eu-west-1"))
        self.assertEqual(out["open_shard_count"], 3)
        self.assertEqual(out["shards"], [harness.shard_id(i) for i in range(3)])  # paged with MaxResults=1
        self.assertEqual(out["put_failed"], 0)
        self.assertEqual(out["received"], 25)
        self.assertEqual(out["matched"], 25)
        self.assertGreaterEqual(out["iterators"]["AT_SEQUENCE_NUMBER"], 1)
        self.assertEqual(out["iterators"]["AFTER_SEQUENCE_NUMBER"], out["iterators"]["AT_SEQUENCE_NUMBER"] - 1)
        self.assertGreaterEqual(out["iterators"]["AT_TIMESTAMP"], 1)
        self.assertEqual(out["iterators"]["LATEST"], 0)
        err = out["missing_error"]
        self.assertEqual((err["kind"], err["type"], err["http_status"]), ("service", "ResourceNotFoundException", 400))
        self.assertTrue(err["request_id"])
        self.assertTrue(err["message"])
        self.assertLessEqual(out["connections"], 2, "keep-alive connections should be reused")

        # The server namespaced the stream by the signature's region: boto3 sees it in eu-west-1 only.
        eu = self.server.client(region="eu-west-1")
        self.assertEqual(eu.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"], 3)
        records = []
        for i in range(3):
            records += harness.read_all(eu, name, harness.shard_id(i))
        self.assertEqual(len(records), 25)
        self.assertIn(b'{"i":0}\x00\xff', [r["Data"] for r in records])
        us = self.server.client(region="us-east-1")
        self.assertNotIn(name, harness.all_stream_names(us))

    def test_credentials_and_region_from_dotenv_file(self):
        name = harness.unique_name("dotenv")
        with tempfile.TemporaryDirectory() as cwd:
            with open(os.path.join(cwd, ".env"), "w") as f:
                f.write("# seed-style credentials\nAWS_ACCESS_KEY_ID=AKIDDOTENV\nAWS_SECRET_ACCESS_KEY='s3cr3t'\n"
                        f"AWS_DEFAULT_REGION=ap-northeast-1\nAWS_ENDPOINT_URL_KINESIS={self.server.endpoint}\n")
            rc, out = self.smoke("e2e", "--stream", name, "--shards", "1", "--records", "3", env=clean_env(), cwd=cwd)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out["region"], "ap-northeast-1")
        self.assertEqual(out["endpoint"], self.server.endpoint)
        self.assertEqual(out["stream_arn"], harness.stream_arn(name, "ap-northeast-1"))
        self.assertEqual(out["received"], 3)

    def test_environment_beats_dotenv(self):
        name = harness.unique_name("envwins")
        with tempfile.TemporaryDirectory() as cwd:
            with open(os.path.join(cwd, ".env"), "w") as f:
                f.write("AWS_ACCESS_KEY_ID=X\nAWS_SECRET_ACCESS_KEY=Y\nAWS_REGION=ap-northeast-1\n"
                        "AWS_ENDPOINT_URL=http://127.0.0.1:1\n")
            env = clean_env(AWS_REGION="sa-east-1", AWS_ENDPOINT_URL=self.server.endpoint)
            rc, out = self.smoke("e2e", "--stream", name, "--shards", "1", "--records", "1", env=env, cwd=cwd)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out["region"], "sa-east-1")

    def test_missing_credentials_is_an_error_value(self):
        with tempfile.TemporaryDirectory() as cwd:
            rc, out = self.smoke("describe", "--endpoint-url", self.server.endpoint, "--stream", "x",
                                 env=clean_env(HOME=cwd), cwd=cwd)
        self.assertEqual(out["error"]["kind"], "invalid-argument")
        self.assertIn("AWS_ACCESS_KEY_ID", out["error"]["message"])

    def test_unreachable_endpoint_is_retried_then_reported(self):
        with tempfile.TemporaryDirectory() as cwd:
            rc, out = self.smoke("describe", "--endpoint-url", "http://127.0.0.1:1", "--stream", "x",
                                 "--max-attempts", "2", "--base-delay-ms", "10", cwd=cwd)
        self.assertEqual(out["error"]["kind"], "network")
        self.assertEqual(out["error"]["attempts"], 2)


class ClientKinesaliteTest(unittest.TestCase):
    """The same client, unchanged, against kinesalite — an independent implementation."""

    @classmethod
    def setUpClass(cls):
        cls.smoke_bin = smoke_binary()
        cls.kinesalite = harness.Kinesalite()
        cls.port = cls.kinesalite.port
        cls.addClassCleanup(cls.kinesalite.stop)

    def test_end_to_end(self):
        env = clean_env(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret")
        proc = subprocess.run([self.smoke_bin, "e2e", "--endpoint-url", f"http://127.0.0.1:{self.port}",
                               "--region", "us-east-1", "--stream", harness.unique_name("kl"), "--shards", "3",
                               "--records", "25"], capture_output=True, text=True, timeout=120, env=env)
        out = json.loads(proc.stdout)
        self.assertEqual(proc.returncode, 0, out)
        self.assertEqual(out["shards"], [harness.shard_id(i) for i in range(3)])
        self.assertEqual((out["put_failed"], out["received"], out["matched"]), (0, 25, 25))
        self.assertEqual(out["iterators"]["AFTER_SEQUENCE_NUMBER"], out["iterators"]["AT_SEQUENCE_NUMBER"] - 1)
        self.assertEqual(out["iterators"]["LATEST"], 0)
        self.assertEqual(out["missing_error"]["type"], "ResourceNotFoundException")


SUMMARY = {"StreamDescriptionSummary": {
    "StreamName": "tls", "StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/tls", "StreamStatus": "ACTIVE",
    "RetentionPeriodHours": 24, "StreamCreationTimestamp": 1700000000, "OpenShardCount": 1}}


class ClientTlsTest(unittest.TestCase):
    """HTTPS: certificate chain and host name verified, SNI sent (a local TLS server with a test CA)."""

    @classmethod
    def setUpClass(cls):
        cls.binary = smoke_binary()
        cls.dir = tempfile.mkdtemp(prefix="sluice-tls-")
        cls.addClassCleanup(lambda: subprocess.run(["rm", "-rf", cls.dir]))
        cls.cert = os.path.join(cls.dir, "cert.pem")
        key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", cls.cert], check=True, capture_output=True)
        cls.sni = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.dumps(SUMMARY).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cls.cert, key)
        ctx.sni_callback = lambda sock, name, c: cls.sni.append(name)
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        cls.httpd.socket = ctx.wrap_socket(cls.httpd.socket, server_side=True)
        cls.port = cls.httpd.server_address[1]
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.httpd.shutdown)

    def describe(self, url, *extra):
        env = clean_env(AWS_ACCESS_KEY_ID="AKID", AWS_SECRET_ACCESS_KEY="secret", AWS_REGION="us-east-1")
        proc = subprocess.run([self.binary, "describe", "--endpoint-url", url, "--stream", "tls",
                               "--max-attempts", "1", "--timeout-ms", "5000", *extra],
                              capture_output=True, text=True, timeout=60, env=env, cwd=self.dir)
        return json.loads(proc.stdout)

    def test_verified_connection_with_sni(self):
        out = self.describe(f"https://localhost:{self.port}", "--ca-file", self.cert)
        self.assertEqual(out.get("ok", {}).get("StreamName"), "tls", out)
        self.assertIn("localhost", self.sni)

    def test_untrusted_certificate_is_rejected(self):
        out = self.describe(f"https://localhost:{self.port}")  # system CA store does not know the test CA
        self.assertEqual(out["error"]["kind"], "tls", out)

    def test_host_name_mismatch_is_rejected(self):
        out = self.describe(f"https://127.0.0.1:{self.port}", "--ca-file", self.cert)  # cert names only localhost
        self.assertEqual(out["error"]["kind"], "tls", out)


if __name__ == "__main__":
    unittest.main()
