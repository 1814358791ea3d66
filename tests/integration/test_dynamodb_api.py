"""The DynamoDB API (X-Amz-Target: DynamoDB_20120810.*) with unmodified boto3.

`ApiSuite` is the behavioural core; it runs against the real `sluice serve`
(`SluiceApi`) and against dynalite 4.0.0 from npm (`DynaliteApi`), both on
loopback.  Cases dynalite cannot run (transactions, TTL,
ReturnValuesOnConditionCheckFailure) are skipped for it with the reason.
Differences between the two are listed in docs/dynamodb-peers.md.

Sluice-only: the aws CLI, x-amz-crc32, SigV4 strict mode, TTL sweeping and
the AWS SDK for JavaScript v3 (tests/js/dynamodb_sdk.js).
"""

from __future__ import annotations

import binascii
import decimal
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request
from pathlib import Path

import boto3
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

import harness as h
from ddb_common import PeerCase, code, ddb_client, ddb_resource, name, wait_table

PPR = {"BillingMode": "PAY_PER_REQUEST"}
PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


class ApiSuite(PeerCase):
    # ---- helpers
    def hash_range_table(self, **extra):
        t = name("hr")
        kw = dict(TableName=t,
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "sk", "AttributeType": "N"}],
                  KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                             {"AttributeName": "sk", "KeyType": "RANGE"}],
                  **PPR)
        kw.update(extra)
        self.ddb.create_table(**kw)
        wait_table(self.ddb, t)
        return t

    def hash_table(self, key="id", **extra):
        t = name("h")
        self.ddb.create_table(TableName=t, AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": key, "KeyType": "HASH"}], **PPR, **extra)
        wait_table(self.ddb, t)
        return t

    def fill(self, t, pks=("a",), n=10):
        with_items = []
        for pk in pks:
            for i in range(n):
                item = {"pk": S(pk), "sk": N(i), "v": N(i * 10), "tag": S("even" if i % 2 == 0 else "odd")}
                self.ddb.put_item(TableName=t, Item=item)
                with_items.append(item)
        return with_items

    def query_all(self, **kw):
        items, pages, start = [], 0, None
        while True:
            if start:
                kw["ExclusiveStartKey"] = start
            r = self.ddb.query(**kw)
            items += r["Items"]
            pages += 1
            start = r.get("LastEvaluatedKey")
            if not start:
                return items, pages
            self.assertLess(pages, 1000)

    # ---- tables
    def test_create_describe_table_with_lsi_and_gsi(self):
        t = name("idx")
        resp = self.ddb.create_table(
            TableName=t,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"},
                                  {"AttributeName": "lsk", "AttributeType": "N"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            LocalSecondaryIndexes=[{"IndexName": "byL",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "lsk", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "ALL"}}],
            GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"},
                                     "ProvisionedThroughput": PT}],
            ProvisionedThroughput=PT)
        td = resp["TableDescription"]
        self.assertEqual(td["TableName"], t)
        self.assertIn(td["TableStatus"], ("CREATING", "ACTIVE"))
        self.assertTrue(td["TableArn"].endswith(f":table/{t}"), td["TableArn"])
        d = wait_table(self.ddb, t)
        self.assertEqual(d["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertEqual([i["IndexName"] for i in d["LocalSecondaryIndexes"]], ["byL"])
        self.assertEqual([i["IndexName"] for i in d["GlobalSecondaryIndexes"]], ["byG"])
        self.assertEqual(d["GlobalSecondaryIndexes"][0]["Projection"]["ProjectionType"], "KEYS_ONLY")
        self.assertEqual(d["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.ddb.put_item(TableName=t, Item={"pk": S("p"), "sk": S("1"), "lsk": N(5), "g": S("G"), "x": S("y")})
        self.ddb.put_item(TableName=t, Item={"pk": S("p"), "sk": S("2"), "lsk": N(3)})
        r = self.ddb.query(TableName=t, IndexName="byL", KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S("p")})
        self.assertEqual([i["sk"]["S"] for i in r["Items"]], ["2", "1"])
        r = self.ddb.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S("G")})
        self.assertEqual(r["Items"], [{"pk": S("p"), "sk": S("1"), "g": S("G")}])
        self.assertEqual(d["ItemCount"] if "ItemCount" in d else 0, 0)

    def test_update_table_adds_gsi_then_query(self):
        t = self.hash_range_table(BillingMode="PROVISIONED", ProvisionedThroughput=PT)
        for i in range(5):
            self.ddb.put_item(TableName=t, Item={"pk": S(f"p{i}"), "sk": N(i), "owner": S("w1" if i < 3 else "w2")})
        self.ddb.update_table(
            TableName=t, AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"},
                                               {"AttributeName": "pk", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byOwner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}, "ProvisionedThroughput": PT}}])
        deadline = time.monotonic() + 30
        while True:
            d = self.ddb.describe_table(TableName=t)["Table"]
            g = [x for x in d.get("GlobalSecondaryIndexes", []) if x["IndexName"] == "byOwner"]
            if self.is_dynalite and not g:
                self.differs("UpdateTable answers 200 to a GlobalSecondaryIndexUpdates Create and creates no index")
            self.assertEqual(len(g), 1, d)
            if g[0]["IndexStatus"] == "ACTIVE":
                break
            self.assertIn(g[0]["IndexStatus"], ("CREATING", "UPDATING"))
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        r = self.ddb.query(TableName=t, IndexName="byOwner", KeyConditionExpression="#o = :o",
                           ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": S("w1")})
        self.assertEqual([i["pk"]["S"] for i in r["Items"]], ["p0", "p1", "p2"])
        # new writes are indexed too
        self.ddb.put_item(TableName=t, Item={"pk": S("p9"), "sk": N(9), "owner": S("w2")})
        r = self.ddb.query(TableName=t, IndexName="byOwner", KeyConditionExpression="#o = :o",
                           ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": S("w2")})
        self.assertEqual([i["pk"]["S"] for i in r["Items"]], ["p3", "p4", "p9"])

    def test_delete_table_and_missing_table(self):
        t = self.hash_table()
        d = self.ddb.delete_table(TableName=t)["TableDescription"]
        self.assertEqual(d["TableName"], t)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.ddb.describe_table(TableName=t)
            except ClientError as e:
                self.assertEqual(code(e), "ResourceNotFoundException")
                break
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.assertDdbError("ResourceNotFoundException", self.ddb.get_item, TableName=t, Key={"id": S("x")})
        self.assertDdbError("ResourceNotFoundException", self.ddb.delete_table, TableName=t)
        self.assertDdbError("ResourceNotFoundException", self.ddb.put_item, TableName="nope-" + t,
                            Item={"id": S("x")}, message="Requested resource not found")

    def test_create_existing_table(self):
        t = self.hash_table()
        self.assertDdbError("ResourceInUseException", self.ddb.create_table, TableName=t,
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], **PPR)

    def test_list_tables_paging(self):
        made = sorted(self.hash_table() for _ in range(5))
        seen, start, pages = [], None, 0
        while True:
            kw = {"Limit": 2}
            if start:
                kw["ExclusiveStartTableName"] = start
            r = self.ddb.list_tables(**kw)
            self.assertLessEqual(len(r["TableNames"]), 2)
            seen += r["TableNames"]
            pages += 1
            start = r.get("LastEvaluatedTableName")
            if not start:
                break
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(seen), len(set(seen)))
        for t in made:
            self.assertIn(t, seen)
        self.assertGreaterEqual(pages, 3)

    def test_tags(self):
        t = self.hash_table(Tags=[{"Key": "team", "Value": "a"}])
        arn = self.ddb.describe_table(TableName=t)["Table"]["TableArn"]
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        tags = {x["Key"]: x["Value"] for x in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        if self.is_dynalite and tags == {"env": "dev"}:
            self.differs("CreateTable ignores Tags")
        self.assertEqual(tags, {"team": "a", "env": "dev"})
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
        tags = {x["Key"]: x["Value"] for x in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"env": "dev"})

    def test_continuous_backups(self):
        self.needs("backups")
        t = self.hash_table()
        d = self.ddb.describe_continuous_backups(TableName=t)["ContinuousBackupsDescription"]
        self.assertEqual(d["ContinuousBackupsStatus"], "ENABLED")
        self.assertEqual(d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "DISABLED")
        d = self.ddb.update_continuous_backups(
            TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )["ContinuousBackupsDescription"]
        self.assertEqual(d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")
        d = self.ddb.describe_continuous_backups(TableName=t)["ContinuousBackupsDescription"]
        self.assertEqual(d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")

    def test_describe_limits(self):
        self.needs("limits")
        r = self.ddb.describe_limits()
        for k in ("AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits", "TableMaxReadCapacityUnits",
                  "TableMaxWriteCapacityUnits"):
            self.assertIsInstance(r[k], int)
            self.assertGreater(r[k], 0)

    # ---- items
    def test_put_get_update_delete_with_conditions_and_return_values(self):
        t = self.hash_table()
        key = {"id": S("k1")}
        r = self.ddb.put_item(TableName=t, Item={**key, "n": N(1), "s": S("x")}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)
        self.assertEqual(self.ddb.get_item(TableName=t, Key=key, ConsistentRead=True)["Item"],
                         {**key, "n": N(1), "s": S("x")})
        # condition fails: item exists
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.put_item, TableName=t, Item=key,
                            ConditionExpression="attribute_not_exists(id)", message="The conditional request failed")
        r = self.ddb.put_item(TableName=t, Item={**key, "n": N(2)}, ReturnValues="ALL_OLD",
                              ConditionExpression="n = :one", ExpressionAttributeValues={":one": N(1)})
        self.assertEqual(r["Attributes"], {**key, "n": N(1), "s": S("x")})
        r = self.ddb.update_item(TableName=t, Key=key, UpdateExpression="SET n = n + :d, l = list_append(if_not_exists(l, :e), :x) ADD ss :ss",
                                 ExpressionAttributeValues={":d": N(5), ":e": {"L": []}, ":x": {"L": [S("a")]},
                                                            ":ss": {"SS": ["q"]}},
                                 ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"n": N(7), "l": {"L": [S("a")]}, "ss": {"SS": ["q"]}})
        r = self.ddb.update_item(TableName=t, Key=key, UpdateExpression="REMOVE l DELETE ss :ss",
                                 ExpressionAttributeValues={":ss": {"SS": ["q"]}}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {**key, "n": N(7)})
        r = self.ddb.update_item(TableName=t, Key=key, UpdateExpression="SET n = :v",
                                 ExpressionAttributeValues={":v": N(8)}, ReturnValues="UPDATED_OLD")
        self.assertEqual(r["Attributes"], {"n": N(7)})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET n = :v", ConditionExpression="n < :v",
                            ExpressionAttributeValues={":v": N(3)})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.delete_item, TableName=t, Key=key,
                            ConditionExpression="attribute_not_exists(n)")
        r = self.ddb.delete_item(TableName=t, Key=key, ReturnValues="ALL_OLD",
                                 ConditionExpression="attribute_exists(n) AND size(id) = :two",
                                 ExpressionAttributeValues={":two": N(2)})
        self.assertEqual(r["Attributes"], {**key, "n": N(8)})
        self.assertNotIn("Item", self.ddb.get_item(TableName=t, Key=key))
        # update creates the item (upsert)
        r = self.ddb.update_item(TableName=t, Key={"id": S("new")}, UpdateExpression="ADD c :one",
                                 ExpressionAttributeValues={":one": N(1)}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"id": S("new"), "c": N(1)})

    def test_projection_and_nested_paths(self):
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("n"), "m": {"M": {"a": {"L": [N(1), N(2), {"M": {"z": S("deep")}}]},
                                                                       "b": S("B")}}, "other": S("o")})
        r = self.ddb.get_item(TableName=t, Key={"id": S("n")}, ProjectionExpression="m.a[2].z, #o",
                              ExpressionAttributeNames={"#o": "other"})
        self.assertEqual(r["Item"], {"m": {"M": {"a": {"L": [{"M": {"z": S("deep")}}]}}}, "other": S("o")})
        self.ddb.update_item(TableName=t, Key={"id": S("n")}, UpdateExpression="SET m.a[0] = :v REMOVE m.b",
                             ExpressionAttributeValues={":v": N(100)})
        item = self.ddb.get_item(TableName=t, Key={"id": S("n")})["Item"]
        self.assertEqual(item["m"]["M"], {"a": {"L": [N(100), N(2), {"M": {"z": S("deep")}}]}})

    def test_updated_return_values_project_nested_paths(self):
        t = self.hash_table()
        key = {"id": S("u")}
        self.ddb.put_item(TableName=t, Item={**key, "m": {"M": {"a": {"M": {"b": N(7)}}, "other": S("x")}},
                                             "l": {"L": [N(1), S("x"), N(3)]}, "top": S("t")})
        r = self.ddb.update_item(TableName=t, Key=key, UpdateExpression="SET m.a.b = :v, l[1] = :w",
                                 ExpressionAttributeValues={":v": N(8), ":w": S("y")}, ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"m": {"M": {"a": {"M": {"b": N(8)}}}}, "l": {"L": [S("y")]}})
        r = self.ddb.update_item(TableName=t, Key=key, UpdateExpression="SET m.a.b = :v REMOVE top",
                                 ExpressionAttributeValues={":v": N(9)}, ReturnValues="UPDATED_OLD")
        self.assertEqual(r["Attributes"], {"m": {"M": {"a": {"M": {"b": N(8)}}}}, "top": S("t")})
        item = self.ddb.get_item(TableName=t, Key=key)["Item"]
        self.assertEqual(item["m"]["M"]["other"], S("x"))
        self.assertNotIn("top", item)

    def test_return_values_on_condition_check_failure(self):
        self.needs("rvoccf")
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("r"), "c": N(3)})
        with self.assertRaises(ClientError) as cm:
            self.ddb.update_item(TableName=t, Key={"id": S("r")}, UpdateExpression="SET c = :n",
                                 ConditionExpression="c = :old", ExpressionAttributeValues={":n": N(5), ":old": N(2)},
                                 ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(code(cm.exception), "ConditionalCheckFailedException")
        self.assertEqual(cm.exception.response["Item"], {"id": S("r"), "c": N(3)})
        with self.assertRaises(ClientError) as cm:
            self.ddb.put_item(TableName=t, Item={"id": S("r")}, ConditionExpression="attribute_not_exists(id)",
                              ReturnValuesOnConditionCheckFailure="NONE")
        self.assertNotIn("Item", cm.exception.response)

    def test_batch_get_and_write(self):
        t = self.hash_table()
        reqs = [{"PutRequest": {"Item": {"id": S(f"b{i}"), "v": N(i)}}} for i in range(25)]
        r = self.ddb.batch_write_item(RequestItems={t: reqs})
        self.assertEqual(r["UnprocessedItems"], {})
        r = self.ddb.batch_get_item(RequestItems={t: {"Keys": [{"id": S(f"b{i}")} for i in range(0, 25, 3)] +
                                                      [{"id": S("absent")}], "ProjectionExpression": "v"}})
        self.assertEqual(r["UnprocessedKeys"], {})
        self.assertEqual(sorted(int(i["v"]["N"]) for i in r["Responses"][t]), list(range(0, 25, 3)))
        r = self.ddb.batch_write_item(RequestItems={t: [{"DeleteRequest": {"Key": {"id": S(f"b{i}")}}}
                                                        for i in range(10)]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(self.ddb.scan(TableName=t, Select="COUNT")["Count"], 15)
        # more than 25 writes is refused
        self.assertDdbError("ValidationException", ddb_client(self.endpoint, parameter_validation=False)
                            .batch_write_item,
                            RequestItems={t: [{"PutRequest": {"Item": {"id": S(f"x{i}")}}} for i in range(26)]})
        # the same key twice in one batch is refused
        self.assertDdbError("ValidationException", self.ddb.batch_write_item,
                            RequestItems={t: [{"PutRequest": {"Item": {"id": S("d")}}},
                                              {"DeleteRequest": {"Key": {"id": S("d")}}}]},
                            message="Provided list of item keys contains duplicates")

    # ---- query
    def test_query_key_operators(self):
        t = self.hash_range_table()
        self.fill(t, pks=("a", "b"), n=10)
        cases = [("sk = :x", {":x": N(3)}, [3]),
                 ("sk < :x", {":x": N(3)}, [0, 1, 2]),
                 ("sk <= :x", {":x": N(3)}, [0, 1, 2, 3]),
                 ("sk > :x", {":x": N(7)}, [8, 9]),
                 ("sk >= :x", {":x": N(7)}, [7, 8, 9]),
                 ("sk BETWEEN :x AND :y", {":x": N(2), ":y": N(4)}, [2, 3, 4])]
        for cond, vals, want in cases:
            with self.subTest(cond=cond):
                r = self.ddb.query(TableName=t, KeyConditionExpression=f"pk = :p AND {cond}",
                                   ExpressionAttributeValues={":p": S("a"), **vals})
                self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]], want)
                self.assertEqual(r["Count"], len(want))
        # begins_with on a string sort key
        t2 = name("bw")
        self.ddb.create_table(TableName=t2, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                                  {"AttributeName": "sk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                         {"AttributeName": "sk", "KeyType": "RANGE"}], **PPR)
        wait_table(self.ddb, t2)
        for sk in ("ab", "abc", "abd", "b", "aa"):
            self.ddb.put_item(TableName=t2, Item={"pk": S("p"), "sk": S(sk)})
        r = self.ddb.query(TableName=t2, KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                           ExpressionAttributeValues={":p": S("p"), ":b": S("ab")})
        self.assertEqual([i["sk"]["S"] for i in r["Items"]], ["ab", "abc", "abd"])
        # legacy KeyConditions
        r = self.ddb.query(TableName=t, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("b")]},
                                                       "sk": {"ComparisonOperator": "GT", "AttributeValueList": [N(7)]}})
        self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]], [8, 9])

    def test_query_order_paging_count_filter(self):
        t = self.hash_range_table()
        self.fill(t, pks=("a", "b"), n=25)
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("a")},
                           ScanIndexForward=False, Limit=3)
        self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]], [24, 23, 22])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("a"), "sk": N(22)})
        items, pages = self.query_all(TableName=t, KeyConditionExpression="pk = :p",
                                      ExpressionAttributeValues={":p": S("a")}, Limit=4)
        self.assertEqual([int(i["sk"]["N"]) for i in items], list(range(25)))
        self.assertEqual(pages, 7)
        items, _ = self.query_all(TableName=t, KeyConditionExpression="pk = :p",
                                  ExpressionAttributeValues={":p": S("b")}, Limit=4, ScanIndexForward=False)
        self.assertEqual([int(i["sk"]["N"]) for i in items], list(range(24, -1, -1)))
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("a")},
                           Select="COUNT")
        self.assertEqual(r["Count"], 25)
        self.assertNotIn("Items", r)
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p", FilterExpression="tag = :t",
                           ExpressionAttributeValues={":p": S("a"), ":t": S("odd")}, Limit=10)
        self.assertEqual(r["ScannedCount"], 10)
        self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]], [1, 3, 5, 7, 9])

    def test_query_on_index_paging(self):
        t = self.hash_range_table(
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "tag", "AttributeType": "S"},
                                  {"AttributeName": "v", "AttributeType": "N"}],
            GlobalSecondaryIndexes=[{"IndexName": "byTag", "KeySchema": [{"AttributeName": "tag", "KeyType": "HASH"},
                                                                         {"AttributeName": "v", "KeyType": "RANGE"}],
                                     "Projection": {"ProjectionType": "ALL"}}])
        self.fill(t, pks=("a", "b", "c"), n=8)
        items, pages = self.query_all(TableName=t, IndexName="byTag", KeyConditionExpression="tag = :t AND v >= :v",
                                      ExpressionAttributeValues={":t": S("even"), ":v": N(20)}, Limit=2)
        vs = [int(i["v"]["N"]) for i in items]
        self.assertEqual(vs, sorted(vs))
        self.assertEqual(len(items), 3 * 3)  # v in 20, 40, 60 for each pk
        self.assertEqual(len({(i["pk"]["S"], i["sk"]["N"]) for i in items}), 9)
        self.assertGreaterEqual(pages, 5)
        r = self.ddb.query(TableName=t, IndexName="byTag", KeyConditionExpression="tag = :t",
                           ExpressionAttributeValues={":t": S("odd")}, Select="COUNT")
        self.assertEqual(r["Count"], 12)

    # ---- scan
    def test_scan_paging_parallel_filter(self):
        t = self.hash_table()
        want = set()
        reqs = []
        for i in range(120):
            want.add(f"s{i:03d}")
            reqs.append({"PutRequest": {"Item": {"id": S(f"s{i:03d}"), "n": N(i), "kind": S("x" if i % 3 else "y")}}})
        for j in range(0, 120, 25):
            self.assertEqual(self.ddb.batch_write_item(RequestItems={t: reqs[j:j + 25]})["UnprocessedItems"], {})
        # paged
        seen, start, pages = [], None, 0
        while True:
            kw = dict(TableName=t, Limit=7)
            if start:
                kw["ExclusiveStartKey"] = start
            r = self.ddb.scan(**kw)
            seen += [i["id"]["S"] for i in r["Items"]]
            pages += 1
            start = r.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(sorted(seen), sorted(want))
        self.assertEqual(len(seen), 120)
        self.assertGreaterEqual(pages, 18)
        # parallel: every item exactly once across the segments
        for total in (1, 3, 4, 7):
            with self.subTest(total=total):
                got = []
                for seg in range(total):
                    start = None
                    while True:
                        kw = dict(TableName=t, Segment=seg, TotalSegments=total, Limit=11)
                        if start:
                            kw["ExclusiveStartKey"] = start
                        r = self.ddb.scan(**kw)
                        got += [i["id"]["S"] for i in r["Items"]]
                        start = r.get("LastEvaluatedKey")
                        if not start:
                            break
                self.assertEqual(len(got), 120)
                self.assertEqual(set(got), want)
        # filter
        r = self.ddb.scan(TableName=t, FilterExpression="kind = :y AND n BETWEEN :a AND :b",
                          ExpressionAttributeValues={":y": S("y"), ":a": N(10), ":b": N(30)})
        self.assertEqual(sorted(int(i["n"]["N"]) for i in r["Items"]), [12, 15, 18, 21, 24, 27, 30])
        self.assertEqual(r["ScannedCount"], 120)
        r = self.ddb.scan(TableName=t, Select="COUNT", FilterExpression="kind IN (:y) OR contains(id, :z)",
                          ExpressionAttributeValues={":y": S("y"), ":z": S("s11")})
        self.assertEqual(r["Count"], 40 + len([i for i in range(110, 120) if i % 3]))
        # legacy ScanFilter
        r = self.ddb.scan(TableName=t, ScanFilter={"n": {"ComparisonOperator": "LT", "AttributeValueList": [N(3)]}})
        self.assertEqual(sorted(i["id"]["S"] for i in r["Items"]), ["s000", "s001", "s002"])
        self.assertDdbError("ValidationException", self.ddb.scan, TableName=t, Segment=3, TotalSegments=3)

    # ---- transactions
    def test_transact_write_success_cancel_and_idempotency(self):
        self.needs("transactions")
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("A"), "bal": N(100)})
        self.ddb.put_item(TableName=t, Item={"id": S("B"), "bal": N(0)})

        def move(amount, token=None):
            kw = dict(TransactItems=[
                {"Update": {"TableName": t, "Key": {"id": S("A")}, "UpdateExpression": "SET bal = bal - :a",
                            "ConditionExpression": "bal >= :a", "ExpressionAttributeValues": {":a": N(amount)}}},
                {"Update": {"TableName": t, "Key": {"id": S("B")}, "UpdateExpression": "SET bal = bal + :a",
                            "ExpressionAttributeValues": {":a": N(amount)}}},
                {"Put": {"TableName": t, "Item": {"id": S("log"), "last": N(amount)}}}])
            if token:
                kw["ClientRequestToken"] = token
            return self.ddb.transact_write_items(**kw)

        move(30)
        bal = lambda k: int(self.ddb.get_item(TableName=t, Key={"id": S(k)})["Item"]["bal"]["N"])
        self.assertEqual((bal("A"), bal("B")), (70, 30))
        # cancellation: nothing applied, reasons per item
        with self.assertRaises(ClientError) as cm:
            move(1000)
        e = cm.exception.response
        self.assertEqual(code(cm.exception), "TransactionCanceledException")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual([r["Code"] for r in e["CancellationReasons"]], ["ConditionalCheckFailed", "None", "None"])
        self.assertIn("Transaction cancelled, please refer cancellation reasons for specific reasons "
                      "[ConditionalCheckFailed, None, None]", e["Error"]["Message"])
        self.assertEqual((bal("A"), bal("B")), (70, 30))
        self.assertEqual(self.ddb.get_item(TableName=t, Key={"id": S("log")})["Item"]["last"], N(30))
        # ConditionCheck + Delete + ReturnValuesOnConditionCheckFailure
        with self.assertRaises(ClientError) as cm:
            self.ddb.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": t, "Key": {"id": S("B")}, "ConditionExpression": "bal > :x",
                                    "ExpressionAttributeValues": {":x": N(1000)},
                                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Delete": {"TableName": t, "Key": {"id": S("A")}}}])
        reasons = cm.exception.response["CancellationReasons"]
        self.assertEqual(reasons[0]["Code"], "ConditionalCheckFailed")
        self.assertEqual(reasons[0]["Item"], {"id": S("B"), "bal": N(30)})
        self.assertEqual(reasons[1]["Code"], "None")
        self.assertEqual(bal("A"), 70)
        # idempotency: the same token and request is applied once
        move(10, token="tok-1")
        move(10, token="tok-1")
        self.assertEqual((bal("A"), bal("B")), (60, 40))
        self.assertDdbError("IdempotentParameterMismatchException", move, 11, token="tok-1")
        self.assertEqual((bal("A"), bal("B")), (60, 40))
        # two operations on one item are refused
        self.assertDdbError("ValidationException", self.ddb.transact_write_items, TransactItems=[
            {"Put": {"TableName": t, "Item": {"id": S("A")}}}, {"Delete": {"TableName": t, "Key": {"id": S("A")}}}],
            message_contains="Transaction request cannot include multiple operations on one item")

    def test_transact_get(self):
        self.needs("transactions")
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("g1"), "v": N(1), "w": S("x")})
        r = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": t, "Key": {"id": S("g1")}, "ProjectionExpression": "v"}},
            {"Get": {"TableName": t, "Key": {"id": S("missing")}}}])
        self.assertEqual(r["Responses"][0], {"Item": {"v": N(1)}})
        self.assertEqual(r["Responses"][1], {})

    # ---- resource / conditions / serializer
    def test_resource_table_with_conditions(self):
        t = self.hash_range_table()
        table = ddb_resource(self.endpoint).Table(t)
        with table.batch_writer() as bw:
            for i in range(30):
                bw.put_item(Item={"pk": "r", "sk": i, "price": decimal.Decimal(f"{i}.5"), "name": f"item{i}",
                                  "tags": {"a", "b"} if i % 2 else {"c"}})
        r = table.query(KeyConditionExpression=Key("pk").eq("r") & Key("sk").between(5, 9),
                        FilterExpression=Attr("tags").contains("a") & Attr("price").gt(decimal.Decimal("6")))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [7, 9])
        self.assertEqual(r["Items"][0]["price"], decimal.Decimal("7.5"))
        self.assertEqual(r["Items"][0]["tags"], {"a", "b"})
        r = table.scan(FilterExpression=Attr("name").begins_with("item2") | Attr("sk").lt(2))
        self.assertEqual(sorted(int(i["sk"]) for i in r["Items"]), [0, 1, 2] + list(range(20, 30)))
        table.update_item(Key={"pk": "r", "sk": 1}, UpdateExpression="SET price = price + :d",
                          ExpressionAttributeValues={":d": decimal.Decimal("0.25")})
        self.assertEqual(table.get_item(Key={"pk": "r", "sk": 1})["Item"]["price"], decimal.Decimal("1.75"))
        with self.assertRaises(ClientError) as cm:
            table.put_item(Item={"pk": "r", "sk": 1}, ConditionExpression=Attr("sk").not_exists())
        self.assertEqual(code(cm.exception), "ConditionalCheckFailedException")
        table.delete_item(Key={"pk": "r", "sk": 1}, ConditionExpression=Attr("price").exists())
        self.assertNotIn("Item", table.get_item(Key={"pk": "r", "sk": 1}))

    def test_type_serializer_round_trip(self):
        t = self.hash_table()
        ser, de = TypeSerializer(), TypeDeserializer()
        value = {"id": "ts", "s": "str", "n": decimal.Decimal("-12.3400"), "big": decimal.Decimal("1" * 38),
                 "tiny": decimal.Decimal("1E-130"), "b": Binary(b"\x00\x01"), "t": True, "nul": None,
                 "ss": {"x", "y"}, "ns": {decimal.Decimal(1), decimal.Decimal("2.5")}, "bs": {Binary(b"a")},
                 "l": [1, "two", [decimal.Decimal(3)], {"k": False}], "m": {"in": {"deep": "yes"}}, "e": ""}
        self.ddb.put_item(TableName=t, Item={k: ser.serialize(v) for k, v in value.items()})
        raw = self.ddb.get_item(TableName=t, Key={"id": S("ts")})["Item"]
        self.assertEqual(raw["n"], N("-12.34"))  # normalized
        back = {k: de.deserialize(v) for k, v in raw.items()}
        self.assertEqual(back, value)

    # ---- numbers, size and input errors
    def test_numbers(self):
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("n"), "a": N("0012.500"), "b": N("-0"), "c": N("1E+3"),
                                             "d": N("9" * 38)})
        item = self.ddb.get_item(TableName=t, Key={"id": S("n")})["Item"]
        self.assertEqual(item["a"], N("12.5"))
        self.assertEqual(item["b"], N("0"))
        self.assertEqual(item["c"], N("1000"))
        self.assertEqual(item["d"], N("9" * 38))
        self.assertDdbError("ValidationException", self.ddb.put_item, TableName=t,
                            Item={"id": S("n"), "x": N("1" * 39)},
                            message_contains="Attempting to store more than 38 significant digits in a Number")
        self.ddb.put_item(TableName=t, Item={"id": S("m"), "d": N("9.9E+125")})
        if self.is_dynalite:
            r = self.ddb.update_item(TableName=t, Key={"id": S("m")}, UpdateExpression="ADD d :d",
                                     ExpressionAttributeValues={":d": N("9.9E+125")}, ReturnValues="UPDATED_NEW")
            self.assertEqual(r["Attributes"]["d"], N("198" + "0" * 124))
            self.differs("ADD past the Number range (9.99...E+125) stores 1.98E+126 instead of refusing it")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key={"id": S("m")},
                            UpdateExpression="ADD d :d", ExpressionAttributeValues={":d": N("9.9E+125")},
                            message_contains="Number overflow. Attempting to store a number with magnitude larger "
                                             "than supported range")
        self.assertDdbError("ValidationException", self.ddb.put_item, TableName=t, Item={"id": S("n"), "x": N("abc")})
        # compared numerically, not as strings
        r = self.ddb.scan(TableName=t, FilterExpression="a > :x", ExpressionAttributeValues={":x": N("9")})
        self.assertEqual(r["Count"], 1)

    def test_item_too_large(self):
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("big"), "d": S("x" * (400 * 1024 - 10))})
        self.assertDdbError("ValidationException", self.ddb.put_item, TableName=t,
                            Item={"id": S("big"), "d": S("x" * (400 * 1024))},
                            message="Item size has exceeded the maximum allowed size")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key={"id": S("big")},
                            UpdateExpression="SET e = :e", ExpressionAttributeValues={":e": S("y" * 100)},
                            message="Item size to update has exceeded the maximum allowed size")

    def test_key_schema_mismatch(self):
        t = self.hash_range_table()
        msg = "The provided key element does not match the schema"
        self.assertDdbError("ValidationException", self.ddb.get_item, TableName=t, Key={"pk": S("a")}, message=msg)
        self.assertDdbError("ValidationException", self.ddb.get_item, TableName=t,
                            Key={"pk": S("a"), "sk": S("notnumber")}, message=msg)
        self.assertDdbError("ValidationException", self.ddb.put_item, TableName=t, Item={"pk": S("a")},
                            message="One or more parameter values were invalid: Missing the key sk in the item")
        self.assertDdbError("ValidationException", self.ddb.put_item, TableName=t,
                            Item={"pk": S("a"), "sk": S("1")},
                            message="One or more parameter values were invalid: Type mismatch for key sk "
                                    "expected: N actual: S")

    def test_expression_errors(self):
        t = self.hash_table()
        self.ddb.put_item(TableName=t, Item={"id": S("e")})
        key = {"id": S("e")}
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET a = = :v", ExpressionAttributeValues={":v": N(1)},
                            message_contains="Invalid UpdateExpression: Syntax error; " + (
                                "" if self.is_dynalite else 'token: "=", near: "= = :v"'))
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET a = :v",
                            message="ExpressionAttributeValues must not be empty" if False else None,
                            message_contains="An expression attribute value used in expression is not defined; "
                                             "attribute value: :v")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1), ":w": N(2)},
                            message="Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET #a = :v", ExpressionAttributeValues={":v": N(1)},
                            message_contains="An expression attribute name used in the document path is not "
                                             "defined; attribute name: #a")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1)},
                            ExpressionAttributeNames={"#u": "x"},
                            message="Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET size = :v", ExpressionAttributeValues={":v": N(1)},
                            message_contains="Attribute name is a reserved keyword; reserved keyword: size")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET a = :v, a.b = :v", ExpressionAttributeValues={":v": N(1)},
                            message_contains="Two document paths overlap with each other")
        self.assertDdbError("ValidationException", self.ddb.update_item, TableName=t, Key=key,
                            UpdateExpression="SET id = :v", ExpressionAttributeValues={":v": S("z")},
                            message_contains="Cannot update attribute id. This attribute is part of the key")
        self.assertDdbError("ValidationException", self.ddb.scan, TableName=t, FilterExpression="a >",
                            message_contains="Invalid FilterExpression: Syntax error")
        self.assertDdbError("ValidationException", self.ddb.query, TableName=t, KeyConditionExpression="id > :v",
                            ExpressionAttributeValues={":v": S("x")},
                            message_contains="Query key condition not supported")
        self.assertDdbError("ValidationException", self.ddb.put_item, TableName=t, Item={"id": S("e")},
                            ConditionExpression="attribute_not_exists(id)", Expected={"id": {"Exists": False}},
                            message_contains="Can not use both expression and non-expression parameters")

    def test_legacy_expected_and_attribute_updates(self):
        t = self.hash_table()
        key = {"id": S("L")}
        self.ddb.put_item(TableName=t, Item=key, Expected={"id": {"Exists": False}})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.put_item, TableName=t, Item=key,
                            Expected={"id": {"Exists": False}})
        r = self.ddb.update_item(TableName=t, Key=key, AttributeUpdates={
            "c": {"Action": "ADD", "Value": N(2)}, "s": {"Action": "PUT", "Value": S("v")},
            "ss": {"Action": "ADD", "Value": {"SS": ["a", "b"]}}}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {**key, "c": N(2), "s": S("v"), "ss": {"SS": ["a", "b"]}})
        r = self.ddb.update_item(TableName=t, Key=key, Expected={"c": {"Value": N(2)}, "s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("v")]}},
                                 AttributeUpdates={"s": {"Action": "DELETE"}, "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}}},
                                 ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {**key, "c": N(2), "ss": {"SS": ["b"]}})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.update_item, TableName=t, Key=key,
                            Expected={"c": {"Value": N(1)}, "zz": {"Exists": False}}, ConditionalOperator="AND",
                            AttributeUpdates={"c": {"Action": "PUT", "Value": N(9)}})
        kw = dict(TableName=t, Key=key, Expected={"c": {"Value": N(1)}, "zz": {"Exists": False}},
                  ConditionalOperator="OR", AttributeUpdates={"c": {"Action": "PUT", "Value": N(9)}})
        if self.is_dynalite:
            with self.assertRaises(ClientError):
                self.ddb.update_item(**kw)
            self.differs("Expected with ConditionalOperator=OR is evaluated as AND")
        self.ddb.update_item(**kw)
        self.assertEqual(self.ddb.get_item(TableName=t, Key=key, AttributesToGet=["c"])["Item"], {"c": N(9)})


class SluiceApi(ApiSuite):
    server_kind = "sluice"


class DynaliteApi(ApiSuite):
    server_kind = "dynalite"


# ---------------------------------------------------------------------------
# sluice only
# ---------------------------------------------------------------------------

class SluiceOnly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = h.start_server(extra_args=["--table-transition-ms", "0", "--ttl-sweep-ms", "200"])
        cls.endpoint = cls.server.endpoint
        cls.ddb = ddb_client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def table(self):
        t = name("so")
        self.ddb.create_table(TableName=t, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], **PPR)
        wait_table(self.ddb, t)
        return t

    def test_ttl_enable_and_expired_item_disappears(self):
        h.skip_if_external("needs a server started with a short --ttl-sweep-ms")
        t = self.table()
        self.assertEqual(self.ddb.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["TimeToLiveStatus"],
                         "DISABLED")
        r = self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        self.assertEqual(r["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "exp"})
        d = self.ddb.describe_time_to_live(TableName=t)["TimeToLiveDescription"]
        self.assertIn(d["TimeToLiveStatus"], ("ENABLING", "ENABLED"))
        self.assertEqual(d["AttributeName"], "exp")
        now = int(time.time())
        self.ddb.put_item(TableName=t, Item={"id": S("old"), "exp": N(now - 10)})
        self.ddb.put_item(TableName=t, Item={"id": S("future"), "exp": N(now + 3600)})
        self.ddb.put_item(TableName=t, Item={"id": S("string-exp"), "exp": S(str(now - 10))})
        self.ddb.put_item(TableName=t, Item={"id": S("none")})
        deadline = time.monotonic() + 15
        while "Item" in self.ddb.get_item(TableName=t, Key={"id": S("old")}):
            self.assertLess(time.monotonic(), deadline, "expired item was not removed")
            time.sleep(0.1)
        ids = sorted(i["id"]["S"] for i in self.ddb.scan(TableName=t)["Items"])
        self.assertEqual(ids, ["future", "none", "string-exp"])
        self.assertDdbTtlTwice(t)

    def assertDdbTtlTwice(self, t):
        with self.assertRaises(ClientError) as cm:
            self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        self.assertEqual(code(cm.exception), "ValidationException")
        self.assertIn("TimeToLive is already enabled", cm.exception.response["Error"]["Message"])

    def test_describe_endpoints(self):
        r = self.ddb.describe_endpoints()
        self.assertEqual(len(r["Endpoints"]), 1)
        self.assertIsInstance(r["Endpoints"][0]["Address"], str)
        self.assertTrue(r["Endpoints"][0]["Address"])
        self.assertGreater(r["Endpoints"][0]["CachePeriodInMinutes"], 0)

    def test_crc32_header(self):
        t = self.table()
        self.ddb.put_item(TableName=t, Item={"id": S("c"), "v": S("é" * 50)})
        body = json.dumps({"TableName": t, "Key": {"id": {"S": "c"}}}).encode()
        for target, payload in (("GetItem", body), ("DescribeTable", json.dumps({"TableName": t}).encode()),
                                ("GetItem", json.dumps({"TableName": "missing", "Key": {"id": {"S": "c"}}}).encode())):
            req = urllib.request.Request(self.endpoint + "/", data=payload, method="POST", headers={
                "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": "application/x-amz-json-1.0",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={h.ACCESS_KEY}/20260101/us-east-1/dynamodb/aws4_request, "
                                 "SignedHeaders=host, Signature=00"})
            try:
                resp = urllib.request.urlopen(req, timeout=10)
                status, hdrs, data = resp.status, resp.headers, resp.read()
            except urllib.error.HTTPError as e:
                status, hdrs, data = e.code, e.headers, e.read()
            with self.subTest(target=target, status=status):
                self.assertIn("x-amz-crc32", {k.lower() for k in hdrs.keys()})
                self.assertEqual(int(hdrs["x-amz-crc32"]), binascii.crc32(data) & 0xFFFFFFFF)
                self.assertTrue(hdrs["Content-Type"].startswith("application/x-amz-json-1.0"), hdrs["Content-Type"])
                self.assertIn("x-amzn-requestid", {k.lower() for k in hdrs.keys()})

    def test_aws_cli(self):
        t = name("cli")
        env = h.aws_cli_env()

        def aws(*args, check=True):
            cmd = ["aws", "--endpoint-url", self.endpoint, "--region", h.DEFAULT_REGION, "--output", "json",
                   "dynamodb", *args]
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
            if check and p.returncode != 0:
                raise AssertionError(f"{cmd} failed ({p.returncode}): {p.stderr}")
            return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr

        rc, out, _ = aws("create-table", "--table-name", t,
                         "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
                         "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
                         "--billing-mode", "PAY_PER_REQUEST")
        self.assertEqual(out["TableDescription"]["TableName"], t)
        aws("wait", "table-exists", "--table-name", t)
        for i in range(3):
            aws("put-item", "--table-name", t, "--item", json.dumps({"pk": {"S": "c"}, "sk": {"N": str(i)},
                                                                     "v": {"S": f"v{i}"}}))
        _, out, _ = aws("get-item", "--table-name", t, "--key", '{"pk":{"S":"c"},"sk":{"N":"1"}}')
        self.assertEqual(out["Item"]["v"], {"S": "v1"})
        _, out, _ = aws("query", "--table-name", t, "--key-condition-expression", "pk = :p AND sk > :s",
                        "--expression-attribute-values", '{":p":{"S":"c"},":s":{"N":"0"}}')
        self.assertEqual([i["sk"]["N"] for i in out["Items"]], ["1", "2"])
        # the CLI paginates scan itself with --page-size
        _, out, _ = aws("scan", "--table-name", t, "--page-size", "1")
        self.assertEqual(out["Count"], 3)
        self.assertEqual(len(out["Items"]), 3)
        rc, _, err = aws("get-item", "--table-name", t + "-missing", "--key", '{"pk":{"S":"c"}}', check=False)
        self.assertEqual(rc, 254 if h.aws_cli_is_v2() else 255)
        self.assertIn("ResourceNotFoundException", err)
        rc, _, err = aws("put-item", "--table-name", t, "--item", '{"pk":{"S":"c"},"sk":{"N":"1"}}',
                         "--condition-expression", "attribute_not_exists(pk)", check=False)
        self.assertEqual(rc, 254 if h.aws_cli_is_v2() else 255)
        self.assertIn("ConditionalCheckFailedException", err)

    def test_js_sdk(self):
        js_dir = h.REPO_ROOT / "tests" / "js"
        if not (js_dir / "node_modules" / "@aws-sdk" / "client-dynamodb").is_dir():
            raise AssertionError("@aws-sdk/client-dynamodb is not installed: run scripts/setup.sh")
        p = subprocess.run(["node", "dynamodb_sdk.js", self.endpoint, name("js")], cwd=js_dir,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        self.assertIn("dynamodb_sdk: ok", p.stdout)


CREDENTIALS = """[default]
aws_access_key_id = AKIDSTRICT1
aws_secret_access_key = strict-secret-1
"""


class StrictAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.skip_if_external("starts its own server with --auth=strict")
        cls.dir = tempfile.mkdtemp(prefix="sluice-ddbauth-")
        cls.creds = os.path.join(cls.dir, "credentials")
        Path(cls.creds).write_text(CREDENTIALS)
        cls.server = h.start_server(extra_args=["--auth=strict", "--credentials-file", cls.creds,
                                                "--table-transition-ms", "0"])

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        subprocess.run(["rm", "-rf", cls.dir])

    def test_signed_requests_work_and_bad_ones_are_refused(self):
        good = ddb_client(self.server.endpoint, key="AKIDSTRICT1", secret="strict-secret-1")
        t = name("auth")
        good.create_table(TableName=t, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], **PPR)
        wait_table(good, t)
        good.put_item(TableName=t, Item={"id": S("x"), "v": S("signed")})
        self.assertEqual(good.get_item(TableName=t, Key={"id": S("x")})["Item"]["v"], S("signed"))
        bad = ddb_client(self.server.endpoint, key="AKIDSTRICT1", secret="wrong")
        with self.assertRaises(ClientError) as cm:
            bad.put_item(TableName=t, Item={"id": S("y")})
        self.assertEqual(code(cm.exception), "InvalidSignatureException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        unknown = ddb_client(self.server.endpoint, key="AKIDUNKNOWN", secret="x")
        with self.assertRaises(ClientError) as cm:
            unknown.get_item(TableName=t, Key={"id": S("x")})
        self.assertEqual(code(cm.exception), "UnrecognizedClientException")
        self.assertNotIn("Item", good.get_item(TableName=t, Key={"id": S("y")}))


del ApiSuite, PeerCase

if __name__ == "__main__":
    unittest.main()
