"""HTTP/2 with prior knowledge (h2c) on the same port as HTTP/1.1.

The AWS SDK for JavaScript v3 Kinesis client speaks HTTP/2 to every endpoint
(tests/js/kinesis_sdk.js drives it unmodified); curl's --http2-prior-knowledge
checks the transport details: limits, HEAD lengths, a broken peer."""

import json
import os
import socket
import tempfile
import subprocess
import unittest

import harness as h

JS_DIR = h.REPO_ROOT / "tests" / "js"


def curl(*args, input_bytes=None):
    proc = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--max-time", "60", *args],
                          capture_output=True, input=input_bytes, timeout=90)
    return proc


class Http2Test(h.ServerTestCase):
    transition_ms = 50

    def test_aws_sdk_for_javascript_v3_works_end_to_end(self):
        if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").exists():
            raise RuntimeError("@aws-sdk/client-kinesis is not installed: run scripts/setup.sh (npm ci in tests/js)")
        stream = h.unique_name("js")
        proc = subprocess.run(["node", "kinesis_sdk.js", self.endpoint, stream], cwd=JS_DIR, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", out, out)
        self.assertEqual(out["status"], "ACTIVE")
        self.assertEqual(out["failed"], 0)
        self.assertEqual(out["batchEntries"], 50)
        self.assertEqual(out["parallelOk"], 20)
        self.assertEqual(out["shards"], 2)
        self.assertEqual(out["records"], 71)
        self.assertTrue(out["binaryIntact"])
        self.assertTrue(out["arrivalIsDate"])
        self.assertEqual(out["missingError"], "ResourceNotFoundException")
        self.assertEqual(out["missingStatus"], 400)
        self.assertTrue(out["deleted"])
        # The stream is really gone for an HTTP/1.1 client too.
        h.wait_gone(self.kinesis, stream)

    def test_http1_and_http2_share_the_port(self):
        r = curl("-o", "-", "-w", "\n%{http_version}", self.endpoint + "/_sluice/health")
        self.assertEqual(r.returncode, 0, r.stderr)
        body, version = r.stdout.decode().rsplit("\n", 1)
        self.assertEqual(version, "2")
        self.assertEqual(json.loads(body)["status"], "ok")
        self.assertEqual(self.kinesis.list_streams()["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_aws_errors_and_json_answers_over_http2(self):
        headers = ["-H", "Content-Type: application/x-amz-json-1.1",
                   "-H", "X-Amz-Target: Kinesis_20131202.DescribeStreamSummary"]
        r = curl("-o", "-", "-w", "\n%{http_code}", *headers, "--data-binary", '{"StreamName":"nope"}',
                 self.endpoint + "/")
        body, code = r.stdout.decode().rsplit("\n", 1)
        self.assertEqual(code, "400")
        self.assertEqual(json.loads(body)["__type"], "ResourceNotFoundException")

    def test_oversized_body_gets_413_and_the_connection_keeps_serving(self):
        # Node's own HTTP/2 client: one session, a 17 MiB body (above the
        # 16 MiB default limit), then a normal request on the same connection.
        script = r"""
const http2 = require('http2');
const session = http2.connect(process.argv[1]);
function request(headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request(headers);
    let status;
    req.on('response', (h) => { status = h[':status']; });
    req.on('data', () => {});
    req.on('end', () => resolve(status));
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  const big = await request({':method': 'POST', ':path': '/', 'content-type': 'application/x-amz-json-1.1',
                             'x-amz-target': 'Kinesis_20131202.ListStreams'}, Buffer.alloc(17 << 20, 120));
  const small = await request({':method': 'GET', ':path': '/_sluice/health'});
  console.log(JSON.stringify([big, small]));
  session.close();
})().catch((e) => { console.error(e); process.exit(1); });
"""
        proc = subprocess.run(["node", "-e", script, self.endpoint], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout), [413, 200])

    def test_s3_head_over_http2_announces_the_object_length(self):
        s3 = h.boto3.session.Session(aws_access_key_id=h.ACCESS_KEY, aws_secret_access_key=h.SECRET_KEY,
                                     region_name=h.DEFAULT_REGION).client(
            "s3", endpoint_url=self.endpoint, config=h.Config(s3={"addressing_style": "path"}))
        bucket = h.unique_name("h2b").lower()
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="obj", Body=b"0123456789")
        r = curl("-I", f"{self.endpoint}/{bucket}/obj")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip()
                 for l in r.stdout.decode().splitlines() if ":" in l}
        self.assertEqual(lines.get("content-length"), "10")

    def test_a_broken_http2_peer_does_not_hurt_the_server(self):
        host, port = self.endpoint.replace("http://", "").split(":")
        for garbage in (b"\x00" * 64, b"\xff" * 9 + b"junk" * 100, b""):
            with socket.create_connection((host, int(port)), timeout=5) as s:
                s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + garbage)
                s.shutdown(socket.SHUT_WR)
                try:
                    while s.recv(65536):
                        pass
                except OSError:
                    pass
        self.assertEqual(self.kinesis.list_streams()["ResponseMetadata"]["HTTPStatusCode"], 200)
        r = curl("-o", "/dev/null", "-w", "%{http_code}", self.endpoint + "/_sluice/health")
        self.assertEqual(r.stdout.decode(), "200")


class Http2StrictAuthTest(unittest.TestCase):
    """SigV4 over HTTP/2: the JavaScript SDK signs ":authority", not "host"."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sluice-h2auth-")
        creds = os.path.join(cls.work, "credentials")
        with open(creds, "w") as f:
            f.write(f"[default]\naws_access_key_id = {h.ACCESS_KEY}\naws_secret_access_key = {h.SECRET_KEY}\n")
        cls.server = h.SluiceServer(transition_ms=50,
                                    extra_args=["--auth", "strict", "--credentials-file", creds]).start()
        cls.addClassCleanup(cls.server.cleanup)
        cls.addClassCleanup(lambda: subprocess.run(["rm", "-rf", cls.work]))

    def run_sdk(self, script, *args, secret=None):
        env = dict(os.environ)
        if secret:
            env["SDK_SECRET"] = secret
        proc = subprocess.run(["node", script, self.server.endpoint, h.unique_name("h2a"), *args], cwd=JS_DIR,
                              capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def test_signed_http2_requests_and_event_streams_are_accepted(self):
        out = self.run_sdk("kinesis_sdk.js")
        self.assertNotIn("error", out, out)
        self.assertEqual(out["records"], 71)
        efo = self.run_sdk("efo_sdk.js", "5")
        self.assertNotIn("error", efo, efo)
        self.assertEqual(efo["records"], [f"r-{i}" for i in range(5)])

    def test_a_wrong_secret_is_refused_over_http2(self):
        out = self.run_sdk("kinesis_sdk.js", secret="wrong")
        self.assertTrue(out.get("error", "").startswith("InvalidSignatureException"), out)


if __name__ == "__main__":
    unittest.main()
