"""HTTP/2 bounded like HTTP/1.1 (src/http/h2_session.h, src/http/inflight_budget.h).

A hand-written HTTP/2 client (h2c with prior knowledge: frames and HPACK built
here, so that it can do what no well-behaved client library does) performs the
HPACK amplification attack: one 4,000-byte header inserted into the HPACK
dynamic table, then referenced with one byte each, hundreds of times per
stream, on many streams that never end, over several connections. Before the
fix each such connection cost the server about 133 MiB. Also: streams whose
header block or body never completes are reset after the header / body
timeout, and the server-wide budget for request bytes in flight refuses
HTTP/2 streams (REFUSED_STREAM) and HTTP/1.1 requests (503) beyond it, and
gives the bytes back when a request goes away."""

import json
import socket
import struct
import subprocess
import threading
import time
import unittest
from urllib.parse import urlparse

from harness import kinesis_client, skip_if_external, start_server, unique_name, wait_active

HEADER_TIMEOUT_MS = 1000
BODY_TIMEOUT_MS = 1000
MAX_BODY = 1 << 20

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
SETTINGS_MAX_HEADER_LIST_SIZE = 6
REFUSED_STREAM, CANCEL = 7, 8


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def frame(kind, flags, stream_id, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream_id) + payload


# ---- HPACK (RFC 7541), encoding only, no Huffman
def hpack_int(value, prefix_bits, first_byte):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = bytearray([first_byte | limit])
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def hpack_str(s):
    return hpack_int(len(s), 7, 0) + s


def indexed(index):  # a field from the static (1-61) or dynamic (62-) table
    return hpack_int(index, 7, 0x80)


def literal_indexed(name, value):  # literal with incremental indexing, new name: enters the dynamic table
    return b"\x40" + hpack_str(name) + hpack_str(value)


def literal(name, value):  # literal without indexing, new name
    return b"\x00" + hpack_str(name) + hpack_str(value)


def request_head(method=b"GET", path=b"/"):
    """:method, :scheme http, :path, :authority."""
    head = indexed(2) if method == b"GET" else indexed(3) if method == b"POST" else b"\x02" + hpack_str(method)
    head += indexed(6)  # :scheme http
    head += indexed(4) if path == b"/" else b"\x04" + hpack_str(path)
    return head + b"\x01" + hpack_str(b"localhost")  # :authority, name from the static table


class H2Connection:
    """A raw h2c connection. A reader thread answers SETTINGS and PING and
    records what the server sends per stream: RST_STREAM codes, response
    HEADERS, DATA bytes, and a GOAWAY."""

    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=10)
        self.lock = threading.RLock()
        self.resets = {}  # stream id -> error code
        self.responses = set()  # stream ids with a response HEADERS
        self.data = {}  # stream id -> bytes
        self.ended = set()  # stream ids the server ended (END_STREAM)
        self.goaway = None
        self.closed = False
        self.settings = {}
        self.got_settings = threading.Event()
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.got_settings.wait(10):
            raise AssertionError("no SETTINGS from the server")

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def _read(self):
        try:
            while True:
                head = self._recv_exact(9)
                length = int.from_bytes(head[:3], "big")
                kind, flags = head[3], head[4]
                sid = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
                payload = self._recv_exact(length)
                with self.lock:
                    if kind == SETTINGS and not flags & ACK:
                        for i in range(0, len(payload), 6):
                            key, value = struct.unpack(">HI", payload[i:i + 6])
                            self.settings[key] = value
                        self.send(frame(SETTINGS, ACK, 0))
                        self.got_settings.set()
                    elif kind == PING and not flags & ACK:
                        self.send(frame(PING, ACK, 0, payload))
                    elif kind == RST_STREAM:
                        self.resets[sid] = struct.unpack(">I", payload)[0]
                    elif kind == HEADERS:
                        self.responses.add(sid)
                    elif kind == DATA:
                        self.data[sid] = self.data.get(sid, b"") + payload
                    elif kind == GOAWAY:
                        self.goaway = struct.unpack(">I", payload[4:8])[0]
                    if kind in (HEADERS, DATA) and flags & END_STREAM:
                        self.ended.add(sid)
        except (OSError, ConnectionError):
            pass
        finally:
            self.closed = True

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def finished(self, sid):
        """The server reset the stream or ended its answer."""
        with self.lock:
            return sid in self.resets or sid in self.ended

    def wait(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate():
                    return True
            time.sleep(0.02)
        with self.lock:
            return predicate()

    def close(self):
        try:
            # Shut down first: a plain close() leaves the socket open while
            # the reader thread is blocked in recv() on it.
            self.sock.shutdown(socket.SHUT_RDWR)
            self.sock.close()
        except OSError:
            pass


def curl_health(endpoint):
    proc = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--max-time", "20", "-o", "-", "-w",
                           "\n%{http_code} %{http_version}", endpoint + "/_sluice/health"],
                          capture_output=True, timeout=60)
    return proc.stdout.decode(errors="replace").rsplit("\n", 1)[-1]


