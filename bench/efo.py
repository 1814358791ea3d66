#!/usr/bin/env python3
"""Enhanced fan-out latency benchmark for `sluice serve`: put -> delivery.

Starts `sluice serve` (fsync always) on a fresh data directory, creates a
one-shard stream and registers a consumer, then puts one record at a time
(boto3 PutRecord, each carrying its send time) at a fixed rate while three
readers run side by side:

  efo        SubscribeToShard (boto3, HTTP/1.1 event stream), re-subscribing
             with the ContinuationSequenceNumber when a subscription ends;
  poll-200   GetRecords every 200 ms (the KCL's idle-time default),
  poll-1000  GetRecords every 1000 ms (AWS's guidance of 1 call/s/consumer).

Latency per record = arrival at the reader - send time (one clock, one
machine). Prints percentiles; --write-benchmarks rewrites the EFO section of
BENCHMARKS.md.

    python3 bench/efo.py                      # 60 s at 50 records/s
    python3 bench/efo.py --quick              # 10 s smoke run
    python3 bench/efo.py --write-benchmarks
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- efo:begin -->", "<!-- efo:end -->"
SHARD = "shardId-000000000000"


def start_server(binary: str, data_dir: str):
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--data-dir", data_dir, "--stream-transition-ms", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        m = re.search(r"sluice listening on (http://\S+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, m.group(1)
    raise RuntimeError("server did not start")


def client(endpoint):
    return boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench",
                        config=Config(retries={"max_attempts": 2}, max_pool_connections=8))


def percentiles(xs):
    xs = sorted(xs)
    if not xs:
        return {}
    pick = lambda p: xs[min(len(xs) - 1, int(p / 100 * len(xs)))]
    return {"count": len(xs), "p50": pick(50), "p90": pick(90), "p99": pick(99), "max": xs[-1],
            "mean": statistics.fmean(xs)}


def run(binary, duration, rate):
    work = tempfile.mkdtemp(prefix="sluice-efo-bench-")
    proc, endpoint = start_server(binary, os.path.join(work, "data"))
    try:
        k = client(endpoint)
        k.create_stream(StreamName="efo", ShardCount=1)
        k.get_waiter("stream_exists").wait(StreamName="efo", WaiterConfig={"Delay": 0.1})
        arn = k.describe_stream_summary(StreamName="efo")["StreamDescriptionSummary"]["StreamARN"]
        consumer = k.register_stream_consumer(StreamARN=arn, ConsumerName="bench")["Consumer"]["ConsumerARN"]
        while k.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            time.sleep(0.05)
        latencies = {"efo": [], "poll-200": [], "poll-1000": []}
        stop = threading.Event()

        def note(name, records):
            now = time.time()
            for r in records:
                latencies[name].append((now - json.loads(r["Data"])["t"]) * 1000)

        def efo_reader():
            c = client(endpoint)
            position = {"Type": "LATEST"}
            while not stop.is_set():
                resp = c.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD, StartingPosition=position)
                started = time.monotonic()
                for ev in resp["EventStream"]:
                    e = ev["SubscribeToShardEvent"]
                    note("efo", e["Records"])
                    position = {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": e["ContinuationSequenceNumber"]}
                    if stop.is_set():
                        break
                time.sleep(max(0.0, 5.1 - (time.monotonic() - started)))  # the 5-second re-subscribe rule

        def poller(name, interval):
            c = client(endpoint)
            it = c.get_shard_iterator(StreamName="efo", ShardId=SHARD, ShardIteratorType="LATEST")["ShardIterator"]
            while not stop.is_set():
                r = c.get_records(ShardIterator=it)
                note(name, r["Records"])
                it = r["NextShardIterator"]
                time.sleep(interval)

        readers = [threading.Thread(target=efo_reader, daemon=True),
                   threading.Thread(target=poller, args=("poll-200", 0.2), daemon=True),
                   threading.Thread(target=poller, args=("poll-1000", 1.0), daemon=True)]
        for t in readers:
            t.start()
        time.sleep(1.0)
        n, start = 0, time.monotonic()
        while time.monotonic() - start < duration:
            k.put_record(StreamName="efo", Data=json.dumps({"t": time.time(), "n": n}).encode(), PartitionKey="k")
            n += 1
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
        time.sleep(2.5)
        stop.set()
        return n, {name: percentiles(v) for name, v in latencies.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        subprocess.run(["rm", "-rf", work])


def render(n, results, args):
    lines = [BEGIN, "## Enhanced fan-out: put -> reader latency", "",
             f"`sluice serve` (fsync always), one shard, {n} records put one at a time at {args.rate}/s for "
             f"{args.duration:g} s with boto3; three readers at once. Latency = arrival at the reader - send time, "
             "ms (includes the PutRecord round trip and its fdatasync).", "",
             "| reader | records | p50 | p90 | p99 | max |", "|---|---:|---:|---:|---:|---:|"]
    for name, p in results.items():
        if p:
            lines.append(f"| {name} | {p['count']} | {p['p50']:.1f} | {p['p90']:.1f} | {p['p99']:.1f} | "
                         f"{p['max']:.1f} |")
    lines += ["", f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average "
                  f"{os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
              "", "```sh", f"python3 bench/efo.py --duration {args.duration:g} --rate {args.rate:g} --write-benchmarks",
              "```", END]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("SLUICE_BIN", str(REPO / "build" / "src" / "sluice")))
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--write-benchmarks", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.duration = 10
    n, results = run(args.binary, args.duration, args.rate)
    text = render(n, results, args)
    print(text)
    if n == 0 or any(not p or p["count"] < n * 0.9 for p in results.values()):
        print("efo bench: a reader missed records", file=sys.stderr)
        sys.exit(1)
    if args.write_benchmarks:
        path = REPO / "BENCHMARKS.md"
        body = path.read_text()
        if BEGIN in body and END in body:
            body = body[:body.index(BEGIN)] + text + body[body.index(END) + len(END):]
        else:
            body = body.rstrip("\n") + "\n\n" + text + "\n"
        path.write_text(body)


if __name__ == "__main__":
    main()
