"""AWS-shaped errors: every error class, raw-HTTP protocol errors, server-side
constraint validation with AWS-style messages.  Every error must be HTTP 400
with `__type`, a message, and an x-amzn-RequestId header."""

import datetime
import json
import unittest

from botocore.exceptions import ClientError

import harness as h


class ErrorsTest(h.ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.raw = h.raw_client(cls.endpoint)
        cls.stream = h.create_active(cls.kinesis, name=h.unique_name("errs"), shards=2)

    # -- helpers ----------------------------------------------------------------
    def raw_http(self, target, body, **kw):
        return h.raw_request(self.endpoint, target, body, **kw)

    def assertRawError(self, resp, error_type, require_message=True):
        self.assertEqual(resp.status, 400, resp)
        self.assertEqual(resp.error_type, error_type, resp)
        self.assertTrue(resp.request_id, f"missing x-amzn-RequestId: {resp!r}")
        if require_message:
            self.assertTrue(resp.message, f"missing message: {resp!r}")
        self.assertTrue(resp.headers.get("content-type", "").startswith("application/x-amz-json-1.1"), resp)

    def assertValidation(self, fn, *fragments, **kw):
        err = self.assertClientError("ValidationException", fn, **kw)
        msg = err.response["Error"]["Message"]
        self.assertRegex(msg, r"^\d+ validation errors? detected: ")
        for f in fragments:
            self.assertIn(f, msg)
        return msg

    def assertServerHealthy(self):
        r = self.kinesis.describe_stream_summary(StreamName=self.stream)
        self.assertEqual(r["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE")

    # -- ResourceNotFound / ResourceInUse -------------------------------------------
    def test_resource_not_found(self):
        missing = h.unique_name("missing")
        err = self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream, StreamName=missing)
        self.assertIn(missing, err.response["Error"]["Message"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream_summary, StreamName=missing)
        self.assertClientError("ResourceNotFoundException", self.kinesis.put_records, StreamName=missing,
                               Records=[{"PartitionKey": "a", "Data": b"x"}])
        self.assertClientError("ResourceNotFoundException", self.kinesis.get_shard_iterator, StreamName=missing,
                               ShardId=h.shard_id(0), ShardIteratorType="LATEST")
        self.assertClientError("ResourceNotFoundException", self.kinesis.get_shard_iterator, StreamName=self.stream,
                               ShardId=h.shard_id(99), ShardIteratorType="LATEST")

    def test_resource_in_use(self):
        err = self.assertClientError("ResourceInUseException", self.kinesis.create_stream,
                                     StreamName=self.stream, ShardCount=1)
        self.assertIn(self.stream, err.response["Error"]["Message"])

    # -- InvalidArgument -------------------------------------------------------------
    def test_iterator_argument_combinations(self):
        k, s, sid = self.kinesis, self.stream, h.shard_id(0)
        seq = k.put_record(StreamName=s, PartitionKey="p", Data=b"x",
                           ExplicitHashKey="0")["SequenceNumber"]
        self.assertClientError("InvalidArgumentException", k.get_shard_iterator, StreamName=s, ShardId=sid,
                               ShardIteratorType="AT_SEQUENCE_NUMBER")
        self.assertClientError("InvalidArgumentException", k.get_shard_iterator, StreamName=s, ShardId=sid,
                               ShardIteratorType="AFTER_SEQUENCE_NUMBER")
        self.assertClientError("InvalidArgumentException", k.get_shard_iterator, StreamName=s, ShardId=sid,
                               ShardIteratorType="AT_TIMESTAMP")
        self.assertClientError("InvalidArgumentException", k.get_shard_iterator, StreamName=s, ShardId=sid,
                               ShardIteratorType="TRIM_HORIZON", StartingSequenceNumber=seq)
        # a syntactically valid sequence number that did not come from this shard
        self.assertClientError("InvalidArgumentException", k.get_shard_iterator, StreamName=s, ShardId=sid,
                               ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1")
        # a real sequence number of shard 0 used on shard 1
        self.assertClientError("InvalidArgumentException", k.get_shard_iterator, StreamName=s,
                               ShardId=h.shard_id(1), ShardIteratorType="AT_SEQUENCE_NUMBER",
                               StartingSequenceNumber=seq)

    def test_get_records_limit_over_10000(self):
        it = self.kinesis.get_shard_iterator(StreamName=self.stream, ShardId=h.shard_id(0),
                                             ShardIteratorType="LATEST")["ShardIterator"]
        with self.assertRaises(ClientError) as cm:
            self.raw.get_records(ShardIterator=it, Limit=10001)
        self.assertIn(h.error_code(cm.exception), ("ValidationException", "InvalidArgumentException"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertValidation(self.raw.get_records, "'limit'", ShardIterator=it, Limit=0)

    # -- ValidationException (constraint violations) ---------------------------------------
    def test_shard_count_zero_exact_message(self):
        msg = self.assertValidation(self.raw.create_stream, StreamName=h.unique_name("v"), ShardCount=0)
        self.assertEqual(msg, "1 validation error detected: Value '0' at 'shardCount' failed to satisfy "
                              "constraint: Member must have value greater than or equal to 1")

    def test_stream_name_constraints(self):
        self.assertValidation(self.raw.create_stream, "'streamName'", "length less than or equal to 128",
                              StreamName="a" * 129, ShardCount=1)
        self.assertValidation(self.raw.create_stream, "'streamName'", "length greater than or equal to 1",
                              StreamName="", ShardCount=1)
        self.assertValidation(self.raw.create_stream, "'streamName'", "regular expression pattern",
                              StreamName="bad name!", ShardCount=1)
        self.assertValidation(self.raw.describe_stream_summary, "'streamName'", StreamName="a" * 129)

    def test_missing_required_members(self):
        self.assertValidation(self.raw.create_stream, "Value null at 'streamName'", "Member must not be null",
                              ShardCount=1)
        self.assertValidation(self.raw.put_record, "Value null at 'data'", StreamName=self.stream, PartitionKey="p")
        self.assertValidation(self.raw.put_record, "Value null at 'partitionKey'", StreamName=self.stream,
                              Data=b"x")
        self.assertValidation(self.raw.get_records, "Value null at 'shardIterator'")
        self.assertValidation(self.raw.get_shard_iterator, "'shardIteratorType'", StreamName=self.stream,
                              ShardId=h.shard_id(0))
        self.assertValidation(self.raw.put_records, "'records'", StreamName=self.stream)

    def test_multiple_validation_errors_are_counted(self):
        msg = self.assertValidation(self.raw.create_stream, "'shardCount'", "'streamName'",
                                    StreamName="a" * 129, ShardCount=0)
        self.assertTrue(msg.startswith("2 validation errors detected: "), msg)

    def test_partition_key_and_hash_key_constraints(self):
        self.assertValidation(self.raw.put_record, "'partitionKey'", StreamName=self.stream, PartitionKey="",
                              Data=b"x")
        self.assertValidation(self.raw.put_record, "'partitionKey'", "256", StreamName=self.stream,
                              PartitionKey="p" * 257, Data=b"x")
        self.assertValidation(self.raw.put_record, "'explicitHashKey'", StreamName=self.stream, PartitionKey="p",
                              Data=b"x", ExplicitHashKey="12abc")
        self.assertValidation(self.raw.put_record, "'sequenceNumberForOrdering'", StreamName=self.stream,
                              PartitionKey="p", Data=b"x", SequenceNumberForOrdering="not-a-number")

    def test_partition_key_length_counts_characters(self):
        # 256 two-byte characters are allowed (limit is characters, not bytes); 257 are not
        self.kinesis.put_record(StreamName=self.stream, PartitionKey="é" * 256, Data=b"x")
        self.assertValidation(self.raw.put_record, "'partitionKey'", StreamName=self.stream,
                              PartitionKey="é" * 257, Data=b"x")
        self.assertValidation(self.raw.put_record, "'explicitHashKey'", StreamName=self.stream, PartitionKey="p",
                              Data=b"x", ExplicitHashKey="0001")

    def test_enum_constraint(self):
        self.assertValidation(self.raw.get_shard_iterator, "'shardIteratorType'", "enum value set",
                              StreamName=self.stream, ShardId=h.shard_id(0), ShardIteratorType="BOGUS")
        self.assertValidation(self.raw.create_stream, "enum value set", StreamName=h.unique_name("v"),
                              StreamModeDetails={"StreamMode": "SOMETIMES"})

    def test_list_and_limit_constraints(self):
        self.assertValidation(self.raw.list_streams, "'limit'", Limit=0)
        self.assertValidation(self.raw.list_streams, "'limit'", Limit=10001)
        self.assertValidation(self.raw.describe_stream, "'limit'", StreamName=self.stream, Limit=0)
        self.assertValidation(self.raw.list_shards, "'maxResults'", StreamName=self.stream, MaxResults=0)
        self.assertValidation(self.raw.list_tags_for_stream, "'limit'", StreamName=self.stream, Limit=51)
        self.assertValidation(self.raw.put_records, "'records'", "greater than or equal to 1",
                              StreamName=self.stream, Records=[])
        self.assertValidation(self.raw.put_records, "'records'", "less than or equal to 500",
                              StreamName=self.stream, Records=[{"PartitionKey": "p", "Data": b"x"}] * 501)
        self.assertValidation(self.raw.put_records, "partitionKey", StreamName=self.stream,
                              Records=[{"PartitionKey": "p", "Data": b"x"}, {"PartitionKey": "", "Data": b"x"}])

    def test_nothing_written_on_validation_failure(self):
        name = h.create_active(self.kinesis, shards=1)
        with self.assertRaises(ClientError):
            self.raw.put_records(StreamName=name, Records=[{"PartitionKey": "ok", "Data": b"1"},
                                                           {"PartitionKey": "", "Data": b"2"}])
        self.assertEqual(h.read_all(self.kinesis, name, h.shard_id(0)), [])

    # -- raw HTTP: serialization / protocol ---------------------------------------------------
    def test_malformed_json(self):
        for body in (b'{"StreamName": ', b"{not json}", b'{"StreamName": "x"', b"\xff\xfe\x00garbage"):
            with self.subTest(body=body):
                r = self.raw_http("DescribeStreamSummary", body)
                self.assertRawError(r, "SerializationException", require_message=False)
        self.assertServerHealthy()

    def test_non_object_json(self):
        for body in (b'"just a string"', b"42", b"null"):
            with self.subTest(body=body):
                r = self.raw_http("ListStreams", body)
                self.assertRawError(r, "SerializationException", require_message=False)

    def test_wrong_member_types(self):
        cases = [
            ("CreateStream", {"StreamName": h.unique_name("t"), "ShardCount": "abc"}),
            ("CreateStream", {"StreamName": h.unique_name("t"), "ShardCount": True}),
            ("CreateStream", {"StreamName": 12345, "ShardCount": 1}),
            ("CreateStream", {"StreamName": {"nested": 1}, "ShardCount": 1}),
            ("PutRecord", {"StreamName": self.stream, "PartitionKey": "p", "Data": "!!! not base64 !!!"}),
            ("PutRecord", {"StreamName": self.stream, "PartitionKey": "p", "Data": 17}),
            ("PutRecords", {"StreamName": self.stream, "Records": {"PartitionKey": "p", "Data": "eA=="}}),
            ("AddTagsToStream", {"StreamName": self.stream, "Tags": ["a", "b"]}),
            ("ListStreams", {"Limit": "ten"}),
            ("GetShardIterator", {"StreamName": self.stream, "ShardId": h.shard_id(0),
                                  "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": "yesterday"}),
        ]
        for op, body in cases:
            with self.subTest(op=op, body=json.dumps(body)[:80]):
                r = self.raw_http(op, body)
                self.assertRawError(r, "SerializationException", require_message=False)
        self.assertNotIn(cases[0][1]["StreamName"], h.all_stream_names(self.kinesis))
        self.assertServerHealthy()

    def test_unknown_operation(self):
        r = self.raw_http("DoSomethingMagical", {})
        self.assertRawError(r, "UnknownOperationException", require_message=False)
        r = self.raw_http("Nonsense_20131202.ListStreams", {})
        self.assertRawError(r, "UnknownOperationException", require_message=False)
        r = self.raw_http(None, {})
        self.assertRawError(r, "UnknownOperationException", require_message=False)
        self.assertServerHealthy()

    def test_unknown_members_are_ignored(self):
        r = self.raw_http("ListStreams", {"Limit": 5, "SomethingNew": {"x": [1, 2]}, "StreamId": "abc"})
        self.assertEqual(r.status, 200, r)
        self.assertIsInstance(r.json.get("StreamNames"), list)
        self.assertIn("HasMoreStreams", r.json)
        self.assertTrue(r.request_id)

    def test_raw_success_shape(self):
        r = self.raw_http("PutRecord", {"StreamName": self.stream, "PartitionKey": "p", "Data": "aGVsbG8="})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/x-amz-json-1.1"), r)
        self.assertTrue(r.request_id)
        self.assertTrue(r.json["SequenceNumber"].isdigit())
        self.assertTrue(r.json["ShardId"].startswith("shardId-"))
        # request ids are unique per request
        ids = {self.raw_http("ListStreams", {}).request_id for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_wrong_content_type_does_not_crash(self):
        r = self.raw_http("ListStreams", b"{}", content_type="text/plain")
        self.assertGreaterEqual(r.status, 400, r)
        self.assertLess(r.status, 500, r)
        self.assertTrue(r.request_id, r)
        self.assertServerHealthy()

    def test_boto_error_metadata_on_not_found(self):
        # the unmodified client maps __type to a modeled exception class
        with self.assertRaises(self.kinesis.exceptions.ResourceNotFoundException):
            self.kinesis.describe_stream(StreamName=h.unique_name("missing"))
        with self.assertRaises(self.kinesis.exceptions.ResourceInUseException):
            self.kinesis.create_stream(StreamName=self.stream, ShardCount=1)
        with self.assertRaises(self.kinesis.exceptions.InvalidArgumentException):
            self.kinesis.get_records(ShardIterator="bogus-iterator-value")


if __name__ == "__main__":
    unittest.main()
