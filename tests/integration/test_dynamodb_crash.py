"""DynamoDB crash durability: many concurrent clients do conditional UpdateItem
(counter increments conditioned on the old value) and TransactWriteItems
(moving an amount between two accounts, so the sum is invariant) while the
server is SIGKILLed; it is restarted on the same data dir each round.  After
every restart:

  * every acknowledged increment is visible: its token is in the counter's
    token set, and the counter is never behind its highest acknowledged value;
  * each counter equals the number of tokens applied to it (an increment is
    never half-applied: the value and the token move together);
  * every acknowledged transfer's record item is present, no transfer is
    half-applied: each balance equals its initial value plus the transfers
    whose records are present, and the sum over the accounts is unchanged;
  * whatever was visible after one restart is still visible after the next.
"""

from __future__ import annotations

import os
import random
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

import harness as h
from ddb_common import code, ddb_client, wait_table

ROUNDS = int(os.environ.get("SLUICE_DDB_CRASH_ROUNDS", "4"))
COUNTERS = 3
COUNTER_THREADS = 6
ACCOUNTS = 8
TRANSFER_THREADS = 4
INITIAL = 1000
# outcomes a client may see while the server is healthy or being killed
EXPECTED_CODES = {"ConditionalCheckFailedException", "TransactionCanceledException",
                  "TransactionConflictException", "TransactionInProgressException"}


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


class Worker(threading.Thread):
    def __init__(self, endpoint, tid, stop, seed):
        super().__init__(daemon=True)
        self.client = ddb_client(endpoint, connect_timeout=2, read_timeout=15)
        self.tid, self.stop, self.rnd = tid, stop, random.Random(seed)
        self.n = 0
        self.acked = []      # what the server acknowledged
        self.ok = self.retried = self.unknown = 0
        self.unexpected = []

    def token(self):
        self.n += 1
        return f"t{self.tid}-{self.n}-{self.rnd.getrandbits(32):08x}"


class CounterWorker(Worker):
    def run(self):
        while not self.stop.is_set():
            cid = f"c{self.rnd.randrange(COUNTERS)}"
            try:
                cur = self.client.get_item(TableName="ctr", Key={"id": S(cid)}, ConsistentRead=True)["Item"]
                old = int(cur["n"]["N"])
                tok = self.token()
                self.client.update_item(TableName="ctr", Key={"id": S(cid)},
                                        UpdateExpression="SET n = :new ADD toks :tok",
                                        ConditionExpression="n = :old",
                                        ExpressionAttributeValues={":new": N(old + 1), ":old": N(old),
                                                                   ":tok": {"SS": [tok]}})
                self.acked.append((cid, old + 1, tok))
                self.ok += 1
            except ClientError as e:
                if code(e) == "ConditionalCheckFailedException":
                    self.retried += 1
                else:
                    self.unknown += 1
                    if code(e) not in EXPECTED_CODES and not self.stop.is_set():
                        self.unexpected.append(code(e))
            except BotoCoreError:
                self.unknown += 1  # connection gone: outcome unknown
                time.sleep(0.01)


class TransferWorker(Worker):
    def run(self):
        while not self.stop.is_set():
            a, b = self.rnd.sample(range(ACCOUNTS), 2)
            amt = self.rnd.randint(1, 50)
            tok = self.token()
            try:
                self.client.transact_write_items(TransactItems=[
                    {"Update": {"TableName": "acct", "Key": {"id": S(f"a{a}")},
                                "UpdateExpression": "SET bal = bal - :x", "ConditionExpression": "bal >= :x",
                                "ExpressionAttributeValues": {":x": N(amt)}}},
                    {"Update": {"TableName": "acct", "Key": {"id": S(f"a{b}")},
                                "UpdateExpression": "SET bal = bal + :x", "ExpressionAttributeValues": {":x": N(amt)}}},
                    {"Put": {"TableName": "txlog", "Item": {"id": S(tok), "src": S(f"a{a}"), "dst": S(f"a{b}"),
                                                             "amt": N(amt)},
                             "ConditionExpression": "attribute_not_exists(id)"}}])
                self.acked.append(tok)
                self.ok += 1
            except ClientError as e:
                if code(e) in EXPECTED_CODES:
                    self.retried += 1
                else:
                    self.unknown += 1
                    if not self.stop.is_set():
                        self.unexpected.append(code(e))
            except BotoCoreError:
                self.unknown += 1
                time.sleep(0.01)


def scan_all(client, table):
    items, start = [], None
    while True:
        kw = dict(TableName=table)
        if start:
            kw["ExclusiveStartKey"] = start
        r = client.scan(**kw)
        items += r["Items"]
        start = r.get("LastEvaluatedKey")
        if not start:
            return items


