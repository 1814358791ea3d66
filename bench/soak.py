#!/usr/bin/env python3
"""Bounded soak of `sluice serve`: ingest, consumption and Firehose delivery at
the same time, while the server's memory and open descriptors are sampled.

For --seconds (or --minutes) against a fresh server on a loopback port:
  * a producer puts JSON records, each with a unique id, with boto3 PutRecords
    (100 records per call) at --rate records/s into a stream of --shards shards;
  * one consumer per shard reads them back with a GetRecords loop;
  * a Firehose delivery stream (KinesisStreamAsSource -> the embedded S3,
    AppendDelimiterToRecord, 60 s interval scaled by --interval-scale) delivers
    them; a checker lists and reads the new objects as they appear;
  * every --sample-seconds: VmRSS (/proc/<pid>/status), open descriptors
    (/proc/<pid>/fd), threads, and the counts so far.
Afterwards the consumers and the delivery get up to --drain-seconds to finish.

It passes (exit 0) when:
  * no request failed (boto3 with retries off: every error counts);
  * every produced id was consumed exactly once, and delivered at least once;
  * RSS and descriptors are flat: the samples after the warm-up (the first
    --warmup-fraction of the run, at least 10 s) are cut into thirds, and
    mean RSS of the last third <= mean of the first third * 1.25 + 16 MiB;
    max descriptors of the last third <= max of the first third + 16.

    python3 bench/soak.py --seconds 40            # CI (ctest bench.soak)
    python3 bench/soak.py --minutes 30 --json soak.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402  (server lifecycle, binary discovery)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/soak"
BATCH = 100


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.produced = 0      # ids 0..produced-1 acknowledged
        self.consumed = 0
        self.consumed_dupes = 0
        self.delivered = 0
        self.delivered_dupes = 0
        self.objects = 0
        self.failures = []     # (what, error)
        self.put_latency_ms = []

    def fail(self, what, err):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append((what, repr(err)[:300]))
            else:
                self.failures.append(None)


class Seen:
    """Which ids were seen (a growable bitmap) and how many twice."""

    def __init__(self):
        self.bits = bytearray(1 << 16)
        self.count = 0
        self.dupes = 0
        self.lock = threading.Lock()

    def add(self, ids):
        with self.lock:
            for i in ids:
                if i >= len(self.bits):
                    self.bits.extend(bytearray(max(len(self.bits), i + 1 - len(self.bits))))
                if self.bits[i]:
                    self.dupes += 1
                else:
                    self.bits[i] = 1
                    self.count += 1

    def missing(self, n):
        with self.lock:
            return [i for i in range(n) if i >= len(self.bits) or not self.bits[i]]


def session():
    return boto3.session.Session(aws_access_key_id="soak", aws_secret_access_key="soak", region_name="us-east-1")


def client(service, endpoint):
    return session().client(service, endpoint_url=endpoint, config=Config(
        retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60,
        s3={"addressing_style": "path"}))


def record(i, pad):
    return json.dumps({"id": i, "ts": time.time(), "pad": pad}, separators=(",", ":")).encode()


def producer(endpoint, stream, rate, stop_at, stats, record_bytes):
    k = client("kinesis", endpoint)
    pad = "x" * max(0, record_bytes - 50)
    next_id = 0
    interval = BATCH / rate
    due = time.monotonic()
    while time.monotonic() < stop_at:
        ids = range(next_id, next_id + BATCH)
        t = time.perf_counter()
        try:
            r = k.put_records(StreamName=stream, Records=[{"Data": record(i, pad), "PartitionKey": str(i)}
                                                           for i in ids])
            if r["FailedRecordCount"]:
                raise RuntimeError(f"{r['FailedRecordCount']} records failed: {r['Records'][0]}")
        except Exception as e:  # noqa: BLE001 - every failure is reported
            stats.fail("PutRecords", e)
            return  # ids must stay contiguous for the completeness check
        with stats.lock:
            stats.put_latency_ms.append((time.perf_counter() - t) * 1000)
            next_id += BATCH
            stats.produced = next_id
        due += interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            due = time.monotonic()  # behind: do not burst to catch up


def consumer(endpoint, stream, shard, seen, stats, done):
    k = client("kinesis", endpoint)
    try:
        it = k.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it and not done.is_set():
            r = k.get_records(ShardIterator=it, Limit=10000)
            it = r.get("NextShardIterator")
            if r["Records"]:
                seen.add(json.loads(x["Data"])["id"] for x in r["Records"])
            else:
                time.sleep(0.2)
    except Exception as e:  # noqa: BLE001
        stats.fail(f"GetRecords {shard}", e)


def delivery_checker(endpoint, bucket, seen, stats, done):
    s3 = client("s3", endpoint)
    read = set()
    while True:
        finishing = done.is_set()
        try:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for o in page.get("Contents", []):
                    if o["Key"] in read:
                        continue
                    body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                    seen.add(json.loads(line)["id"] for line in body.splitlines() if line)
                    read.add(o["Key"])
        except Exception as e:  # noqa: BLE001
            stats.fail("S3 list/get", e)
            return
        with stats.lock:
            stats.objects = len(read)
        if finishing:
            return
        done.wait(2)


def proc_sample(pid):
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def flatness(samples, duration, warmup_fraction):
    warm = max(10.0, duration * warmup_fraction)
    steady = [s for s in samples if s["t"] >= warm and s["t"] <= duration]
    if len(steady) < 6:
        return {"ok": False, "reason": f"only {len(steady)} samples after the {warm:.0f} s warm-up"}
    third = len(steady) // 3
    first, last = steady[:third], steady[-third:]
    rss_first = sum(s["rss_kib"] for s in first) / len(first)
    rss_last = sum(s["rss_kib"] for s in last) / len(last)
    fd_first = max(s["fds"] for s in first)
    fd_last = max(s["fds"] for s in last)
    rss_bound = rss_first * 1.25 + 16 * 1024
    ok = rss_last <= rss_bound and fd_last <= fd_first + 16
    # Least-squares RSS slope over the steady samples, reported (not asserted).
    mt = sum(s["t"] for s in steady) / len(steady)
    mr = sum(s["rss_kib"] for s in steady) / len(steady)
    var = sum((s["t"] - mt) ** 2 for s in steady)
    slope = sum((s["t"] - mt) * (s["rss_kib"] - mr) for s in steady) / var if var else 0.0
    return {"ok": ok, "warmup_s": warm, "rss_slope_mib_per_hour": round(slope * 3600 / 1024, 1), "rss_first_third_kib": round(rss_first), "rss_last_third_kib": round(rss_last),
            "rss_bound_kib": round(rss_bound), "fds_first_third_max": fd_first, "fds_last_third_max": fd_last,
            "fds_bound": fd_first + 16}


def spark(values, width=60):
    if not values:
        return ""
    blocks = "▁▂▃▄▅▆▇█"
    step = max(1, len(values) // width)
    vs = [max(values[i:i + step]) for i in range(0, len(values), step)]
    lo, hi = min(vs), max(vs)
    return "".join(blocks[int((v - lo) / (hi - lo) * 7) if hi > lo else 0] for v in vs) + f"  {lo:.0f}..{hi:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--minutes", type=float, help="overrides --seconds")
    ap.add_argument("--rate", type=int, default=2000, help="records per second put (default 2000)")
    ap.add_argument("--record-bytes", type=int, default=200)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--sample-seconds", type=float, default=2.0)
    ap.add_argument("--interval-scale", type=float, default=0.05, help="Firehose interval scale (60 s -> 3 s)")
    ap.add_argument("--drain-seconds", type=float, default=60)
    ap.add_argument("--warmup-fraction", type=float, default=0.1)
    ap.add_argument("--fsync", default="always", choices=["always", "os"])
    ap.add_argument("--json", help="write samples and results here")
    args = ap.parse_args()
    duration = args.minutes * 60 if args.minutes else args.seconds
    if args.sample_seconds * 9 > duration:
        args.sample_seconds = max(0.5, duration / 12)

    server = harness.SluiceServer(fsync=args.fsync, extra_args=[
        "--firehose-interval-scale", str(args.interval_scale), "--firehose-source-poll-ms", "500"]).start()
    stats = Stats()
    consumed, delivered = Seen(), Seen()
    samples = []
    ok = False
    try:
        ep, pid = server.endpoint, server.proc.pid
        k, fh, s3 = client("kinesis", ep), client("firehose", ep), client("s3", ep)
        stream, bucket, dstream = harness.unique_name("soak"), harness.unique_name("soak").lower(), \
            harness.unique_name("soak-fh")
        k.create_stream(StreamName=stream, ShardCount=args.shards)
        harness.wait_active(k, stream)
        s3.create_bucket(Bucket=bucket)
        fh.create_delivery_stream(
            DeliveryStreamName=dstream, DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": harness.stream_arn(stream), "RoleARN": ROLE},
            ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "CompressionFormat": "UNCOMPRESSED",
                "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 5},
                "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]}})
        deadline = time.monotonic() + 30
        while fh.describe_delivery_stream(DeliveryStreamName=dstream)["DeliveryStreamDescription"][
                "DeliveryStreamStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise RuntimeError("delivery stream not ACTIVE")
            time.sleep(0.05)
        time.sleep(1.5)  # the pipeline starts at LATEST: let it take its first position before the first put
        shards = [s["ShardId"] for s in k.list_shards(StreamName=stream)["Shards"]]

        print(f"soak: {duration:.0f} s, {args.rate} records/s of {args.record_bytes} B into {args.shards} shards, "
              f"fsync={args.fsync}, server pid {pid}", file=sys.stderr)
        done = threading.Event()
        start = time.monotonic()
        threads = [threading.Thread(target=producer, args=(ep, stream, args.rate, start + duration, stats,
                                                           args.record_bytes))]
        threads += [threading.Thread(target=consumer, args=(ep, stream, sh, consumed, stats, done)) for sh in shards]
        threads += [threading.Thread(target=delivery_checker, args=(ep, bucket, delivered, stats, done))]
        for t in threads:
            t.start()

        print(f"{'t s':>6} {'RSS MiB':>8} {'fds':>5} {'thr':>4} {'put':>9} {'consumed':>9} {'delivered':>9} "
              f"{'objects':>7}", file=sys.stderr)
        drain_end = start + duration + args.drain_seconds
        next_sample = start
        while True:
            now = time.monotonic()
            if now >= next_sample:
                rss, fds, nthreads = proc_sample(pid)
                with stats.lock:
                    s = {"t": round(now - start, 1), "rss_kib": rss, "fds": fds, "threads": nthreads,
                         "produced": stats.produced, "consumed": consumed.count, "delivered": delivered.count,
                         "objects": stats.objects}
                samples.append(s)
                print(f"{s['t']:6.0f} {rss / 1024:8.1f} {fds:5d} {nthreads:4d} {s['produced']:9d} {s['consumed']:9d} "
                      f"{s['delivered']:9d} {s['objects']:7d}", file=sys.stderr)
                next_sample += args.sample_seconds
            producing = threads[0].is_alive()
            caught_up = consumed.count >= stats.produced and delivered.count >= stats.produced
            if (not producing and caught_up) or now > drain_end or (stats.failures and not producing):
                break
            time.sleep(min(0.2, max(0.0, next_sample - time.monotonic())))
        done.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - start

        produced = stats.produced
        lat = sorted(stats.put_latency_ms)
        flat = flatness(samples, duration, args.warmup_fraction)
        missing_consumed = consumed.missing(produced)
        missing_delivered = delivered.missing(produced)
        result = {
            "duration_s": duration, "elapsed_s": round(elapsed, 1), "rate_target": args.rate,
            "records_produced": produced, "put_records_per_s": round(produced / duration, 1),
            "put_latency_ms_p50": round(lat[len(lat) // 2], 1) if lat else None,
            "put_latency_ms_p99": round(lat[int(len(lat) * 0.99)], 1) if lat else None,
            "consumed": consumed.count, "consumed_duplicates": consumed.dupes, "missing_consumed": len(missing_consumed),
            "delivered": delivered.count, "delivered_duplicates": delivered.dupes,
            "missing_delivered": len(missing_delivered), "objects": stats.objects,
            "failures": [f for f in stats.failures if f], "failure_count": len(stats.failures),
            "flatness": flat, "server_alive": server.running,
            "machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()},
        }
        checks = {
            "no request failed": not stats.failures,
            "records were produced": produced > 0 and produced >= 0.25 * args.rate * duration,
            "every record consumed exactly once": not missing_consumed and consumed.dupes == 0,
            "every record delivered": not missing_delivered,
            "RSS and fds flat": flat["ok"],
            "server still up": server.running,
        }
        result["checks"] = checks
        ok = all(checks.values())
        result["ok"] = ok

        rss_curve = [s["rss_kib"] / 1024 for s in samples]
        fd_curve = [s["fds"] for s in samples]
        print(f"\nRSS MiB {spark(rss_curve)}\nfds     {spark(fd_curve)}", file=sys.stderr)
        print(f"put {produced} records ({result['put_records_per_s']}/s, PutRecords p50 "
              f"{result['put_latency_ms_p50']} ms, p99 {result['put_latency_ms_p99']} ms); consumed {consumed.count} "
              f"(dupes {consumed.dupes}); delivered {delivered.count} in {stats.objects} objects "
              f"(dupes {delivered.dupes})", file=sys.stderr)
        print(f"flatness: {json.dumps(flat)}", file=sys.stderr)
        for name, passed in checks.items():
            print(f"  [{'ok' if passed else 'FAIL'}] {name}", file=sys.stderr)
        for f in result["failures"][:10]:
            print(f"  failure: {f}", file=sys.stderr)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"result": result, "samples": samples}, f, indent=1)
        print(json.dumps({k: v for k, v in result.items() if k != "failures"}))
    finally:
        if not ok:
            print(f"server log tail:\n{server.log_tail(20)}", file=sys.stderr)
        server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
