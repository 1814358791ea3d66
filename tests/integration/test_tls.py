"""The TLS port (`serve --tls-port`): a generated self-signed certificate by
default (kept across restarts), user-provided PEM files as an option, ALPN
choosing HTTP/2 or HTTP/1.1, and real clients (boto3, the aws CLI, the AWS SDK
for JavaScript v3 over HTTP/2, curl) verifying the certificate."""

import hashlib
import json
import os
import re
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import harness as h

JS_DIR = h.REPO_ROOT / "tests" / "js"
TLS_RE = re.compile(r"sluice listening on (https://[^\s:]+:(\d+)) \(certificate ([^)]+)\)")


def start_tls_server(*extra, data_dir=None):
    server = h.SluiceServer(data_dir=data_dir, transition_ms=50, extra_args=["--tls-port", "0", *extra]).start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with open(server.log_path, errors="replace") as f:
            found = TLS_RE.findall(f.read())
        if len(found) >= server.starts:
            endpoint, port, cert = found[-1]
            return server, endpoint.replace("https://127.0.0.1", "https://localhost"), int(port), cert
        time.sleep(0.05)
    server.cleanup()
    raise AssertionError("no TLS listening line")


def der_fingerprint(host, port, ca=None):
    pem = ssl.get_server_certificate((host, port))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


class TlsGeneratedCertificateTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server, cls.endpoint, cls.port, cls.cert = start_tls_server()
        cls.addClassCleanup(cls.server.cleanup)

    def client(self, service="kinesis", **kw):
        return h.boto3.session.Session(aws_access_key_id=h.ACCESS_KEY, aws_secret_access_key=h.SECRET_KEY,
                                       region_name=h.DEFAULT_REGION).client(
            service, endpoint_url=self.endpoint, verify=self.cert, **kw)

    def test_certificate_names_localhost_and_loopback_and_boto3_verifies_it(self):
        out = subprocess.run(["openssl", "x509", "-in", self.cert, "-noout", "-ext", "subjectAltName"],
                             capture_output=True, text=True).stdout
        self.assertIn("DNS:localhost", out)
        self.assertIn("IP Address:127.0.0.1", out)
        kinesis = self.client()
        name = h.create_active(kinesis, shards=1)
        kinesis.put_record(StreamName=name, Data=b"over tls", PartitionKey="k")
        it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(kinesis.get_records(ShardIterator=it)["Records"][0]["Data"], b"over tls")
        # The plain port serves the same data.
        plain = h.kinesis_client(self.server.endpoint)
        self.assertIn(name, plain.list_streams()["StreamNames"])
        # S3 over TLS too.
        s3 = self.client("s3", config=h.Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="tls-bucket")
        s3.put_object(Bucket="tls-bucket", Key="k", Body=b"v")
        self.assertEqual(s3.get_object(Bucket="tls-bucket", Key="k")["Body"].read(), b"v")

    def test_an_unverified_client_is_refused_by_its_own_check(self):
        with self.assertRaises(Exception) as cm:
            h.boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b",
                                    region_name="us-east-1").client(
                "kinesis", endpoint_url=self.endpoint,
                config=h.Config(retries={"max_attempts": 1})).list_streams()
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(cm.exception))

    def test_alpn_picks_http2_or_http1(self):
        for flag, version in (("--http2", "2"), ("--http1.1", "1.1")):
            r = subprocess.run(["curl", "-sS", flag, "--cacert", self.cert, "-o", "/dev/null", "-w",
                                "%{http_version} %{http_code}", self.endpoint + "/_sluice/health"],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.stdout, f"{version} 200", r.stderr)

    def test_aws_cli_over_tls(self):
        r = h.run_aws(self.endpoint, "list-streams", "--ca-bundle", self.cert)
        self.assertIn("StreamNames", json.loads(r.stdout))

    def test_aws_sdk_for_javascript_v3_over_tls_and_http2(self):
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=self.cert)
        proc = subprocess.run(["node", "kinesis_sdk.js", self.endpoint, h.unique_name("tlsjs")], cwd=JS_DIR,
                              capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", out, out)
        self.assertEqual(out["records"], 71)
        self.assertTrue(out["binaryIntact"])

    def test_garbage_and_abandoned_handshakes_do_not_hurt_the_port(self):
        for payload in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\x16\x03\x01\x00\x05junk", b""):
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                try:
                    s.recv(1024)
                except OSError:
                    pass
        r = subprocess.run(["curl", "-sS", "--cacert", self.cert, "-o", "/dev/null", "-w", "%{http_code}",
                            self.endpoint + "/_sluice/health"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout, "200", r.stderr)

    def test_the_generated_certificate_survives_a_restart(self):
        before = der_fingerprint("127.0.0.1", self.port)
        with open(self.cert, "rb") as f:
            pem = f.read()
        self.server.restart()
        _, _, port, cert = start_tls_server_line(self.server)
        self.__class__.port = port
        self.__class__.endpoint = f"https://localhost:{port}"
        self.assertEqual(cert, self.cert)
        with open(cert, "rb") as f:
            self.assertEqual(f.read(), pem)
        self.assertEqual(der_fingerprint("127.0.0.1", port), before)


def start_tls_server_line(server):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with open(server.log_path, errors="replace") as f:
            found = TLS_RE.findall(f.read())
        if len(found) >= server.starts:
            endpoint, port, cert = found[-1]
            return server, endpoint, int(port), cert
        time.sleep(0.05)
    raise AssertionError("no TLS listening line after restart")


class TlsUserCertificateTest(unittest.TestCase):

    def test_user_provided_certificate_is_served(self):
        work = tempfile.mkdtemp(prefix="sluice-tls-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
        cert, key = os.path.join(work, "c.pem"), os.path.join(work, "k.pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        server, endpoint, port, served = start_tls_server("--tls-cert", cert, "--tls-key", key)
        self.addCleanup(server.cleanup)
        self.assertEqual(served, cert)
        with open(cert) as f:
            want = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()
        self.assertEqual(der_fingerprint("127.0.0.1", port), want)
        kinesis = h.boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b",
                                          region_name="us-east-1").client(
            "kinesis", endpoint_url=endpoint, verify=cert)
        self.assertEqual(kinesis.list_streams()["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_unreadable_certificate_or_half_a_pair_fails_at_start(self):
        for args in (["--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"],
                     ["--tls-cert", "/nonexistent/c.pem"]):
            proc = subprocess.run([h.find_binary(), "serve", "--port", "0", "--tls-port", "0", "--data-dir",
                                   tempfile.mkdtemp(prefix="sluice-tls-bad-"), *args],
                                  capture_output=True, text=True, timeout=30)
            self.assertNotEqual(proc.returncode, 0)
            self.assertRegex(proc.stderr, r"TLS|tls")


if __name__ == "__main__":
    unittest.main()
