"""HTTP transport limits (src/http/server.h): slow clients are cut off, oversized
headers and bodies are refused with the service's error shape, the connection
limit sheds new connections without harming the open ones, and a client that
pipelines requests without reading the answers cannot grow the server's memory.
Everything here uses raw sockets, next to unmodified boto3 clients that must
keep being served."""

import json
import os
import select
import socket
import threading
import time
import unittest
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import (ACCESS_KEY, DEFAULT_REGION, SECRET_KEY, kinesis_client, skip_if_external, start_server,
                     unique_name, wait_active)

HEADER_TIMEOUT_MS = 1000
IDLE_TIMEOUT_MS = 6000
BODY_TIMEOUT_MS = 1000
MIN_BODY_RATE = 1 << 20  # bytes/s: a slow body is cut after about BODY_TIMEOUT_MS
MAX_BODY = 1 << 20
MAX_HEADER = 8192
MAX_CONNECTIONS = 24


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def read_until_closed(sock, timeout):
    """Everything the server sends until it closes the connection; raises if it does not within `timeout`."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"connection still open after {timeout}s; got {data[:200]!r}")
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        except socket.timeout:
            continue
        if not chunk:
            return data
        data += chunk


def split_response(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    return status, headers, body


class TransportLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        skip_if_external("starts its own server with tight transport limits")
        cls.server = start_server(extra_args=[
            "--header-timeout-ms", str(HEADER_TIMEOUT_MS), "--idle-timeout-ms", str(IDLE_TIMEOUT_MS),
            "--body-timeout-ms", str(BODY_TIMEOUT_MS), "--min-body-rate", str(MIN_BODY_RATE),
            "--max-body-bytes", str(MAX_BODY), "--max-header-bytes", str(MAX_HEADER),
            "--max-connections", str(MAX_CONNECTIONS)])
        cls.addr = (urlparse(cls.server.endpoint).hostname, urlparse(cls.server.endpoint).port)
        cls.k = kinesis_client(cls.server.endpoint)
        cls.stream = unique_name("limits")
        cls.k.create_stream(StreamName=cls.stream, ShardCount=1)
        wait_active(cls.k, cls.stream)
        cls.s3 = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                       region_name=DEFAULT_REGION).client(
            "s3", endpoint_url=cls.server.endpoint,
            config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
        cls.bucket = unique_name("limits").lower()
        cls.s3.create_bucket(Bucket=cls.bucket)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def tearDown(self):
        self.assertTrue(self.server.running, self.server.log_tail())

    def connect(self):
        s = socket.create_connection(self.addr, timeout=10)
        self.addCleanup(s.close)
        return s

    def kinesis_request(self, body=b"{}", target="ListStreams"):
        return (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
                b"X-Amz-Target: Kinesis_20131202." + target.encode() + b"\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)) + body

    def assert_served(self, n=3):
        """Normal clients are answered: put and read back records."""
        for i in range(n):
            data = b"normal-%d-%f" % (i, time.time())
            seq = self.k.put_record(StreamName=self.stream, Data=data, PartitionKey="p")["SequenceNumber"]
            it = self.k.get_shard_iterator(StreamName=self.stream, ShardId="shardId-000000000000",
                                           ShardIteratorType="AT_SEQUENCE_NUMBER",
                                           StartingSequenceNumber=seq)["ShardIterator"]
            self.assertEqual(self.k.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"], data)

    # ---- slow clients
    def test_slow_loris_headers_are_cut_off_while_others_are_served(self):
        request = self.kinesis_request()
        prefix = request.index(b"Content-Length")  # the request line and X-Amz-Target arrive at once
        results = {}

        def loris(i):
            s = socket.create_connection(self.addr, timeout=10)
            started = time.monotonic()
            s.sendall(request[:prefix])
            sent = prefix
            try:
                while sent < len(request):  # one byte every 100 ms, never finishing in time
                    s.send(request[sent:sent + 1])
                    sent += 1
                    if select.select([s], [], [], 0.1)[0]:
                        break
                results[i] = (read_until_closed(s, 10), time.monotonic() - started, sent)
            except OSError as e:
                results[i] = (repr(e).encode(), time.monotonic() - started, sent)
            finally:
                s.close()

        threads = [threading.Thread(target=loris, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        served = 0
        while any(t.is_alive() for t in threads):
            self.assert_served(1)
            served += 1
        for t in threads:
            t.join()
        self.assertGreater(served, 0)
        for i, (raw, elapsed, sent) in results.items():
            self.assertLess(sent, len(request), "the slow client was never cut off")
            self.assertLess(elapsed, HEADER_TIMEOUT_MS / 1000 + 2.5, f"cut off only after {elapsed:.1f}s")
            self.assertGreaterEqual(elapsed, HEADER_TIMEOUT_MS / 1000 * 0.9)
            status, headers, body = split_response(raw)
            self.assertEqual(status, 408, raw[:300])
            self.assertEqual(headers.get("connection"), "close")
            # The target header arrived before the cut: the answer has the Kinesis shape.
            self.assertEqual(json.loads(body)["__type"], "RequestTimeoutException")

    def test_silent_connection_is_closed_after_the_header_timeout(self):
        s = self.connect()
        started = time.monotonic()
        raw = read_until_closed(s, 5)
        self.assertLess(time.monotonic() - started, HEADER_TIMEOUT_MS / 1000 + 2)
        self.assertEqual(raw, b"")  # never sent a byte: no answer, just the close

    def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(self):
        s = self.connect()
        s.sendall(self.kinesis_request())
        time.sleep(0.3)
        first = s.recv(65536)
        self.assertTrue(first.startswith(b"HTTP/1.1 200"), first[:200])
        # Idle longer than the header timeout is fine between requests ...
        time.sleep(HEADER_TIMEOUT_MS / 1000 * 2)
        s.sendall(self.kinesis_request())
        time.sleep(0.3)
        second = s.recv(65536)
        self.assertTrue(second.startswith(b"HTTP/1.1 200"), second[:200])
        # ... up to the idle timeout, then the server closes the connection.
        started = time.monotonic()
        self.assertEqual(read_until_closed(s, IDLE_TIMEOUT_MS / 1000 + 3), b"")
        self.assertGreater(time.monotonic() - started, IDLE_TIMEOUT_MS / 1000 * 0.8)

    def test_slow_body_is_cut_off_with_408(self):
        s = self.connect()
        body = b'{"StreamName":"' + b"x" * 20000 + b'"}'
        s.sendall(self.kinesis_request(body, "DescribeStream")[:-len(body)])
        started = time.monotonic()
        sent = 0
        while sent < len(body) and not select.select([s], [], [], 0.05)[0]:
            s.send(body[sent:sent + 50])  # 1 KB/s, far below the minimum rate
            sent += 50
        raw = read_until_closed(s, 5)
        self.assertLess(sent, len(body))
        self.assertLess(time.monotonic() - started, BODY_TIMEOUT_MS / 1000 + 2.5)
        status, _, payload = split_response(raw)
        self.assertEqual(status, 408, raw[:300])
        self.assertEqual(json.loads(payload)["__type"], "RequestTimeoutException")
        self.assert_served()

    # ---- size limits
    def test_oversized_header_gets_431_and_the_connection_is_closed(self):
        s = self.connect()
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                  b"X-Big: " + b"a" * (MAX_HEADER * 2) + b"\r\nContent-Length: 2\r\n\r\n{}")
        status, headers, body = split_response(read_until_closed(s, 5))
        self.assertEqual(status, 431)
        self.assertEqual(json.loads(body)["__type"], "RequestHeaderFieldsTooLargeException")
        self.assertTrue(headers.get("x-amzn-requestid"))
        # Without X-Amz-Target the request is S3's: an S3 error document.
        s = self.connect()
        s.sendall(b"GET /" + self.bucket.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADER * 2) +
                  b"\r\n\r\n")
        status, headers, body = split_response(read_until_closed(s, 5))
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>RequestHeaderSectionTooLarge</Code>", body)
        self.assertTrue(headers.get("x-amz-request-id"))
        self.assert_served()

    def test_oversized_body_gets_413_even_while_it_is_being_sent(self):
        s = self.connect()
        size = MAX_BODY + 4096
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\n"
                  b"Content-Length: %d\r\n\r\n" % size)
        try:  # the client goes on sending; the answer must still reach it
            s.sendall(b"x" * (256 << 10))
        except OSError:
            pass
        status, headers, body = split_response(read_until_closed(s, 5))
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(body)["__type"], "RequestEntityTooLargeException")
        self.assertEqual(headers.get("connection"), "close")

    def test_oversized_chunked_body_gets_413(self):
        s = self.connect()
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        try:
            for _ in range(MAX_BODY // len(chunk) + 2):
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass
        status, _, body = split_response(read_until_closed(s, 5))
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(body)["__type"], "RequestEntityTooLargeException")

    def test_s3_put_object_over_the_body_limit_is_entity_too_large(self):
        with self.assertRaises(ClientError) as cm:
            self.s3.put_object(Bucket=self.bucket, Key="big", Body=b"z" * (MAX_BODY + 1))
        self.assertEqual(cm.exception.response["Error"]["Code"], "EntityTooLarge")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        # Just under the limit is stored.
        self.s3.put_object(Bucket=self.bucket, Key="fits", Body=b"z" * (MAX_BODY - 1024))
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="fits")["ContentLength"], MAX_BODY - 1024)

    # ---- connection limit
    def test_connections_beyond_the_limit_are_refused_without_harming_open_ones(self):
        held, refused = [], None
        for _ in range(MAX_CONNECTIONS + 4):  # the boto3 clients' pooled connections count too
            s = self.connect()
            s.sendall(self.kinesis_request())
            s.settimeout(5)
            try:
                reply = s.recv(65536)
            except OSError:
                reply = b""
            if reply.startswith(b"HTTP/1.1 200"):
                held.append(s)  # now an idle keep-alive connection the server counts
                continue
            # Beyond the limit: answered 503 (or reset) and closed.
            self.assertTrue(reply == b"" or reply.startswith(b"HTTP/1.1 503"), reply[:200])
            if reply:
                self.assertEqual(read_until_closed(s, 5), b"")
            refused = s
            break
        self.assertIsNotNone(refused, "no connection was refused")
        self.assertGreaterEqual(len(held), MAX_CONNECTIONS - 4)
        self.assertLessEqual(len(held), MAX_CONNECTIONS)
        # The open connections keep working ...
        for s in held:
            s.sendall(self.kinesis_request())
            self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 200"))
        # ... and once they close, new clients are served again.
        for s in held:
            s.close()
        deadline = time.monotonic() + 5
        while True:
            try:
                self.assert_served()
                fresh = self.connect()
                fresh.sendall(self.kinesis_request())
                self.assertTrue(fresh.recv(65536).startswith(b"HTTP/1.1 200"))
                break
            except (AssertionError, ClientError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.assertIn("refusing new ones", self.server.log_tail(200))

    # ---- memory per connection
    def test_pipelined_requests_never_read_do_not_grow_memory(self):
        pid = self.server.proc.pid
        obj = os.urandom(1 << 20)
        self.s3.put_object(Bucket=self.bucket, Key="mib", Body=obj)
        request = b"GET /" + self.bucket.encode() + b"/mib HTTP/1.1\r\nHost: x\r\n\r\n"
        before = vm_rss_kib(pid)
        conns = []
        for _ in range(4):  # 4 x 200 pipelined GETs of 1 MiB: 800 MiB if answers were buffered
            s = self.connect()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            s.settimeout(5)
            s.sendall(request * 200)
            conns.append(s)
        time.sleep(0.5)
        peak = max(vm_rss_kib(pid) for _ in range(5) if time.sleep(0.1) is None)
        self.assert_served(1)
        growth_mib = (peak - before) / 1024
        self.assertLess(growth_mib, 64, f"RSS grew {growth_mib:.0f} MiB for 4 non-reading clients")
        # A client that does not take its answer is cut off (1 s + 1 MiB at the minimum rate).
        time.sleep(BODY_TIMEOUT_MS / 1000 + 2.5)
        for s in conns:
            received = len(read_until_closed(s, 10))
            self.assertLess(received, 20 << 20)
        self.assert_served(1)


if __name__ == "__main__":
    unittest.main()
