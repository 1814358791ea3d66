"""The KCL lease protocol, replayed as amazon-kinesis-client 2.x/3.x sends it.

Facts from the public sources (DynamoDBLeaseRefresher, DynamoDBLeaseSerializer,
DynamoDBMultiStreamLeaseSerializer, CoordinatorStateDAO(+Delegate),
TableMigrationStateMachineImpl, WorkerMetricStatsDAO(+Delegate)): the same
operations, the same legacy `Expected`/`AttributeUpdates` parameters where KCL
uses them, the same attribute names and types, sent with boto3's low-level
client.  Each case asserts the outcome KCL relies on: fencing on
`leaseCounter`, owner switches, counters, and conditional failures carrying
the old item.

`KclSuite` runs against sluice and dynalite 4.0.0; dynalite skips (with the
reason) the transaction, ReturnValuesOnConditionCheckFailure and
UpdateTable-GSI cases it cannot run.
"""

from __future__ import annotations

import time
import unittest

from botocore.exceptions import ClientError

import harness as h
from ddb_common import PeerCase, code, name, wait_table

INDEX = "LeaseOwnerToLeaseKeyIndex"


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def put(v):
    return {"Action": "PUT", "Value": v}


DELETE = {"Action": "DELETE"}


def add1():
    return {"Action": "ADD", "Value": N(1)}


