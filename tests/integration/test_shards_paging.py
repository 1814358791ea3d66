"""ListShards (filters, NextToken, MaxResults, ExclusiveStartShardId, StreamARN),
DescribeStream paging, ListStreams paging (Limit, ExclusiveStartStreamName,
NextToken, boto3 paginators)."""

import datetime
import unittest

import harness as h


class ShardsPagingTest(h.ServerTestCase):
    N = 7

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stream = h.create_active(cls.kinesis, name=h.unique_name("paging"), shards=cls.N)
        cls.all_ids = [h.shard_id(i) for i in range(cls.N)]

    def ids(self, shards):
        return [s["ShardId"] for s in shards]

    # -- ListShards ---------------------------------------------------------------
    def test_list_shards_all(self):
        r = self.kinesis.list_shards(StreamName=self.stream)
        self.assertEqual(self.ids(r["Shards"]), self.all_ids)
        self.assertNotIn("NextToken", r)
        for s, (lo, hi) in zip(r["Shards"], h.expected_hash_ranges(self.N)):
            self.assertEqual(s["HashKeyRange"], {"StartingHashKey": str(lo), "EndingHashKey": str(hi)})
            self.assertIn("StartingSequenceNumber", s["SequenceNumberRange"])
            self.assertNotIn("EndingSequenceNumber", s["SequenceNumberRange"])
        # contiguous, complete coverage of the hash space
        self.assertEqual(int(r["Shards"][0]["HashKeyRange"]["StartingHashKey"]), 0)
        self.assertEqual(int(r["Shards"][-1]["HashKeyRange"]["EndingHashKey"]), h.HASH_SPACE - 1)
        for a, b in zip(r["Shards"], r["Shards"][1:]):
            self.assertEqual(int(a["HashKeyRange"]["EndingHashKey"]) + 1, int(b["HashKeyRange"]["StartingHashKey"]))

    def test_list_shards_by_arn(self):
        r = self.kinesis.list_shards(StreamARN=h.stream_arn(self.stream))
        self.assertEqual(self.ids(r["Shards"]), self.all_ids)

    def test_list_shards_next_token_paging(self):
        r = self.kinesis.list_shards(StreamName=self.stream, MaxResults=3)
        got = self.ids(r["Shards"])
        self.assertEqual(got, self.all_ids[:3])
        self.assertTrue(r.get("NextToken"))
        pages = 1
        while r.get("NextToken"):
            r = self.kinesis.list_shards(NextToken=r["NextToken"], MaxResults=3)
            got += self.ids(r["Shards"])
            pages += 1
            self.assertLessEqual(pages, 10)
        self.assertEqual(got, self.all_ids)
        self.assertEqual(pages, 3)

    def test_list_shards_max_results_one(self):
        got, token = [], None
        for _ in range(self.N + 2):
            r = (self.kinesis.list_shards(NextToken=token, MaxResults=1) if token
                 else self.kinesis.list_shards(StreamName=self.stream, MaxResults=1))
            self.assertLessEqual(len(r["Shards"]), 1)
            got += self.ids(r["Shards"])
            token = r.get("NextToken")
            if not token:
                break
        self.assertEqual(got, self.all_ids)

    # Note: boto3's list_shards paginator re-sends StreamName with NextToken, which real AWS rejects
    # ("NextToken and StreamName cannot be provided together", boto/botocore#2009), so it is not used.

    def test_list_shards_next_token_with_stream_name_is_invalid(self):
        r = self.kinesis.list_shards(StreamName=self.stream, MaxResults=2)
        self.assertClientError("InvalidArgumentException", self.kinesis.list_shards,
                               StreamName=self.stream, NextToken=r["NextToken"])

    def test_list_shards_garbage_next_token(self):
        with self.assertRaises(Exception) as cm:
            self.kinesis.list_shards(NextToken="bm90IGEgdG9rZW4=")
        code = h.error_code(cm.exception)
        self.assertIn(code, ("InvalidArgumentException", "ExpiredNextTokenException"))

    def test_list_shards_exclusive_start_shard_id(self):
        r = self.kinesis.list_shards(StreamName=self.stream, ExclusiveStartShardId=h.shard_id(2))
        self.assertEqual(self.ids(r["Shards"]), self.all_ids[3:])
        r = self.kinesis.list_shards(StreamName=self.stream, ExclusiveStartShardId=h.shard_id(self.N - 1))
        self.assertEqual(r["Shards"], [])
        r = self.kinesis.list_shards(StreamName=self.stream, ExclusiveStartShardId=h.shard_id(0), MaxResults=2)
        self.assertEqual(self.ids(r["Shards"]), self.all_ids[1:3])
        self.assertTrue(r.get("NextToken"))
        r = self.kinesis.list_shards(NextToken=r["NextToken"])
        self.assertEqual(self.ids(r["Shards"]), self.all_ids[3:])

    def test_shard_filter_after_shard_id(self):
        r = self.kinesis.list_shards(StreamName=self.stream,
                                     ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": h.shard_id(4)})
        self.assertEqual(self.ids(r["Shards"]), self.all_ids[5:])

    def test_shard_filter_trim_horizon_and_latest(self):
        for t in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST"):
            with self.subTest(type=t):
                r = self.kinesis.list_shards(StreamName=self.stream, ShardFilter={"Type": t})
                self.assertEqual(self.ids(r["Shards"]), self.all_ids)

    def test_shard_filter_timestamps(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        for t in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
            with self.subTest(type=t):
                r = self.kinesis.list_shards(StreamName=self.stream, ShardFilter={"Type": t, "Timestamp": now})
                self.assertEqual(self.ids(r["Shards"]), self.all_ids)
        r = self.kinesis.list_shards(StreamName=self.stream, ShardFilter={"Type": "FROM_TIMESTAMP", "Timestamp":
                                                                          datetime.datetime(2001, 1, 1)})
        self.assertEqual(self.ids(r["Shards"]), self.all_ids)

    def test_shard_filter_missing_companion_values(self):
        self.assertClientError("InvalidArgumentException", self.kinesis.list_shards, StreamName=self.stream,
                               ShardFilter={"Type": "AFTER_SHARD_ID"})
        self.assertClientError("InvalidArgumentException", self.kinesis.list_shards, StreamName=self.stream,
                               ShardFilter={"Type": "AT_TIMESTAMP"})

    def test_list_shards_unknown_stream(self):
        self.assertClientError("ResourceNotFoundException", self.kinesis.list_shards,
                               StreamName=h.unique_name("missing"))

    # -- DescribeStream paging ------------------------------------------------------
    def test_describe_stream_paging(self):
        d = self.kinesis.describe_stream(StreamName=self.stream, Limit=3)["StreamDescription"]
        self.assertEqual(self.ids(d["Shards"]), self.all_ids[:3])
        self.assertTrue(d["HasMoreShards"])
        got = self.ids(d["Shards"])
        while d["HasMoreShards"]:
            d = self.kinesis.describe_stream(StreamName=self.stream, Limit=3,
                                             ExclusiveStartShardId=got[-1])["StreamDescription"]
            self.assertTrue(d["Shards"])
            got += self.ids(d["Shards"])
            self.assertLessEqual(len(got), self.N)
        self.assertEqual(got, self.all_ids)
        d = self.kinesis.describe_stream(StreamName=self.stream, Limit=self.N)["StreamDescription"]
        self.assertEqual(len(d["Shards"]), self.N)
        self.assertFalse(d["HasMoreShards"])

    def test_describe_stream_paginator(self):
        pages = list(self.kinesis.get_paginator("describe_stream").paginate(
            StreamName=self.stream, PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 4)
        self.assertEqual([s for p in pages for s in self.ids(p["StreamDescription"]["Shards"])], self.all_ids)

    def test_describe_stream_default_limit_is_100(self):
        name = h.create_active(self.kinesis, shards=105)
        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(len(d["Shards"]), 100)
        self.assertTrue(d["HasMoreShards"])
        d2 = self.kinesis.describe_stream(StreamName=name, ExclusiveStartShardId=h.shard_id(99))["StreamDescription"]
        self.assertEqual(self.ids(d2["Shards"]), [h.shard_id(i) for i in range(100, 105)])
        self.assertFalse(d2["HasMoreShards"])
        # Limit above 100 is capped at 100
        d3 = self.kinesis.describe_stream(StreamName=name, Limit=1000)["StreamDescription"]
        self.assertEqual(len(d3["Shards"]), 100)
        self.assertTrue(d3["HasMoreShards"])
        # ListShards returns all 105 in one page (default MaxResults 1000)
        r = self.kinesis.list_shards(StreamName=name)
        self.assertEqual(len(r["Shards"]), 105)
        self.assertNotIn("NextToken", r)
        for s, (lo, hi) in zip(r["Shards"], h.expected_hash_ranges(105)):
            self.assertEqual((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])),
                             (lo, hi))


class ListStreamsPagingTest(h.ServerTestCase):
    """Uses its own region so the listing contains exactly the streams created here."""

    REGION = "ap-southeast-2"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.k = cls.server.client(region=cls.REGION)
        prefix = h.unique_name("lsp")
        cls.names = sorted(f"{prefix}-{c}" for c in "gcaefdb")
        for n in cls.names:
            cls.k.create_stream(StreamName=n, ShardCount=1)
        for n in cls.names:
            h.wait_active(cls.k, n)

    def mine(self, names):
        return [n for n in names if n in self.names]

    def test_list_all(self):
        r = self.k.list_streams()
        self.assertEqual(self.mine(r["StreamNames"]), self.names)
        self.assertEqual(r["StreamNames"], self.names)  # region holds only these
        self.assertFalse(r["HasMoreStreams"])
        self.assertEqual([s["StreamName"] for s in r["StreamSummaries"]], self.names)

    def test_limit_and_next_token(self):
        r = self.k.list_streams(Limit=3)
        self.assertEqual(r["StreamNames"], self.names[:3])
        self.assertTrue(r["HasMoreStreams"])
        self.assertTrue(r.get("NextToken"))
        self.assertEqual([s["StreamName"] for s in r["StreamSummaries"]], self.names[:3])
        got = list(r["StreamNames"])
        pages = 1
        while r["HasMoreStreams"]:
            r = self.k.list_streams(Limit=3, NextToken=r["NextToken"])
            got += r["StreamNames"]
            pages += 1
            self.assertLessEqual(pages, 5)
        self.assertEqual(got, self.names)
        self.assertEqual(pages, 3)
        self.assertNotIn("NextToken", r)

    def test_exclusive_start_stream_name(self):
        r = self.k.list_streams(ExclusiveStartStreamName=self.names[2])
        self.assertEqual(r["StreamNames"], self.names[3:])
        self.assertFalse(r["HasMoreStreams"])
        r = self.k.list_streams(ExclusiveStartStreamName=self.names[0], Limit=2)
        self.assertEqual(r["StreamNames"], self.names[1:3])
        self.assertTrue(r["HasMoreStreams"])
        r = self.k.list_streams(ExclusiveStartStreamName=self.names[-1])
        self.assertEqual(r["StreamNames"], [])
        self.assertFalse(r["HasMoreStreams"])
        # a name that does not exist works as a lexicographic bound
        r = self.k.list_streams(ExclusiveStartStreamName=self.names[3] + "0")
        self.assertEqual(r["StreamNames"], self.names[4:])

    def test_paginator(self):
        pages = list(self.k.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2}))
        self.assertEqual([n for p in pages for n in p["StreamNames"]], self.names)
        self.assertEqual(len(pages), 4)

    def test_other_region_is_empty_of_these(self):
        other = self.server.client(region="sa-east-1")
        self.assertEqual(self.mine(other.list_streams()["StreamNames"]), [])


class ListStreamsDefaultLimitTest(h.ServerTestCase):
    REGION = "ap-northeast-3"

    def test_default_and_maximum_page_is_100(self):
        k = self.server.client(region=self.REGION)
        names = sorted(h.unique_name("many") for _ in range(103))
        for n in names:
            k.create_stream(StreamName=n, ShardCount=1)
        r = k.list_streams()
        self.assertEqual(r["StreamNames"], names[:100])
        self.assertTrue(r["HasMoreStreams"])
        self.assertEqual(len(r["StreamSummaries"]), 100)
        r2 = k.list_streams(Limit=1000)
        self.assertEqual(r2["StreamNames"], names[:100])
        self.assertTrue(r2["HasMoreStreams"])
        r3 = k.list_streams(NextToken=r["NextToken"])
        self.assertEqual(r3["StreamNames"], names[100:])
        self.assertFalse(r3["HasMoreStreams"])
        self.assertEqual(h.all_stream_names(k), names)


if __name__ == "__main__":
    unittest.main()
