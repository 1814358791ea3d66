#!/usr/bin/env python3
"""Client benchmarks (issue 3): `sluice produce` against a plain boto3
put_records loop (the tutorial's approach) into the same `sluice serve`, and
`sluice consume` with dedup on. Prints a Markdown table; loopback only.

  python3 bench/clients.py [--records 200000] [--sluice build/src/sluice]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_server(binary, data_dir):
    p = subprocess.Popen([binary, "serve", "--port", "0", "--data-dir", data_dir, "--stream-transition-ms", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    m = re.search(r"listening on (http://\S+)", p.stdout.readline())
    return p, m.group(1)


def boto3_loop(endpoint, stream, n, size):
    k = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                     aws_secret_access_key="bench", config=Config(retries={"max_attempts": 3}))
    pad = "x" * max(0, size - 120)
    t0 = time.monotonic()
    sent = 0
    while sent < n:
        batch = []
        for i in range(min(500, n - sent)):
            ev = {"event_id": str(uuid.uuid4()), "user_id": f"user-{(sent + i) % 1000}", "value": 1.5,
                  "produced_at_ms": int(time.time() * 1000), "pad": pad}
            batch.append({"Data": json.dumps(ev).encode(), "PartitionKey": ev["user_id"]})
        r = k.put_records(StreamName=stream, Records=batch)
        sent += len(batch) - r["FailedRecordCount"]
    return n / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--record-size", type=int, default=256)
    ap.add_argument("--sluice", default=os.path.join(ROOT, "build", "src", "sluice"))
    a = ap.parse_args()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1")
    with tempfile.TemporaryDirectory() as d:
        server, endpoint = start_server(a.sluice, os.path.join(d, "data"))
        try:
            rows = []
            # sluice produce
            summary = os.path.join(d, "produce.json")
            subprocess.run([a.sluice, "produce", "--stream-name", "bench-produce", "--endpoint-url", endpoint,
                            "--create-stream", "--shard-count", "4", "--count", str(a.records), "--record-size",
                            str(a.record_size), "--duplicates", "0.05", "--summary-json", summary, "--quiet"],
                           check=True, env=env)
            s = json.load(open(summary))
            rows.append(("sluice produce (C++, 4 senders, linger 100 ms)",
                         s["stats"]["records_sent"] / (s["stats"]["elapsed_ms"] / 1000.0)))
            # boto3 loop on the same server
            k = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                             aws_secret_access_key="bench")
            k.create_stream(StreamName="bench-boto3", ShardCount=4)
            rows.append(("boto3 put_records loop, 500 per call (the tutorial's approach)",
                         boto3_loop(endpoint, "bench-boto3", a.records, a.record_size)))
            # sluice consume, dedup on
            stats = os.path.join(d, "consume.json")
            t0 = time.monotonic()
            subprocess.run([a.sluice, "consume", "--stream-name", "bench-produce", "--endpoint-url", endpoint,
                            "--checkpoint-db", os.path.join(d, "c.db"), "--output", os.path.join(d, "out.ndjson"),
                            "--idle-exit", "1", "--stats-json", stats, "--quiet"], check=True, env=env)
            c = json.load(open(stats))
            active_s = time.monotonic() - t0 - 1.0  # minus the idle wait before exit
            consume_rate = (c["processed"] + c["duplicates_dropped"]) / active_s
        finally:
            server.terminate()
            server.wait()
    print(f"| client | records/s |\n|---|---|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} |")
    print(f"| sluice consume, dedup on, NDJSON file output (records read incl. {c['duplicates_dropped']:,} "
          f"duplicates dropped) | {consume_rate:,.0f} |")
    print(f"\n{a.records:,} records of ~{a.record_size} B, 4 shards, `sluice serve --fsync always`; "
          f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")


if __name__ == "__main__":
    sys.exit(main())