class KclSuite(PeerCase):
    """One lease table per test class, created exactly as KCL 3 creates it."""

    index_transition = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app = name("kclapp")
        cls.table = cls.app
        cls.create_response = cls.ddb.create_table(
            TableName=cls.table,
            KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
            DeletionProtectionEnabled=True,
            Tags=[{"Key": "app", "Value": "kcl-replay"}],
            BillingMode="PAY_PER_REQUEST")
        # KCL: leaseTableExists() polls DescribeTable until ACTIVE
        deadline = time.monotonic() + 30
        while cls.ddb.describe_table(TableName=cls.table)["Table"]["TableStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise AssertionError("lease table never ACTIVE")
            time.sleep(0.05)

    # ---- KCL requests, as DynamoDBLeaseRefresher builds them
    def lease_record(self, key, owner=None, counter=0, checkpoint="TRIM_HORIZON", parents=None, **extra):
        rec = {"leaseKey": S(key), "leaseCounter": N(counter), "ownerSwitchesSinceCheckpoint": N(0),
               "checkpoint": S(checkpoint), "checkpointSubSequenceNumber": N(0),
               "startingHashKey": S("0"), "endingHashKey": S(str(2 ** 128 - 1)), "entityType": S("LEASE")}
        if owner is not None:
            rec["leaseOwner"] = S(owner)
        if parents:
            rec["parentShardId"] = {"SS": parents}
        rec.update(extra)
        return rec

    def create_lease_if_not_exists(self, rec):
        return self.ddb.put_item(TableName=self.table, Item=rec, Expected={"leaseKey": {"Exists": False}})

    def get_lease(self, key):
        return self.ddb.get_item(TableName=self.table, Key={"leaseKey": S(key)}, ConsistentRead=True).get("Item")

    def renew(self, key, counter, throughput=None, shutdown_requested=False):
        expected = {"leaseCounter": {"Value": N(counter)}}
        if not shutdown_requested:
            expected["checkpointOwner"] = {"Exists": False}
        updates = {"leaseCounter": put(N(counter + 1))}
        if throughput is not None:
            updates["throughputKBps"] = put(N(throughput))
        return self.ddb.update_item(TableName=self.table, Key={"leaseKey": S(key)}, Expected=expected,
                                    AttributeUpdates=updates, ReturnValuesOnConditionCheckFailure="ALL_OLD")

    def take(self, key, counter, old_owner, new_owner, checkpoint_owner=None):
        updates = {"leaseCounter": put(N(counter + 1)), "leaseOwner": put(S(new_owner)), "checkpointOwner": DELETE}
        if (old_owner is not None and old_owner != new_owner) or checkpoint_owner == new_owner:
            updates["ownerSwitchesSinceCheckpoint"] = add1()
        return self.ddb.update_item(TableName=self.table, Key={"leaseKey": S(key)},
                                    Expected={"leaseCounter": {"Value": N(counter)}}, AttributeUpdates=updates)

    @staticmethod
    def owner_expectation(key, owner, checkpoint_owner):
        return {"leaseOwner": {"Exists": False} if owner is None else {"Value": S(owner)},
                "checkpointOwner": {"Exists": False} if checkpoint_owner is None else {"Value": S(checkpoint_owner)},
                "leaseKey": {"Exists": True, "Value": S(key)}}

    def assign(self, key, owner, checkpoint_owner, new_owner, rvoccf=True):
        updates = {"leaseOwner": put(S(new_owner)), "checkpointOwner": DELETE, "leaseCounter": add1()}
        if (owner is not None and owner != new_owner) or checkpoint_owner == new_owner:
            updates["ownerSwitchesSinceCheckpoint"] = add1()
        kw = dict(TableName=self.table, Key={"leaseKey": S(key)},
                  Expected=self.owner_expectation(key, owner, checkpoint_owner), AttributeUpdates=updates,
                  ReturnValues="ALL_NEW")
        if rvoccf:
            kw["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return self.ddb.update_item(**kw)

    def evict(self, key, owner, checkpoint_owner):
        updates = {"checkpointOwner": DELETE, "leaseCounter": add1()}
        if checkpoint_owner is None:
            updates["leaseOwner"] = DELETE
        return self.ddb.update_item(TableName=self.table, Key={"leaseKey": S(key)},
                                    Expected=self.owner_expectation(key, owner, checkpoint_owner),
                                    AttributeUpdates=updates)

    def initiate_handoff(self, key, owner, new_owner):
        return self.ddb.update_item(
            TableName=self.table, Key={"leaseKey": S(key)},
            Expected={"leaseOwner": {"Value": S(owner)}, "checkpointOwner": {"Exists": False},
                      "leaseKey": {"Exists": True, "Value": S(key)}},
            AttributeUpdates={"leaseOwner": put(S(new_owner)), "checkpointOwner": put(S(owner))},
            ReturnValues="ALL_NEW")

    def update_lease(self, key, counter, checkpoint, sub=0, owner_switches=0, pending=None, children=None):
        updates = {"leaseCounter": put(N(counter + 1)), "checkpoint": put(S(checkpoint)),
                   "checkpointSubSequenceNumber": put(N(sub)), "ownerSwitchesSinceCheckpoint": put(N(owner_switches))}
        if pending:
            updates["pendingCheckpoint"] = put(S(pending))
            updates["pendingCheckpointSubSequenceNumber"] = put(N(0))
        else:
            updates["pendingCheckpoint"] = DELETE
            updates["pendingCheckpointSubSequenceNumber"] = DELETE
        if children:
            updates["childShardIds"] = put({"SS": children})
        return self.ddb.update_item(TableName=self.table, Key={"leaseKey": S(key)},
                                    Expected={"leaseCounter": {"Value": N(counter)}}, AttributeUpdates=updates)

    def assertCcf(self, fn, *a, **kw) -> dict:
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        self.assertEqual(code(cm.exception), "ConditionalCheckFailedException", cm.exception.response)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return cm.exception.response

    # ---- the cases
    def test_lease_table_as_created(self):
        td = self.create_response["TableDescription"]
        self.assertEqual(td["KeySchema"], [{"AttributeName": "leaseKey", "KeyType": "HASH"}])
        d = self.ddb.describe_table(TableName=self.table)["Table"]
        self.assertEqual(d["TableStatus"], "ACTIVE")
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        if self.is_dynalite and "DeletionProtectionEnabled" not in d:
            self.differs("CreateTable ignores DeletionProtectionEnabled (not in DescribeTable)")
        self.assertTrue(d["DeletionProtectionEnabled"])
        tags = self.ddb.list_tags_of_resource(ResourceArn=d["TableArn"])["Tags"]
        self.assertEqual(tags, [{"Key": "app", "Value": "kcl-replay"}])
        # KCL treats ResourceInUseException as "already exists"
        with self.assertRaises(ClientError) as cm:
            self.ddb.create_table(TableName=self.table, KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                                  BillingMode="PAY_PER_REQUEST")
        self.assertEqual(code(cm.exception), "ResourceInUseException")
        # deletion protection refuses DeleteTable
        with self.assertRaises(ClientError) as cm:
            self.ddb.delete_table(TableName=self.table)
        self.assertEqual(code(cm.exception), "ValidationException")
        self.assertIn("protected against deletion", cm.exception.response["Error"]["Message"])

    def test_create_lease_if_not_exists(self):
        rec = self.lease_record("shardId-000000000001")
        self.create_lease_if_not_exists(rec)
        self.assertEqual(self.get_lease("shardId-000000000001"), rec)
        # the second worker's create fails: KCL reads this as "already existed"
        self.assertCcf(self.create_lease_if_not_exists, self.lease_record("shardId-000000000001", owner="other"))
        self.assertEqual(self.get_lease("shardId-000000000001"), rec)

    def test_renew_fences_on_counter(self):
        key = "shardId-000000000002"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=7))
        r = self.renew(key, 7, throughput=12.5)
        self.assertNotIn("Attributes", r)
        lease = self.get_lease(key)
        self.assertEqual(lease["leaseCounter"], N(8))
        self.assertEqual(lease["throughputKBps"], N("12.5"))
        self.assertEqual(lease["leaseOwner"], S("w1"))
        # a renewal with the stale counter is refused and changes nothing
        self.assertCcf(self.renew, key, 7)
        self.assertEqual(self.get_lease(key)["leaseCounter"], N(8))
        for c in range(8, 20):
            self.renew(key, c)
        self.assertEqual(self.get_lease(key)["leaseCounter"], N(20))

    def test_renew_failure_returns_old_item(self):
        self.needs("rvoccf")
        key = "shardId-000000000003"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=3))
        resp = self.assertCcf(self.renew, key, 2)
        self.assertEqual(resp["Item"], self.get_lease(key))
        self.assertEqual(resp["Item"]["leaseCounter"], N(3))
        # shutdown requested (checkpointOwner set by a hand-off): renewal fails, the old item shows why
        self.initiate_handoff(key, "w1", "w2")
        resp = self.assertCcf(self.renew, key, 3)
        self.assertEqual(resp["Item"]["checkpointOwner"], S("w1"))
        self.assertEqual(resp["Item"]["leaseOwner"], S("w2"))
        # KCL then retries without the checkpointOwner expectation, and it succeeds
        self.renew(key, 3, shutdown_requested=True)
        self.assertEqual(self.get_lease(key)["leaseCounter"], N(4))

    def test_take_lease(self):
        key = "shardId-000000000004"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=5))
        self.take(key, 5, "w1", "w2")
        lease = self.get_lease(key)
        self.assertEqual((lease["leaseOwner"], lease["leaseCounter"], lease["ownerSwitchesSinceCheckpoint"]),
                         (S("w2"), N(6), N(1)))
        self.assertNotIn("checkpointOwner", lease)
        # w1 still thinks counter 5: its renewal and its own take both fail
        self.assertCcf(self.renew, key, 5)
        self.assertCcf(self.take, key, 5, "w1", "w1")
        # taking a lease nobody owns does not count an owner switch
        key2 = "shardId-000000000005"
        self.create_lease_if_not_exists(self.lease_record(key2))
        self.take(key2, 0, None, "w3")
        lease = self.get_lease(key2)
        self.assertEqual((lease["leaseOwner"], lease["leaseCounter"], lease["ownerSwitchesSinceCheckpoint"]),
                         (S("w3"), N(1), N(0)))

    def test_evict_lease(self):
        key = "shardId-000000000006"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=2))
        # a wrong owner expectation fails
        self.assertCcf(self.evict, key, "w9", None)
        self.evict(key, "w1", None)
        lease = self.get_lease(key)
        self.assertNotIn("leaseOwner", lease)
        self.assertEqual(lease["leaseCounter"], N(3))
        # evicting a deleted lease fails on the leaseKey existence check (owner null matches a missing item)
        self.ddb.delete_item(TableName=self.table, Key={"leaseKey": S(key)})
        self.assertCcf(self.evict, key, None, None)
        self.assertIsNone(self.get_lease(key))

    def test_assign_lease(self):
        key = "shardId-000000000007"
        self.create_lease_if_not_exists(self.lease_record(key, counter=10))
        r = self.assign(key, None, None, "w1", rvoccf=not self.is_dynalite)
        self.assertEqual(r["Attributes"]["leaseOwner"], S("w1"))
        self.assertEqual(r["Attributes"]["leaseCounter"], N(11))
        self.assertEqual(r["Attributes"]["ownerSwitchesSinceCheckpoint"], N(0))
        self.assertEqual(r["Attributes"], self.get_lease(key))
        r = self.assign(key, "w1", None, "w2", rvoccf=not self.is_dynalite)
        self.assertEqual((r["Attributes"]["leaseOwner"], r["Attributes"]["leaseCounter"],
                          r["Attributes"]["ownerSwitchesSinceCheckpoint"]), (S("w2"), N(12), N(1)))
        # the leader's view is stale: the assignment fails
        resp = self.assertCcf(self.assign, key, "w1", None, "w3", rvoccf=not self.is_dynalite)
        if not self.is_dynalite:
            self.assertEqual(resp["Item"]["leaseOwner"], S("w2"))
        # assigning a lease that no longer exists fails (leaseKey must exist)
        self.assertCcf(self.assign, "shardId-gone", None, None, "w1", rvoccf=not self.is_dynalite)
        self.assertIsNone(self.get_lease("shardId-gone"))

    def test_graceful_handoff(self):
        key = "shardId-000000000008"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=4))
        r = self.initiate_handoff(key, "w1", "w2")
        self.assertEqual((r["Attributes"]["leaseOwner"], r["Attributes"]["checkpointOwner"],
                          r["Attributes"]["leaseCounter"]), (S("w2"), S("w1"), N(4)))  # no counter bump
        # a second hand-off while one is under way fails
        self.assertCcf(self.initiate_handoff, key, "w2", "w3")
        # w1 checkpoints at shutdown (counter fencing still holds); the hand-off is completed by evicting with
        # checkpointOwner set, which removes only checkpointOwner
        self.update_lease(key, 4, "49590338271490256608559692538361571095921575989136588898", owner_switches=0)
        self.assertCcf(self.update_lease, key, 4, "1")  # its counter is now 5: a replay is fenced off
        self.evict(key, "w2", "w1")
        lease = self.get_lease(key)
        self.assertEqual(lease["leaseOwner"], S("w2"))
        self.assertNotIn("checkpointOwner", lease)
        self.assertEqual(lease["leaseCounter"], N(6))
        # w2 (already leaseOwner) takes the lease at the current counter and keeps renewing it
        self.take(key, 6, "w2", "w2")
        lease = self.get_lease(key)
        self.assertEqual((lease["leaseOwner"], lease["leaseCounter"]), (S("w2"), N(7)))
        self.assertEqual(lease["checkpoint"], S("49590338271490256608559692538361571095921575989136588898"))

    def test_handoff_then_assign(self):
        key = "shardId-000000000009"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=1))
        self.initiate_handoff(key, "w1", "w2")
        # the leader completes the hand-off to w2: checkpointOwner cleared, counter bumped; the owner
        # (w2) did not change in this update, so KCL sends no ownerSwitchesSinceCheckpoint ADD
        r = self.assign(key, "w2", "w1", "w2", rvoccf=not self.is_dynalite)
        self.assertEqual((r["Attributes"]["leaseOwner"], r["Attributes"]["leaseCounter"],
                          r["Attributes"]["ownerSwitchesSinceCheckpoint"]), (S("w2"), N(2), N(0)))
        self.assertNotIn("checkpointOwner", r["Attributes"])
        # a hand-off back to the checkpoint owner counts a switch (checkpointOwner == new owner)
        self.initiate_handoff(key, "w2", "w3")
        r = self.assign(key, "w3", "w2", "w2", rvoccf=not self.is_dynalite)
        self.assertEqual((r["Attributes"]["leaseOwner"], r["Attributes"]["leaseCounter"],
                          r["Attributes"]["ownerSwitchesSinceCheckpoint"]), (S("w2"), N(3), N(1)))

    def test_checkpoint_update_fenced_on_counter(self):
        key = "shardId-000000000010"
        self.create_lease_if_not_exists(self.lease_record(key, owner="w1", counter=0))
        self.update_lease(key, 0, "100", sub=0, pending="200")
        lease = self.get_lease(key)
        self.assertEqual((lease["checkpoint"], lease["pendingCheckpoint"], lease["leaseCounter"]),
                         (S("100"), S("200"), N(1)))
        self.update_lease(key, 1, "SHARD_END", children=["shardId-000000000011", "shardId-000000000012"])
        lease = self.get_lease(key)
        self.assertEqual(lease["checkpoint"], S("SHARD_END"))
        self.assertNotIn("pendingCheckpoint", lease)
        self.assertNotIn("pendingCheckpointSubSequenceNumber", lease)
        self.assertEqual(sorted(lease["childShardIds"]["SS"]), ["shardId-000000000011", "shardId-000000000012"])
        self.assertEqual(lease["leaseCounter"], N(2))
        # another worker took the lease: the old owner's checkpoint with its stale counter is refused
        self.take(key, 2, "w1", "w2")
        self.assertCcf(self.update_lease, key, 2, "999")
        lease = self.get_lease(key)
        self.assertEqual(lease["checkpoint"], S("SHARD_END"))
        self.assertEqual(lease["leaseOwner"], S("w2"))
        # updateLeaseWithMetaInfo: leaseKey exists with that value
        self.ddb.update_item(TableName=self.table, Key={"leaseKey": S(key)},
                             Expected={"leaseKey": {"Exists": True, "Value": S(key)}},
                             AttributeUpdates={"childShardIds": put({"SS": ["shardId-000000000013"]})})
        self.assertEqual(self.get_lease(key)["childShardIds"], {"SS": ["shardId-000000000013"]})
        self.assertCcf(self.ddb.update_item, TableName=self.table, Key={"leaseKey": S("shardId-nope")},
                       Expected={"leaseKey": {"Exists": True, "Value": S("shardId-nope")}},
                       AttributeUpdates={"childShardIds": put({"SS": ["x"]})})
        self.assertIsNone(self.get_lease("shardId-nope"))

    def test_parallel_scan_and_entity_type_filter(self):
        t = name("kclscan")
        self.ddb.create_table(TableName=t, KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        wait_table(self.ddb, t)
        leases, others = set(), set()
        for i in range(60):
            key = f"123456789012:stream{i % 3}:1700000000:shardId-{i:012d}"  # multi-stream lease keys
            self.ddb.put_item(TableName=t, Item={**self.lease_record(key, owner=f"w{i % 4}", counter=i),
                                                 "streamName": S(f"123456789012:stream{i % 3}:1700000000"),
                                                 "shardId": S(f"shardId-{i:012d}")},
                              Expected={"leaseKey": {"Exists": False}})
            leases.add(key)
        for i in range(5):
            self.ddb.put_item(TableName=t, Item={"leaseKey": S(f"worker-{i}"), "wid": S(f"worker-{i}"),
                                                 "lut": N(1700000000 + i), "entityType": S("WORKER_METRIC_STATS"),
                                                 "sts": {"M": {"cpu": {"L": [N(10), N(20)]}}}})
            others.add(f"worker-{i}")
        self.ddb.put_item(TableName=t, Item={"leaseKey": S("Migration3.0"), "cv": S("CLIENT_VERSION_3x"),
                                             "entityType": S("CLIENT_VERSION_MIGRATION")})
        others.add("Migration3.0")
        # DynamoDBLeaseRefresher.scanSegment: Segment/TotalSegments, paginated by ExclusiveStartKey, no Limit
        for total in (1, 4, 10):
            got = []
            for seg in range(total):
                start = None
                while True:
                    kw = dict(TableName=t, Segment=seg, TotalSegments=total)
                    if start:
                        kw["ExclusiveStartKey"] = start
                    r = self.ddb.scan(**kw)
                    got += [i["leaseKey"]["S"] for i in r["Items"]]
                    start = r.get("LastEvaluatedKey")
                    if not start:
                        break
            self.assertEqual(len(got), 66, total)
            self.assertEqual(set(got), leases | others, total)
        # CoordinatorStateDAODelegate.listCoordinatorStateByEntityType
        r = self.ddb.scan(TableName=t, FilterExpression="entityType = :entityType",
                          ExpressionAttributeValues={":entityType": S("CLIENT_VERSION_MIGRATION")})
        self.assertEqual([i["leaseKey"]["S"] for i in r["Items"]], ["Migration3.0"])
        self.assertEqual(r["ScannedCount"], 66)
        # LeaseTableWorkerMetricStatsDAODelegate.getAllWorkerMetricStats, page by page
        got, start = [], None
        while True:
            kw = dict(TableName=t, FilterExpression="#et = :etVal", ExpressionAttributeNames={"#et": "entityType"},
                      ExpressionAttributeValues={":etVal": S("WORKER_METRIC_STATS")}, Limit=7)
            if start:
                kw["ExclusiveStartKey"] = start
            r = self.ddb.scan(**kw)
            got += [i["wid"]["S"] for i in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(sorted(got), [f"worker-{i}" for i in range(5)])
        # DynamoDBLeaseRefresher.listLeasesForStream (multi-stream)
        r = self.ddb.scan(TableName=t, FilterExpression="streamName = :streamName",
                          ExpressionAttributeValues={":streamName": S("123456789012:stream1:1700000000")})
        self.assertEqual(r["Count"], 20)
        self.assertTrue(all(i["leaseKey"]["S"].startswith("123456789012:stream1:") for i in r["Items"]))

    def test_lease_owner_gsi(self):
        t = name("kclgsi")
        self.ddb.create_table(TableName=t, KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        wait_table(self.ddb, t)
        for i in range(12):
            self.ddb.put_item(TableName=t, Item=self.lease_record(f"shardId-{i:012d}", owner=f"w{i % 3}"
                                                                  if i < 9 else None, counter=i))
        # createLeaseOwnerToLeaseKeyIndexIfNotExists: DescribeTable, then UpdateTable (PAY_PER_REQUEST: no throughput)
        d = self.ddb.describe_table(TableName=t)["Table"]
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertNotIn("GlobalSecondaryIndexes", d)
        update_gsi = dict(
            TableName=t,
            AttributeDefinitions=[{"AttributeName": "leaseOwner", "AttributeType": "S"},
                                  {"AttributeName": "leaseKey", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": INDEX,
                "KeySchema": [{"AttributeName": "leaseOwner", "KeyType": "HASH"},
                              {"AttributeName": "leaseKey", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        if self.is_dynalite:
            with self.assertRaises(ClientError) as cm:
                self.ddb.update_table(**update_gsi)
            self.assertIn("provisionedThroughput' failed to satisfy constraint: Member must not be null",
                          cm.exception.response["Error"]["Message"])
            self.differs("UpdateTable refuses a GSI Create without ProvisionedThroughput on a PAY_PER_REQUEST "
                         "table (and with one, answers 200 and creates no index)")
        r = self.ddb.update_table(**update_gsi)
        gsis = [g for g in r["TableDescription"].get("GlobalSecondaryIndexes", []) if g["IndexName"] == INDEX]
        self.assertEqual(len(gsis), 1, r["TableDescription"])
        self.assertIn(gsis[0]["IndexStatus"], ("CREATING", "ACTIVE"))
        # waitUntilLeaseOwnerToLeaseKeyIndexExists: poll DescribeTable until IndexStatus ACTIVE
        deadline = time.monotonic() + 30
        statuses = []
        while True:
            d = self.ddb.describe_table(TableName=t)["Table"]
            g = [x for x in d["GlobalSecondaryIndexes"] if x["IndexName"] == INDEX][0]
            statuses.append(g["IndexStatus"])
            if g["IndexStatus"] == "ACTIVE":
                break
            self.assertEqual(g["IndexStatus"], "CREATING")
            # KCL may list its leases meanwhile: a Query on a CREATING index is refused (unless the index
            # became ACTIVE between the DescribeTable and the Query)
            try:
                self.ddb.query(TableName=t, IndexName=INDEX, KeyConditionExpression="leaseOwner = :leaseOwner",
                               ExpressionAttributeValues={":leaseOwner": S("w0")})
                d = self.ddb.describe_table(TableName=t)["Table"]
                self.assertEqual([x["IndexStatus"] for x in d["GlobalSecondaryIndexes"]], ["ACTIVE"],
                                 "a CREATING index answered a Query")
            except ClientError as e:
                self.assertEqual(code(e), "ValidationException")
                self.assertIn("Cannot read from backfilling global secondary index", e.response["Error"]["Message"])
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        if self.index_transition:
            self.assertEqual(statuses[0], "CREATING", statuses)
        self.assertEqual(g["KeySchema"], [{"AttributeName": "leaseOwner", "KeyType": "HASH"},
                                          {"AttributeName": "leaseKey", "KeyType": "RANGE"}])
        self.assertEqual(g["Projection"]["ProjectionType"], "KEYS_ONLY")

        def list_lease_keys_for_worker(worker):
            r = self.ddb.query(TableName=t, IndexName=INDEX, KeyConditionExpression="leaseOwner = :leaseOwner",
                               ExpressionAttributeValues={":leaseOwner": S(worker)})
            for item in r["Items"]:
                self.assertEqual(set(item), {"leaseOwner", "leaseKey"})  # KEYS_ONLY
            return [i["leaseKey"]["S"] for i in r["Items"]]

        self.assertEqual(list_lease_keys_for_worker("w0"), [f"shardId-{i:012d}" for i in (0, 3, 6)])
        # owner switches move leases in the index; an evicted lease leaves it
        tbl, self.table = self.table, t
        try:
            self.take("shardId-000000000000", 0, "w0", "w1")
            self.evict("shardId-000000000003", "w0", None)
            self.assign("shardId-000000000010", None, None, "w0", rvoccf=not self.is_dynalite)
        finally:
            self.table = tbl
        self.assertEqual(list_lease_keys_for_worker("w0"), [f"shardId-{i:012d}" for i in (6, 10)])
        self.assertEqual(list_lease_keys_for_worker("w1"), [f"shardId-{i:012d}" for i in (0, 1, 4, 7)])
        self.assertEqual(list_lease_keys_for_worker("nobody"), [])

    def test_coordinator_state_transactions(self):
        self.needs("transactions")
        legacy = name("kclcs")  # <app>-CoordinatorState, hash key "key"
        self.ddb.create_table(TableName=legacy, KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        wait_table(self.ddb, legacy)
        lease_table = name("kcllt")
        self.ddb.create_table(TableName=lease_table, KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        wait_table(self.ddb, lease_table)
        # the leader lock row (AmazonDynamoDBLockClient) and migration state in the legacy table
        self.ddb.put_item(TableName=legacy, Item={"key": S("Leader"), "ownerName": S("worker-A"),
                                                  "leaseDuration": S("20000"), "recordVersionNumber": S("v1")},
                          ConditionExpression="attribute_not_exists(#k)", ExpressionAttributeNames={"#k": "key"})
        self.ddb.put_item(TableName=legacy, Item={"key": S("Migration3.0"), "cv": S("CLIENT_VERSION_3x"),
                                                  "mb": S("worker-A"), "mts": N(1700000000000),
                                                  "h": {"L": [{"M": {"cv": S("CLIENT_VERSION_3x_WITH_ROLLBACK")}}]}})
        self.ddb.put_item(TableName=legacy, Item={"key": S("TableMigration3.5"), "tm": S("TABLE_MIGRATION_STATUS_PENDING")})

        def move_batch(owner, keys):
            items = [{"ConditionCheck": {"TableName": legacy, "Key": {"key": S("Leader")},
                                         "ConditionExpression": "ownerName = :owner",
                                         "ExpressionAttributeValues": {":owner": S(owner)}}}]
            for k in keys:
                row = self.ddb.get_item(TableName=legacy, Key={"key": S(k)}, ConsistentRead=True)["Item"]
                rec = {("leaseKey" if a == "key" else a): v for a, v in row.items()}
                rec["entityType"] = S("CLIENT_VERSION_MIGRATION")
                items.append({"Put": {"TableName": lease_table, "Item": rec,
                                      "ConditionExpression": "attribute_not_exists(leaseKey)"}})
                items.append({"Delete": {"TableName": legacy, "Key": {"key": S(k)}}})
            return self.ddb.transact_write_items(TransactItems=items)

        # a worker that lost the lock is fenced: nothing moves
        with self.assertRaises(ClientError) as cm:
            move_batch("worker-B", ["Migration3.0"])
        self.assertEqual(code(cm.exception), "TransactionCanceledException")
        self.assertEqual([r["Code"] for r in cm.exception.response["CancellationReasons"]],
                         ["ConditionalCheckFailed", "None", "None"])
        self.assertIn("Item", self.ddb.get_item(TableName=legacy, Key={"key": S("Migration3.0")}))
        self.assertNotIn("Item", self.ddb.get_item(TableName=lease_table, Key={"leaseKey": S("Migration3.0")}))
        # the lock owner moves the row atomically
        move_batch("worker-A", ["Migration3.0"])
        self.assertNotIn("Item", self.ddb.get_item(TableName=legacy, Key={"key": S("Migration3.0")}))
        moved = self.ddb.get_item(TableName=lease_table, Key={"leaseKey": S("Migration3.0")})["Item"]
        self.assertEqual(moved["cv"], S("CLIENT_VERSION_3x"))
        self.assertEqual(moved["h"]["L"][0]["M"]["cv"], S("CLIENT_VERSION_3x_WITH_ROLLBACK"))
        # finalizeMigrationComplete: create COMPLETE in the lease table, overwrite legacy where tm = PENDING
        def finalize():
            return self.ddb.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": legacy, "Key": {"key": S("Leader")},
                                    "ConditionExpression": "ownerName = :owner",
                                    "ExpressionAttributeValues": {":owner": S("worker-A")}}},
                {"Put": {"TableName": lease_table, "Item": {"leaseKey": S("TableMigration3.5"),
                                                            "tm": S("TABLE_MIGRATION_STATUS_COMPLETE"),
                                                            "entityType": S("TABLE_MIGRATION")},
                         "ConditionExpression": "attribute_not_exists(leaseKey)"}},
                {"Put": {"TableName": legacy, "Item": {"key": S("TableMigration3.5"),
                                                       "tm": S("TABLE_MIGRATION_STATUS_COMPLETE")},
                         "ConditionExpression": "tm = :expectedStatus",
                         "ExpressionAttributeValues": {":expectedStatus": S("TABLE_MIGRATION_STATUS_PENDING")}}}])
        finalize()
        self.assertEqual(self.ddb.get_item(TableName=legacy, Key={"key": S("TableMigration3.5")})["Item"]["tm"],
                         S("TABLE_MIGRATION_STATUS_COMPLETE"))
        # replaying it is refused by both conditions, and the reasons say which
        with self.assertRaises(ClientError) as cm:
            finalize()
        self.assertEqual([r["Code"] for r in cm.exception.response["CancellationReasons"]],
                         ["None", "ConditionalCheckFailed", "ConditionalCheckFailed"])

    def test_worker_metric_stats(self):
        t = name("kclwm")  # <app>-WorkerMetricStats, hash key "wid"
        self.ddb.create_table(TableName=t, KeySchema=[{"AttributeName": "wid", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "wid", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        wait_table(self.ddb, t)
        # the enhanced client's UpdateItem with ignoreNulls: SET of every non-null attribute
        def update_metrics(wid, lut, cpu):
            names = {"#AMZN_MAPPED_lut": "lut", "#AMZN_MAPPED_sts": "sts", "#AMZN_MAPPED_opr": "opr",
                     "#AMZN_MAPPED_entityType": "entityType"}
            values = {":AMZN_MAPPED_lut": N(lut), ":AMZN_MAPPED_sts": {"M": {"CPU": {"L": [N(cpu)]}}},
                      ":AMZN_MAPPED_opr": {"M": {"CPU": {"L": [N(100)]}}},
                      ":AMZN_MAPPED_entityType": S("WORKER_METRIC_STATS")}
            return self.ddb.update_item(
                TableName=t, Key={"wid": S(wid)},
                UpdateExpression="SET " + ", ".join(f"{n} = {n.replace('#', ':')}" for n in names),
                ExpressionAttributeNames=names, ExpressionAttributeValues=values, ReturnValues="ALL_NEW")

        r = update_metrics("worker-1", 1700000000, 42.5)
        self.assertEqual(r["Attributes"]["sts"], {"M": {"CPU": {"L": [N("42.5")]}}})
        update_metrics("worker-1", 1700000060, 50)
        update_metrics("worker-2", 1700000000, 10)

        def delete_metrics(wid, lut):
            return self.ddb.delete_item(TableName=t, Key={"wid": S(wid)},
                                        ConditionExpression="#key = :value AND attribute_exists (wid)",
                                        ExpressionAttributeNames={"#key": "lut"},
                                        ExpressionAttributeValues={":value": N(lut)})

        # the worker came alive again (lut moved): the stale delete is refused
        self.assertCcf(delete_metrics, "worker-1", 1700000000)
        self.assertEqual(self.ddb.get_item(TableName=t, Key={"wid": S("worker-1")})["Item"]["lut"], N(1700000060))
        delete_metrics("worker-1", 1700000060)
        self.assertNotIn("Item", self.ddb.get_item(TableName=t, Key={"wid": S("worker-1")}))
        self.assertCcf(delete_metrics, "worker-gone", 1)
        r = self.ddb.scan(TableName=t, FilterExpression="#et = :etVal", ExpressionAttributeNames={"#et": "entityType"},
                          ExpressionAttributeValues={":etVal": S("WORKER_METRIC_STATS")})
        self.assertEqual([i["wid"]["S"] for i in r["Items"]], ["worker-2"])

    def test_delete_lease(self):
        key = "shardId-000000000099"
        self.create_lease_if_not_exists(self.lease_record(key))
        self.ddb.delete_item(TableName=self.table, Key={"leaseKey": S(key)})
        self.assertIsNone(self.get_lease(key))
        self.ddb.delete_item(TableName=self.table, Key={"leaseKey": S(key)})  # idempotent, as KCL relies on


class SluiceKcl(KclSuite):
    server_kind = "sluice"
    # tables and indexes spend 300 ms CREATING, so the DescribeTable polls KCL does are exercised
    sluice_args = ("--table-transition-ms", "300")
    index_transition = not h.is_external()


class DynaliteKcl(KclSuite):
    server_kind = "dynalite"


del KclSuite, PeerCase

if __name__ == "__main__":
    unittest.main()
