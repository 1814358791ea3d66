"""Hostile and malformed input: the server answers with an error (HTTP or
AWS-shaped), stays up, and keeps the data it already acknowledged."""

import socket
import unittest
from urllib.parse import urlparse

from harness import kinesis_client, raw_request, skip_if_external, start_server, unique_name, wait_active


class HostileInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = start_server()
        cls.k = kinesis_client(cls.server.endpoint)
        cls.stream = unique_name("hostile")
        cls.k.create_stream(StreamName=cls.stream, ShardCount=1)
        wait_active(cls.k, cls.stream)
        cls.seq = cls.k.put_record(StreamName=cls.stream, Data=b"keep me", PartitionKey="p")["SequenceNumber"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def tearDown(self):
        # After every hostile request the server still answers and the
        # acknowledged record is intact.
        it = self.k.get_shard_iterator(StreamName=self.stream, ShardId="shardId-000000000000",
                                       ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       StartingSequenceNumber=self.seq)["ShardIterator"]
        self.assertEqual(self.k.get_records(ShardIterator=it)["Records"][0]["Data"], b"keep me")

    def test_deeply_nested_json_cannot_crash_the_parser(self):
        # Malformed: a SerializationException.
        r = raw_request(self.server.endpoint, "ListStreams", "[" * 2_000_000)
        self.assertEqual((r.status, r.error_type), (400, "SerializationException"))
        # Well-formed but deep where a string belongs: a type error.
        r = raw_request(self.server.endpoint, "DescribeStream",
                        '{"StreamName":' + "[" * 100_000 + "]" * 100_000 + "}")
        self.assertEqual((r.status, r.error_type), (400, "SerializationException"))
        # Well-formed and deep in a member the model does not know: ignored, as AWS does.
        r = raw_request(self.server.endpoint, "ListStreams", '{"x":' * 500_000 + "1" + "}" * 500_000)
        self.assertEqual(r.status, 200)

    def test_body_over_the_limit_is_refused_with_413_before_it_is_read(self):
        skip_if_external()
        u = urlparse(self.server.endpoint)
        with socket.create_connection((u.hostname, u.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\n"
                      b"Content-Length: %d\r\n\r\n" % (64 << 20))
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 413"))

    def test_largest_valid_requests_fit_under_the_default_body_limit(self):
        # PutRecords at AWS's 10 MiB request limit (data + partition keys; the
        # JSON body is about 13.4 MiB once base64'd) is read and accepted.
        k = kinesis_client(self.server.endpoint, read_timeout=120)
        stream = unique_name("bigput")
        k.create_stream(StreamName=stream, ShardCount=1, StreamModeDetails={"StreamMode": "PROVISIONED"})
        wait_active(k, stream)
        key = "k" * 256
        data = b"d" * ((10 << 20) // 500 - len(key))
        r = k.put_records(StreamName=stream, Records=[{"Data": data, "PartitionKey": key,
                                                       "ExplicitHashKey": str(2 ** 128 - 1)}] * 500)
        self.assertEqual(r["FailedRecordCount"], 0)
        # One byte more over the 10 MiB is refused by the API (400), not by the transport.
        r = raw_request(self.server.endpoint, "PutRecords", {"StreamName": stream, "Records": [
            {"Data": __import__("base64").b64encode(data + b"x").decode(), "PartitionKey": key}] * 500})
        self.assertEqual((r.status, r.error_type), (400, "InvalidArgumentException"))

    def test_invalid_utf8_and_binary_bodies(self):
        for body in (b"\xff\xfe\x00garbage", b'{"StreamName":"\xc3\x28"}', b"\x00" * 100):
            r = raw_request(self.server.endpoint, "DescribeStream", body)
            self.assertEqual(r.status, 400, body)
            self.assertIn(r.error_type, ("SerializationException", "ValidationException", "ResourceNotFoundException"))

    def test_malformed_http_gets_400_and_the_server_lives_on(self):
        skip_if_external()
        u = urlparse(self.server.endpoint)
        for raw in (b"NOT HTTP AT ALL\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            with socket.create_connection((u.hostname, u.port), timeout=10) as s:
                s.sendall(raw)
                reply = s.recv(4096)
                self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:80])

    def test_transfer_encoding_not_ending_in_chunked_is_refused_and_the_connection_closed(self):
        # RFC 9112 6.3: such a request cannot be framed. Read as body-less, its
        # "body" would be served as a second request (request smuggling).
        skip_if_external()
        u = urlparse(self.server.endpoint)
        smuggled = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                    b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}")
        for version, te in ((b"1.1", b"gzip"), (b"1.1", b"chunked, gzip"), (b"1.1", b"gzip, chunked"),
                            (b"1.1", b"identity"), (b"1.0", b"chunked")):
            with socket.create_connection((u.hostname, u.port), timeout=10) as s:
                s.sendall(b"POST / HTTP/" + version + b"\r\nHost: x\r\n"
                          b"X-Amz-Target: Kinesis_20131202.ListStreams\r\nTransfer-Encoding: " + te +
                          b"\r\n\r\n" + (b"0\r\n\r\n" if te == b"chunked" else b"") + smuggled)
                reply = b""
                while True:  # everything until the server closes
                    got = s.recv(65536)
                    if not got:
                        break
                    reply += got
            self.assertTrue(reply.startswith(b"HTTP/1.") and reply[9:12] == b"400", (te, reply[:200]))
            self.assertEqual(reply.count(b"HTTP/1."), 1, (te, reply))  # the smuggled request got no answer
            self.assertIn(b"SerializationException", reply)
        # A lone chunked still works.
        with socket.create_connection((u.hostname, u.port), timeout=10) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                      b"Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n"
                      b"Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            reply = b""
            while True:
                got = s.recv(65536)
                if not got:
                    break
                reply += got
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:200])

    def test_connection_closed_mid_request_is_harmless(self):
        u = urlparse(self.server.endpoint)
        for _ in range(20):
            with socket.create_connection((u.hostname, u.port), timeout=10) as s:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"Stream")


if __name__ == "__main__":
    unittest.main()
