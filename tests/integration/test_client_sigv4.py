"""SigV4: the C++ signer (sluice::client::SignRequest, via sluice-client-smoke's
`sign` mode) must produce byte-identical Authorization headers, canonical
requests and added headers to botocore's SigV4Auth / S3SigV4Auth
(tools/sigv4_oracle.py) for a range of requests at a fixed time."""

import base64
import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ORACLE = REPO_ROOT / "tools" / "sigv4_oracle.py"


def smoke_binary() -> str:
    """sluice-client-smoke: $SLUICE_CLIENT_SMOKE, else beside $SLUICE_BIN's build tree, else the newest build*/."""
    env = os.environ.get("SLUICE_CLIENT_SMOKE")
    if env:
        return env
    cands = []
    if os.environ.get("SLUICE_BIN"):
        cands.append(Path(os.environ["SLUICE_BIN"]).resolve().parents[1] / "tests" / "sluice-client-smoke")
    cands += sorted(REPO_ROOT.glob("build*/tests/sluice-client-smoke"), key=lambda p: p.stat().st_mtime, reverse=True)
    for c in cands:
        if os.access(c, os.X_OK):
            return str(c)
    raise unittest.SkipTest("sluice-client-smoke not built (set SLUICE_CLIENT_SMOKE)")


KINESIS_HOST = "kinesis.us-east-1.amazonaws.com"


def kinesis_post(op, body, **kw):
    case = {"method": "POST", "host": KINESIS_HOST, "path": "/", "service": "kinesis",
            "headers": [["X-Amz-Target", f"Kinesis_20131202.{op}"],
                        ["Content-Type", "application/x-amz-json-1.1"]],
            "body": body}
    case.update(kw)
    return case