class DynamoCrash(unittest.TestCase):
    fsync = None  # the default
    rounds = ROUNDS

    def setUp(self):
        h.skip_if_external("needs to SIGKILL and restart the server")
        self.server = h.SluiceServer(fsync=self.fsync, extra_args=["--table-transition-ms", "0"]).start()

    def tearDown(self):
        self.server.cleanup()

    def create(self, c):
        for t in ("ctr", "acct", "txlog"):
            c.create_table(TableName=t, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
            wait_table(c, t)
        for i in range(COUNTERS):
            c.put_item(TableName="ctr", Item={"id": S(f"c{i}"), "n": N(0)})
        for i in range(ACCOUNTS):
            c.put_item(TableName="acct", Item={"id": S(f"a{i}"), "bal": N(INITIAL)})

    def verify(self, c, acked_incs, acked_tx, seen_toks, seen_tx, ctx):
        counters = {i["id"]["S"]: i for i in scan_all(c, "ctr")}
        self.assertEqual(set(counters), {f"c{i}" for i in range(COUNTERS)}, ctx)
        for cid, item in counters.items():
            toks = set(item.get("toks", {}).get("SS", []))
            n = int(item["n"]["N"])
            self.assertEqual(n, len(toks), f"{ctx}: {cid} value {n} but {len(toks)} increments applied")
            mine = [(v, t) for (k, v, t) in acked_incs if k == cid]
            if mine:
                self.assertGreaterEqual(n, max(v for v, _ in mine), f"{ctx}: {cid} behind an acknowledged value")
            missing = [t for _, t in mine if t not in toks]
            self.assertEqual(missing, [], f"{ctx}: acknowledged increments of {cid} lost")
            lost = seen_toks.get(cid, set()) - toks
            self.assertEqual(lost, set(), f"{ctx}: increments of {cid} seen before vanished")
            seen_toks[cid] = toks
        log = {i["id"]["S"]: i for i in scan_all(c, "txlog")}
        missing = [t for t in acked_tx if t not in log]
        self.assertEqual(missing, [], f"{ctx}: acknowledged transfers lost")
        self.assertEqual(seen_tx - set(log), set(), f"{ctx}: transfers seen before vanished")
        seen_tx |= set(log)
        want = {f"a{i}": INITIAL for i in range(ACCOUNTS)}
        for it in log.values():
            want[it["src"]["S"]] -= int(it["amt"]["N"])
            want[it["dst"]["S"]] += int(it["amt"]["N"])
        bal = {i["id"]["S"]: int(i["bal"]["N"]) for i in scan_all(c, "acct")}
        self.assertEqual(bal, want, f"{ctx}: balances do not match the transfers present (half-applied?)")
        self.assertEqual(sum(bal.values()), INITIAL * ACCOUNTS, ctx)
        self.assertTrue(all(v >= 0 for v in bal.values()), f"{ctx}: {bal}")
        return sum(int(i["n"]["N"]) for i in counters.values()), len(log)

    def test_sigkill_during_conditional_updates_and_transactions(self):
        rnd = random.Random(int(os.environ.get("SLUICE_CRASH_SEED", str(int(time.time())))))
        c = ddb_client(self.server.endpoint)
        self.create(c)
        acked_incs, acked_tx = [], []
        seen_toks, seen_tx = {}, set()
        totals = []
        for rnd_no in range(self.rounds):
            stop = threading.Event()
            workers = [CounterWorker(self.server.endpoint, i, stop, rnd.random()) for i in range(COUNTER_THREADS)]
            workers += [TransferWorker(self.server.endpoint, 100 + i, stop, rnd.random())
                        for i in range(TRANSFER_THREADS)]
            for w in workers:
                w.n = rnd_no * 1_000_000  # tokens unique across rounds
                w.start()
            time.sleep(rnd.uniform(1.5, 3.0))
            self.server.kill9()  # SIGKILL with requests in flight
            stop.set()
            for w in workers:
                w.join(timeout=30)
                self.assertFalse(w.is_alive())
                self.assertEqual(w.unexpected, [], f"round {rnd_no}: unexpected errors")
            for w in workers:
                if isinstance(w, CounterWorker):
                    acked_incs += w.acked
                else:
                    acked_tx += w.acked
            round_ok = sum(w.ok for w in workers)
            self.assertGreater(round_ok, 20, f"round {rnd_no}: too little work got through")
            self.assertGreater(sum(w.ok for w in workers if isinstance(w, TransferWorker)), 5)
            self.server.start()
            c = ddb_client(self.server.endpoint)
            totals.append(self.verify(c, acked_incs, acked_tx, seen_toks, seen_tx, f"after SIGKILL #{rnd_no + 1}"))
        print(f"\nddb crash test: {len(acked_incs)} acknowledged increments, {len(acked_tx)} acknowledged transfers; "
              f"present after each of {self.rounds} SIGKILLs (fsync={self.fsync or 'default'}) (increments, transfers): {totals}")


class DynamoCrashFsyncAlways(DynamoCrash):
    """The same with --fsync always (acknowledged after fdatasync), fewer rounds."""
    fsync = "always"
    rounds = 2


if __name__ == "__main__":
    unittest.main()
