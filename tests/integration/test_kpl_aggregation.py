"""KPL aggregation end to end, checked against an independent implementation
(the npm package aws-kinesis-agg, driven by tests/js/kpl.js):

- `sluice produce --aggregate` writes records that aws-kinesis-agg
  de-aggregates (MD5 verified) into exactly the events produced, each stored in
  the shard its own partition key hashes to;
- records aggregated by aws-kinesis-agg and put with boto3 are de-aggregated by
  `sluice consume`, every user record processed once;
- the same produce/consume round trip against kinesalite, so the clients are
  not tuned to our server."""

import base64
import json
import os
import subprocess
import tempfile
import unittest
from collections import Counter

import harness as h

KPL_JS = h.REPO_ROOT / "tests" / "js" / "kpl.js"
MAGIC = b"\xf3\x89\x9a\xc2"



def node_kpl(mode, rows):
    if not (h.REPO_ROOT / "tests" / "js" / "node_modules" / "aws-kinesis-agg").exists():
        raise RuntimeError("aws-kinesis-agg is not installed: run scripts/setup.sh (npm ci in tests/js)")
    proc = subprocess.run(["node", str(KPL_JS), mode], input="".join(json.dumps(r) + "\n" for r in rows),
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"kpl.js {mode} failed: {proc.stderr}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


class AggregationBase:
    endpoint = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-kpl-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.dir]))
        self.bin = h.find_binary()
        self.kinesis = h.kinesis_client(self.endpoint)

    def sluice(self, *args):
        proc = subprocess.run([self.bin, *args, "--endpoint-url", self.endpoint], capture_output=True, text=True,
                              timeout=300, env=h.sluice_cli_env(), cwd=self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc

    def produce_aggregated(self, stream, count, shards, seed):
        summary = os.path.join(self.dir, "produce.json")
        self.sluice("produce", "--stream-name", stream, "--create-stream", "--shard-count", str(shards),
                    "--count", str(count), "--seed", str(seed), "--aggregate", "--summary-json", summary, "--quiet")
        with open(summary) as f:
            s = json.load(f)
        self.assertEqual(s["failed"], 0)
        self.assertEqual(s["stats"]["records_sent"], count)
        return s

    def consume(self, stream):
        out = os.path.join(self.dir, "out.ndjson")
        self.sluice("consume", "--stream-name", stream, "--checkpoint-db", os.path.join(self.dir, "c.db"),
                    "--output", out, "--idle-exit", "2", "--quiet")
        with open(out) as f:
            return [json.loads(line) for line in f if line.strip()]

    def raw_records(self, stream):
        """Every Kinesis record of every shard: (shard, hash range, record)."""
        out = []
        for shard in self.kinesis.list_shards(StreamName=stream)["Shards"]:
            it = self.kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                page = self.kinesis.get_records(ShardIterator=it, Limit=10000)
                out += [(shard, r) for r in page["Records"]]
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")
        return out

    def test_produce_aggregate_round_trips_through_aws_kinesis_agg_and_sluice_consume(self):
        stream = h.unique_name("kplp")
        s = self.produce_aggregated(stream, count=2000, shards=3, seed=42)
        raw = self.raw_records(stream)
        self.assertTrue(raw)
        self.assertTrue(all(r["Data"].startswith(MAGIC) for _, r in raw), "every record is aggregated")
        self.assertLess(len(raw), 2000 / 5, "aggregation packed many events per Kinesis record")

        users = node_kpl("deaggregate", [{"sequenceNumber": r["SequenceNumber"], "partitionKey": r["PartitionKey"],
                                          "data": base64.b64encode(r["Data"]).decode()} for _, r in raw])
        self.assertEqual(len(users), 2000)
        ids = Counter(json.loads(base64.b64decode(u["data"]))["event_id"] for u in users)
        self.assertEqual(set(ids), {f"{s['run_id']}-{n}" for n in range(2000)})
        self.assertEqual(max(ids.values()), 1)
        # Each user record lives in the shard its own partition key hashes to.
        by_seq = {r["SequenceNumber"]: shard for shard, r in raw}
        for u in users:
            shard = by_seq[u["sequenceNumber"]]
            key = h.partition_hash(u["partitionKey"])
            rng = shard["HashKeyRange"]
            self.assertTrue(int(rng["StartingHashKey"]) <= key <= int(rng["EndingHashKey"]), u)

        events = self.consume(stream)
        self.assertEqual(Counter(e["event_id"] for e in events), ids)

    def test_sluice_consume_deaggregates_what_aws_kinesis_agg_aggregated(self):
        stream = h.unique_name("kplc")
        h.create_active(self.kinesis, stream, shards=2)
        rows = [{"partitionKey": f"user-{i % 13}",
                 "data": base64.b64encode(json.dumps({"event_id": f"js-{i}", "n": i}).encode()).decode()}
                for i in range(600)]
        aggregated = node_kpl("aggregate", rows)
        self.assertLess(len(aggregated), 600)
        for a in aggregated:
            args = {"StreamName": stream, "PartitionKey": a["partitionKey"], "Data": base64.b64decode(a["data"])}
            if a.get("explicitHashKey"):
                args["ExplicitHashKey"] = a["explicitHashKey"]
            self.kinesis.put_record(**args)
        events = self.consume(stream)
        self.assertEqual(Counter(e["event_id"] for e in events), Counter(f"js-{i}" for i in range(600)))


class AggregationSluiceTest(AggregationBase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = h.start_server(transition_ms=50)
        cls.endpoint = cls.server.endpoint

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()


class AggregationKinesaliteTest(AggregationBase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.peer = h.Kinesalite()
        cls.endpoint = cls.peer.endpoint

    @classmethod
    def tearDownClass(cls):
        cls.peer.stop()


if __name__ == "__main__":
    unittest.main()