def cases():
    out = []
    # AWS's published examples (sig-v4 test suite "get-vanilla"; IAM ListUsers).
    out.append({"method": "GET", "host": "example.amazonaws.com", "service": "service", "body": ""})
    out.append({"method": "GET", "host": "iam.amazonaws.com", "service": "iam",
                "query": [["Action", "ListUsers"], ["Version", "2010-05-08"]],
                "headers": [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]]})
    # Kinesis JSON 1.1 POSTs with assorted bodies.
    out.append(kinesis_post("ListStreams", "{}"))
    out.append(kinesis_post("ListStreams", ""))
    out.append(kinesis_post("CreateStream", json.dumps({"StreamName": "events", "ShardCount": 2})))
    out.append(kinesis_post("PutRecord", json.dumps({"StreamName": "é ünïcode ✓", "Data": "AAEC", "PartitionKey": "ké"},
                                                    ensure_ascii=False)))
    out.append(kinesis_post("PutRecords", json.dumps({"StreamName": "s", "Records": [
        {"Data": base64.b64encode(os.urandom(64)).decode(), "PartitionKey": str(i)} for i in range(50)]})))
    out.append(kinesis_post("GetRecords", json.dumps({"ShardIterator": "x" * 300}), region="eu-west-1"))
    out.append(kinesis_post("PutRecord", "{}", body_b64=base64.b64encode(bytes(range(256))).decode()))
    out.append(kinesis_post("PutRecord", "{}", use_payload_hash=True))
    # Session tokens, other regions and times, local endpoints with ports.
    out.append(kinesis_post("ListShards", "{}", token="FQoGZXIvYXdzE//////////wEaDAbc+/=token"))
    out.append(kinesis_post("ListShards", "{}", region="ap-southeast-2", time="20240229T235959Z",
                            access_key="AKIAIOSFODNN7EXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
    out.append(kinesis_post("ListShards", "{}", scheme="http", host="127.0.0.1", port=4566))
    out.append(kinesis_post("ListShards", "{}", scheme="http", host="localhost", port=80))
    out.append(kinesis_post("ListShards", "{}", scheme="https", host="Kinesis.US-EAST-1.amazonaws.com", port=443))
    out.append(kinesis_post("ListShards", "{}", scheme="https", host="::1", port=8443))
    out.append(kinesis_post("ListShards", "{}", region="cn-north-1", host="kinesis.cn-north-1.amazonaws.com.cn"))
    # Firehose; unsigned payload for a non-S3 service.
    out.append({"method": "POST", "host": "firehose.eu-central-1.amazonaws.com", "service": "firehose",
                "region": "eu-central-1", "body": json.dumps({"DeliveryStreamName": "d", "Record": {"Data": "eA=="}}),
                "headers": [["X-Amz-Target", "Firehose_20150804.PutRecord"],
                            ["Content-Type", "application/x-amz-json-1.1"]]})
    out.append(kinesis_post("PutRecord", "{}", unsigned_payload=True))
    # Header canonicalisation: case, folding of inner whitespace, repeats, unsigned headers, an explicit Host.
    out.append(kinesis_post("ListShards", "{}", headers=[
        ["X-Amz-Target", "  Kinesis_20131202.ListShards  "], ["Content-Type", "application/x-amz-json-1.1"],
        ["My-Header1", "value1"], ["my-header1", "value2"], ["My-Header2", "\t a   b \t c  "],
        ["User-Agent", "boto3/1.0"], ["Connection", "keep-alive"], ["X-Amzn-Trace-Id", "Root=1"],
        ["Expect", "100-continue"], ["Transfer-Encoding", "chunked"], ["Host", "kinesis.us-east-1.amazonaws.com"],
        ["X-Amz-Date", "19990101T000000Z"], ["Authorization", "stale"]]))
    out.append(kinesis_post("ListShards", "{}", headers=[["Date", "Mon, 01 Jan 1990 00:00:00 GMT"],
                                                         ["Content-Type", "application/x-amz-json-1.1"]]))
    out.append(kinesis_post("ListShards", "{}", headers=[["X-Amz-Content-SHA256", "abc123"],
                                                         ["Content-Type", "application/x-amz-json-1.1"]]))
    # Query strings: odd characters, repeated keys (sorted by value), empty values, unicode.
    odd = [["b", "x y"], ["a", "1+1=2"], ["a", "1"], ["tilde~", "~v"], ["pct", "100%"], ["e", ""],
           ["uni", "ü✓"], ["sl/ash", "a/b?c&d"], ["Caps", "UP"], ["-_.", "*'()!"]]
    out.append({"method": "GET", "host": "example.amazonaws.com", "service": "service", "query": odd})
    out.append({"method": "GET", "host": "example.amazonaws.com", "service": "service",
                "query": [["Param1", "value2"], ["Param1", "value1"], ["param1", "value0"]]})
    # Paths: spaces, unicode, ~ + = %, dot segments, repeated slashes, trailing slash.
    for path in ["/my key/doc.txt", "/ünï/©/✓", "/a~b+c=d%e", "/./a/../b//c/", "//", "/a/b/..",
                 "/example/path with spaces/", "/%20already%2Fencoded"]:
        out.append({"method": "GET", "host": "example.amazonaws.com", "service": "service", "path": path})
        out.append({"method": "PUT", "host": "bucket.s3.us-west-2.amazonaws.com", "service": "s3",
                    "region": "us-west-2", "path": path, "body": "object bytes"})
    # S3: payload hash header always; UNSIGNED-PAYLOAD; session token; query on s3.
    out.append({"method": "GET", "host": "s3.amazonaws.com", "service": "s3", "path": "/bucket/key"})
    out.append({"method": "PUT", "host": "s3.amazonaws.com", "service": "s3", "path": "/bucket/big",
                "body": "x" * 100000, "unsigned_payload": True})
    out.append({"method": "PUT", "host": "s3.amazonaws.com", "service": "s3", "path": "/bucket/key",
                "body": "x", "token": "session/token+=", "use_payload_hash": True,
                "headers": [["X-Amz-Content-SHA256", "stale"], ["Content-MD5", "abc=="]]})
    out.append({"method": "GET", "host": "s3.eu-west-1.amazonaws.com", "service": "s3", "region": "eu-west-1",
                "path": "/bucket", "query": [["list-type", "2"], ["prefix", "a b/ü"], ["max-keys", "5"]]})
    return out


class SigV4OracleTest(unittest.TestCase):
    def run_json(self, cmd, cases):
        proc = subprocess.run(cmd, input=json.dumps(cases).encode(), capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        return json.loads(proc.stdout)

    def test_byte_identical_to_botocore(self):
        cs = cases()
        ours = self.run_json([smoke_binary(), "sign"], cs)
        theirs = self.run_json([sys.executable, str(ORACLE)], cs)
        self.assertEqual(len(ours), len(cs))
        self.assertEqual(len(theirs), len(cs))
        for i, (case, a, b) in enumerate(zip(cs, ours, theirs)):
            with self.subTest(i=i, case=json.dumps(case, ensure_ascii=False)[:200]):
                self.assertEqual(a["canonical_request"], b["canonical_request"])
                self.assertEqual(a["string_to_sign"], b["string_to_sign"])
                self.assertEqual(a["authorization"], b["authorization"])
                norm = lambda hs: sorted((k.lower(), v) for k, v in hs)
                self.assertEqual(norm(a["headers"]), norm(b["headers"]))

    def test_published_aws_values(self):
        """get-vanilla (aws-sig-v4-test-suite) and the IAM ListUsers example from AWS's SigV4 documentation."""
        ours = self.run_json([smoke_binary(), "sign"], cases()[:2])
        self.assertTrue(ours[0]["authorization"].endswith(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
        self.assertTrue(ours[1]["authorization"].endswith(
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"))


if __name__ == "__main__":
    unittest.main()