class Http2LimitsTest(unittest.TestCase):
    """The default header and in-flight limits; 1 s header and body timeouts."""

    @classmethod
    def setUpClass(cls):
        skip_if_external("starts its own server and reads its memory use")
        cls.server = start_server(extra_args=[
            "--header-timeout-ms", str(HEADER_TIMEOUT_MS), "--body-timeout-ms", str(BODY_TIMEOUT_MS),
            "--min-body-rate", str(1 << 20)])
        cls.addClassCleanup(cls.server.cleanup)
        url = urlparse(cls.server.endpoint)
        cls.addr = (url.hostname, url.port)

    def assert_still_serving(self):
        self.assertEqual(curl_health(self.server.endpoint), "200 2")
        k = kinesis_client(self.server.endpoint)
        self.assertEqual(k.list_streams()["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_settings_advertise_the_header_list_size(self):
        c = H2Connection(self.addr)
        try:
            self.assertEqual(c.settings.get(SETTINGS_MAX_HEADER_LIST_SIZE), 64 << 10)
        finally:
            c.close()

    def amplify(self, refs_per_stream, connections=16, streams=128):
        """The attack: per connection one 4,000-byte header in the dynamic
        table, then `streams` streams (HEADERS with END_HEADERS, never
        END_STREAM) each naming it `refs_per_stream` times. Returns the
        connections and the server's RSS growth in MiB at its peak."""
        pid = self.server.proc.pid
        before = vm_rss_kib(pid)
        conns, sent = [], 0
        big = b"a" * 4000
        for _ in range(connections):
            c = H2Connection(self.addr)
            out = bytearray()
            for i in range(streams):
                sid = 2 * i + 1
                block = request_head()
                block += literal_indexed(b"x-amplified", big) if i == 0 else indexed(62)
                block += indexed(62) * (refs_per_stream - 1)
                out += frame(HEADERS, END_HEADERS, sid, block)
            c.send(bytes(out))
            sent += len(out)
            conns.append(c)
        peak = before
        for _ in range(10):
            time.sleep(0.1)
            peak = max(peak, vm_rss_kib(pid))
        decoded = connections * streams * refs_per_stream * (len(b"x-amplified") + len(big) + 32)
        print(f"\n  {connections} connections x {streams} streams x {refs_per_stream} refs: {sent} bytes sent, "
              f"{decoded >> 20} MiB of decoded headers; RSS {before >> 10} -> {peak >> 10} MiB", flush=True)
        return conns, (peak - before) / 1024

    def test_hpack_amplification_is_refused_without_growing_memory(self):
        # 252 references of 4 KB per stream: 1 MB of decoded headers per stream,
        # far above --max-header-bytes (64 KiB): answered at the end of the
        # header block (431, here in S3's form: no X-Amz-Target), its fields dropped.
        conns, growth = self.amplify(252)
        try:
            self.assertLess(growth, 64, f"RSS grew {growth:.0f} MiB")
            for c in conns:
                self.assertTrue(c.wait(lambda: all(c.finished(2 * i + 1) for i in range(128)), 10),
                                f"streams not answered: resets {len(c.resets)}, ended {len(c.ended)}")
                self.assertIn(b"<Code>RequestHeaderSectionTooLarge</Code>", c.data.get(1, b""))
            self.assert_still_serving()
        finally:
            for c in conns:
                c.close()

    def test_header_blocks_under_the_stream_limit_are_refused_beyond_the_connection_budget(self):
        # 15 references: 60 KB per stream, under the stream limit; a
        # connection's waiting header blocks may hold 4 x 64 KiB, so most
        # streams are refused, and all are reset after the body timeout.
        conns, growth = self.amplify(15)
        try:
            self.assertLess(growth, 64, f"RSS grew {growth:.0f} MiB")
            for c in conns:
                refused = c.wait(lambda: list(c.resets.values()).count(REFUSED_STREAM) >= 120, 5)
                self.assertTrue(refused, f"REFUSED_STREAM: {list(c.resets.values()).count(REFUSED_STREAM)}")
            for c in conns:
                self.assertTrue(c.wait(lambda: len(c.resets) == 128, 10), f"reset: {len(c.resets)} of 128")
                self.assertFalse(c.closed)
            self.assert_still_serving()
        finally:
            for c in conns:
                c.close()

    def test_oversized_header_list_gets_the_services_431(self):
        c = H2Connection(self.addr)
        try:
            block = request_head(b"POST") + literal(b"x-amz-target", b"Kinesis_20131202.ListStreams")
            block += literal(b"content-type", b"application/x-amz-json-1.1")
            block += literal(b"x-padding-1", b"p" * (35 << 10)) + literal(b"x-padding-2", b"p" * (35 << 10))
            # A block larger than a frame: HEADERS + CONTINUATIONs.
            pieces = [block[i:i + 16384] for i in range(0, len(block), 16384)]
            out = frame(HEADERS, END_STREAM, 1, pieces[0])
            for i, piece in enumerate(pieces[1:], 2):
                out += frame(CONTINUATION, END_HEADERS if i == len(pieces) else 0, 1, piece)
            c.send(out)
            self.assertTrue(c.wait(lambda: 1 in c.ended, 10), f"resets {c.resets}")
            body = json.loads(c.data[1])
            self.assertEqual(body["__type"], "RequestHeaderFieldsTooLargeException")
            # The connection goes on serving.
            c.send(frame(HEADERS, END_STREAM | END_HEADERS, 3, request_head(path=b"/_sluice/health")))
            self.assertTrue(c.wait(lambda: 3 in c.ended, 10))
            self.assertEqual(json.loads(c.data[3])["status"], "ok")
        finally:
            c.close()

    def test_unfinished_header_block_is_reset_after_the_header_timeout(self):
        c = H2Connection(self.addr)
        try:
            start = time.monotonic()
            # HEADERS without END_HEADERS, and never a CONTINUATION.
            c.send(frame(HEADERS, 0, 1, request_head() + literal(b"x-slow", b"1")))
            self.assertTrue(c.wait(lambda: 1 in c.resets, 5), "not reset")
            elapsed = time.monotonic() - start
            self.assertEqual(c.resets[1], CANCEL)
            self.assertGreater(elapsed, HEADER_TIMEOUT_MS / 1000 - 0.1)
            self.assertLess(elapsed, HEADER_TIMEOUT_MS / 1000 + 2.5)
        finally:
            c.close()
        self.assert_still_serving()

    def test_request_whose_body_never_comes_is_reset_after_the_body_timeout(self):
        c = H2Connection(self.addr)
        try:
            start = time.monotonic()
            block = request_head(b"POST") + literal(b"x-amz-target", b"Kinesis_20131202.ListStreams")
            c.send(frame(HEADERS, END_HEADERS, 1, block) + frame(DATA, 0, 1, b"{"))
            self.assertTrue(c.wait(lambda: 1 in c.resets, 5), "not reset")
            self.assertEqual(c.resets[1], CANCEL)
            self.assertLess(time.monotonic() - start, BODY_TIMEOUT_MS / 1000 + 2.5)
            # The connection itself is still usable.
            c.send(frame(HEADERS, END_STREAM | END_HEADERS, 3, request_head(path=b"/_sluice/health")))
            self.assertTrue(c.wait(lambda: 3 in c.ended, 10))
        finally:
            c.close()


class InflightBudgetTest(unittest.TestCase):
    """A server-wide budget of 1 MiB (+ one maximal header: 1 MiB + 8 KiB),
    shared by HTTP/1.1 and HTTP/2."""

    @classmethod
    def setUpClass(cls):
        skip_if_external("starts its own server with a tiny in-flight budget")
        cls.server = start_server(extra_args=[
            "--max-inflight-bytes", str(1 << 20), "--max-body-bytes", str(MAX_BODY),
            "--max-header-bytes", str(8192), "--body-timeout-ms", "20000", "--header-timeout-ms", "20000"])
        cls.addClassCleanup(cls.server.cleanup)
        url = urlparse(cls.server.endpoint)
        cls.addr = (url.hostname, url.port)

    def http1_post(self, length, send_body=True):
        """A Kinesis ListStreams request announcing `length` body bytes; returns the socket."""
        s = socket.create_connection(self.addr, timeout=10)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                  b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n" % length)
        if send_body:
            s.sendall(b"{" + b" " * (length - 2) + b"}")
        return s

    def read_answer(self, s):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        while len(body) < int(headers.get("content-length", 0)):
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(lines[0].split()[1]), headers, body

    def test_http1_gets_503_while_an_http2_stream_holds_the_budget(self):
        c = H2Connection(self.addr)
        try:
            block = request_head(b"POST") + literal(b"x-amz-target", b"Kinesis_20131202.ListStreams")
            c.send(frame(HEADERS, END_HEADERS, 1, block))
            for _ in range(900_000 // 15_000):
                c.send(frame(DATA, 0, 1, b" " * 15_000))
            time.sleep(0.5)
            self.assertNotIn(1, c.resets)
            s = self.http1_post(500_000, send_body=False)
            status, headers, body = self.read_answer(s)
            s.close()
            self.assertEqual(status, 503)
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertEqual(json.loads(body)["__type"], "ServiceUnavailableException")
        finally:
            c.close()
        # Closing the HTTP/2 connection gave its bytes back.
        time.sleep(0.3)
        s = self.http1_post(500_000)
        status, _, body = self.read_answer(s)
        s.close()
        self.assertEqual(status, 200, body[:300])

    def test_chunked_http1_body_gets_503_when_it_grows_past_the_budget(self):
        c = H2Connection(self.addr)
        try:
            block = request_head(b"POST") + literal(b"x-amz-target", b"Kinesis_20131202.ListStreams")
            c.send(frame(HEADERS, END_HEADERS, 1, block))
            for _ in range(900_000 // 15_000):
                c.send(frame(DATA, 0, 1, b" " * 15_000))
            time.sleep(0.5)
            s = socket.create_connection(self.addr, timeout=10)
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                      b"Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            try:
                for _ in range(20):  # 20 x 16 KiB: past what the HTTP/2 stream left
                    s.sendall(b"4000\r\n" + b" " * 0x4000 + b"\r\n")
            except OSError:
                pass  # the server may close while we are still sending
            status, headers, body = self.read_answer(s)
            s.close()
            self.assertEqual(status, 503)
            self.assertEqual(json.loads(body)["__type"], "ServiceUnavailableException")
        finally:
            c.close()
        # Everything was given back: a request of the whole body limit fits.
        time.sleep(0.3)
        s = self.http1_post(MAX_BODY - 1000)
        status, _, body = self.read_answer(s)
        s.close()
        self.assertEqual(status, 200, body[:300])

    def test_http2_stream_is_refused_while_http1_holds_the_budget(self):
        s = self.http1_post(900_000, send_body=False)  # announced: held until answered
        try:
            time.sleep(0.3)
            c = H2Connection(self.addr)
            try:
                block = request_head(b"POST") + literal(b"x-amz-target", b"Kinesis_20131202.ListStreams")
                c.send(frame(HEADERS, END_HEADERS, 1, block))
                for _ in range(500_000 // 15_000):
                    c.send(frame(DATA, 0, 1, b" " * 15_000))
                self.assertTrue(c.wait(lambda: 1 in c.resets, 5), "not refused")
                self.assertEqual(c.resets[1], REFUSED_STREAM)
                # The HTTP/1.1 request completes; then HTTP/2 fits again.
                s.sendall(b"{" + b" " * (900_000 - 2) + b"}")
                status, _, body = self.read_answer(s)
                self.assertEqual(status, 200, body[:300])
                c.send(frame(HEADERS, END_HEADERS, 3, block))
                for _ in range(500_000 // 15_000):
                    c.send(frame(DATA, 0, 3, b" " * 15_000))
                c.send(frame(DATA, END_STREAM, 3, b"{}"))
                self.assertTrue(c.wait(lambda: 3 in c.ended, 10), f"resets {c.resets}")
                self.assertNotIn(3, c.resets)
            finally:
                c.close()
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
