#!/usr/bin/env python3
"""Firehose delivery benchmark for `sluice serve`.

1. Delivery throughput per CompressionFormat (DirectPut -> embedded S3).
   For each format, on a fresh data directory:
   a. ingest: `sluice serve` whose destination is unreachable
      (`--firehose-s3-endpoint` at a closed loopback port), a DirectPut
      delivery stream (SizeInMBs 64, IntervalInSeconds 900), and N MiB of
      1 KiB JSON lines put with boto3 PutRecordBatch (2 threads): the data
      is durable in the spool and nothing can be delivered;
   b. deliver: SIGTERM, restart on the same data directory with the embedded
      store as destination, and time from the restart to the last object's
      LastModified. Records are exactly 1 KiB so the input is a whole number
      of 64 MiB objects, all size-triggered (no interval tail in the figure).
   Every object is then decompressed (gzip / zipfile / python-snappy in
   /usr/bin/python3) and the concatenation compared (SHA-256) with the input.

2. put -> object-visible latency at IntervalInSeconds 0 and 60 (unscaled):
   one record per PutRecordBatch at a fixed rate, each carrying its send
   time; a poller lists the bucket every 20 ms and records when each object
   first appears. Latency per record = first seen - send time (poll error
   <= 20 ms); also LastModified - send time (the server's commit time).

    python3 bench/firehose.py                      # full: 192 MiB per format, 60 s case for 110 s of puts
    python3 bench/firehose.py --quick              # ~30 s smoke: 32 MiB per format, 60 s interval scaled x0.05
    python3 bench/firehose.py --write-benchmarks   # also rewrite the Firehose section of BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import gzip
import io
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402  (server lifecycle, binary discovery)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

MiB = 1 << 20
RECORD = 1024
FORMATS = ["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"]
ROLE = "arn:aws:iam::000000000000:role/bench"
SYSTEM_PYTHON = "/usr/bin/python3"
BEGIN, END = "<!-- firehose:begin -->", "<!-- firehose:end -->"


def clients(endpoint):
    s = boto3.session.Session(aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1")
    cfg = Config(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=120, max_pool_connections=8)
    return (s.client("firehose", endpoint_url=endpoint, config=cfg),
            s.client("s3", endpoint_url=endpoint,
                     config=Config(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=300,
                                   s3={"addressing_style": "path"})))


class Server(harness.SluiceServer):
    """sluice serve, optionally with environment variables (credentials of the external destination)."""

    def __init__(self, env=None, **kw):
        self.env = env or {}
        super().__init__(**kw)

    def command(self):
        return ["env", *[f"{k}={v}" for k, v in self.env.items()]] + super().command()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_records(n):
    """n distinct JSON lines of exactly RECORD bytes, compressible like real events."""
    rng = random.Random(42)
    words = ["click", "view", "purchase", "signup", "logout", "search", "checkout", "cart", "home", "product",
             "eu-west", "us-east", "mobile", "desktop", "android", "ios", "chrome", "firefox", "safari", "edge"]
    out = []
    for i in range(n):
        head = json.dumps({"event_id": f"ev-{i:09d}", "user_id": f"user-{rng.randrange(100000)}",
                           "event_type": rng.choice(words[:8]), "value": round(rng.random() * 1000, 2),
                           "ts": 1700000000000 + i * 3, "session": "%016x" % rng.getrandbits(64)},
                          separators=(",", ":"))
        body = " ".join(rng.choice(words) for _ in range(200))
        room = RECORD - 1 - (len(head) - 1) - len(',"tags":"') - len('"}')
        line = head[:-1] + ',"tags":"' + body[:room].ljust(room) + '"}'
        assert len(line) == RECORD - 1
        out.append(line.encode() + b"\n")
    return out


def put_all(fh, name, records, threads=2):
    """PutRecordBatch, 500 records (the API's limit) per call, from `threads` threads; returns seconds."""
    per = 500
    chunks = [records[i:i + per] for i in range(0, len(records), per)]

    def send(chunk):
        r = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in chunk])
        if r["FailedPutCount"]:
            raise RuntimeError(f"{r['FailedPutCount']} records failed")

    t = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        list(ex.map(send, chunks))
    return time.perf_counter() - t


def decode(body, fmt):
    if fmt == "UNCOMPRESSED":
        return body
    if fmt == "GZIP":
        return gzip.decompress(body)
    if fmt == "ZIP":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            [n] = z.namelist()
            return z.read(n)
    script = {"Snappy": r"""
import struct, sys, snappy
d = sys.stdin.buffer.read(); assert d[:8] == b"\x82SNAPPY\x00"; p, o = 16, []
while p < len(d):
    (n,) = struct.unpack(">i", d[p:p+4]); o.append(snappy.uncompress(d[p+4:p+4+n])); p += 4 + n
sys.stdout.buffer.write(b"".join(o))""",
              "HADOOP_SNAPPY": "import runpy, sys; sys.argv=['snappy','-d','-t','hadoop_snappy']; "
                               "runpy.run_module('snappy', run_name='__main__')"}[fmt]
    p = subprocess.run([SYSTEM_PYTHON, "-c", script], input=body, capture_output=True, check=True)
    return p.stdout


def throughput(fmt, records, size_mb, work):
    data_dir = os.path.join(work, f"tp-{fmt}")
    dead = free_port()  # nothing listens there: deliveries fail, data stays in the spool
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    srv = Server(env=env, data_dir=data_dir, extra_args=["--firehose-s3-endpoint", f"http://127.0.0.1:{dead}"])
    srv.start()
    try:
        fh, s3 = clients(srv.endpoint)
        bucket = f"bench-{fmt.lower().replace('_', '-')}"
        s3.create_bucket(Bucket=bucket)  # in the embedded store, for phase b
        name = f"tp-{fmt.lower()}"
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration={
                                      "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                      "BufferingHints": {"SizeInMBs": size_mb, "IntervalInSeconds": 900},
                                      "CompressionFormat": fmt})
        while fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
                "DeliveryStreamStatus"] != "ACTIVE":
            time.sleep(0.05)
        put_s = put_all(fh, name, records)
        srv.stop()
        # b. deliver from the spool into the embedded store.
        srv.env = {}
        srv.extra_args = []
        t0 = time.time()
        srv.start()
        fh, s3 = clients(srv.endpoint)
        total_in = len(records) * RECORD
        expect_objects = total_in // (size_mb * MiB)
        deadline = time.time() + 600
        objs = []
        while time.time() < deadline:
            objs = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            if len(objs) >= expect_objects:
                break
            time.sleep(0.02)
        seen = time.time()
        if len(objs) < expect_objects:
            raise RuntimeError(f"{fmt}: only {len(objs)} of {expect_objects} objects after 600 s")
        last = max(o["LastModified"].timestamp() for o in objs)
        deliver_s = last - t0
        # Verify: decompress every object; the records (put from 2 threads, so
        # interleaved) must be exactly the input, each once.
        objs.sort(key=lambda o: o["LastModified"])
        lines = []
        stored = 0
        for o in objs:
            body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            stored += len(body)
            lines += decode(body, fmt).splitlines(keepends=True)
        lines.sort()
        ok = len(lines) == len(records) and lines == sorted(records)
        del lines
        return {"format": fmt, "input_mib": total_in / MiB, "objects": len(objs), "stored_mib": stored / MiB,
                "ratio": total_in / stored, "put_s": put_s, "put_mib_s": total_in / MiB / put_s,
                "deliver_s": deliver_s, "deliver_mib_s": total_in / MiB / deliver_s,
                "poll_seen_s": seen - t0, "verified": ok,
                "object_sizes_mib": [round(o["Size"] / MiB, 2) for o in objs]}
    finally:
        srv.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def latency(interval, rate, duration, scale, work):
    data_dir = os.path.join(work, f"lat-{interval}")
    extra = ["--firehose-interval-scale", str(scale)] if scale != 1 else []
    srv = Server(data_dir=data_dir, extra_args=extra).start()
    try:
        fh, s3 = clients(srv.endpoint)
        bucket = f"lat-{interval}"
        s3.create_bucket(Bucket=bucket)
        name = f"lat-{interval}"
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration={
                                      "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                      "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": interval},
                                      "ProcessingConfiguration": {"Enabled": True, "Processors": [
                                          {"Type": "AppendDelimiterToRecord"}]}})
        while fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
                "DeliveryStreamStatus"] != "ACTIVE":
            time.sleep(0.05)
        sent = {}
        ack_ms = []
        first_seen = {}
        stop = threading.Event()
        _, s3poll = clients(srv.endpoint)

        def poller():
            while not stop.is_set():
                now = time.time()
                for o in s3poll.list_objects_v2(Bucket=bucket).get("Contents", []):
                    first_seen.setdefault(o["Key"], (now, o["LastModified"].timestamp()))
                time.sleep(0.02)

        pt = threading.Thread(target=poller, daemon=True)
        pt.start()
        n = int(rate * duration)
        start = time.time()
        for i in range(n):
            target = start + i / rate
            d = target - time.time()
            if d > 0:
                time.sleep(d)
            t = time.time()
            rec = json.dumps({"i": i, "sent": t}).encode()
            fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": rec}])
            ack_ms.append((time.time() - t) * 1000)
            sent[i] = t
        # Wait until every record is in an object.
        got, done_keys = {}, set()
        deadline = time.time() + interval * scale + 120
        while time.time() < deadline and len(got) < n:
            for k, (seen, lm) in list(first_seen.items()):
                if k in done_keys:
                    continue
                done_keys.add(k)
                body = s3.get_object(Bucket=bucket, Key=k)["Body"].read()
                for line in body.splitlines():
                    r = json.loads(line)
                    got.setdefault(r["i"], (seen, lm, k))
            time.sleep(0.1)
        stop.set()
        pt.join(5)
        lat_seen = [got[i][0] - sent[i] for i in got]
        lat_lm = [got[i][1] - sent[i] for i in got]
        return {"interval": interval, "scale": scale, "rate": rate, "duration": duration, "records": n,
                "delivered": len(got), "objects": len(first_seen),
                "seen": {"p50": pct(lat_seen, 50), "p95": pct(lat_seen, 95), "max": max(lat_seen)},
                "lastmodified": {"p50": pct(lat_lm, 50), "p95": pct(lat_lm, 95), "max": max(lat_lm),
                                 "min": min(lat_lm)},
                "put_ack_ms": {"p50": pct(ack_ms, 50), "p99": pct(ack_ms, 99)}}
    finally:
        srv.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True,
                           text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": mem, "kernel": platform.release(),
            "rev": rev + ("+uncommitted src changes" if dirty else ""), "load": os.getloadavg()}


def fmt_s(x):
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def render(res):
    m = res["machine"]
    lines = [BEGIN, "## Firehose delivery", "",
             "Delivery throughput per CompressionFormat (DirectPut → embedded S3) and put → object-visible",
             "latency, measured by `bench/firehose.py` (the method is in its docstring): the input is first",
             "made durable in the DirectPut spool while the destination is unreachable, then the server is",
             "restarted with the embedded store as destination and the figure is input MiB / (restart →",
             "LastModified of the last object); every object is decompressed and its records compared with",
             "the input (each exactly once). Latency: one record per PutRecordBatch at a fixed rate, a poller lists the bucket",
             "every 20 ms; latency = first seen in a listing − send time (LastModified − send time in brackets).",
             "",
             f"Measured {res['date']} on {m['cpu']} × {m['cores']} cores, {m['mem_gib']:.1f} GiB RAM, Linux "
             f"{m['kernel']}; sluice {m['rev']} (Release); load average before / after: "
             f"{' '.join(f'{x:.2f}' for x in m['load'])} / {' '.join(f'{x:.2f}' for x in res['load_after'])}; "
             f"took {res['took_s']:.0f} s{' (--quick)' if res['quick'] else ''}.", "",
             f"| CompressionFormat | input | objects (SizeInMBs {res['size_mb']}) | stored | ratio | "
             "ingest: PutRecordBatch MiB/s | delivery MiB/s | delivery time | verified |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in res["throughput"]:
        lines.append(f"| {r['format']} | {r['input_mib']:.0f} MiB | {r['objects']} | {r['stored_mib']:.1f} MiB | "
                     f"{r['ratio']:.2f} | {r['put_mib_s']:.1f} | **{r['deliver_mib_s']:.1f}** | "
                     f"{r['deliver_s']:.2f} s | {'yes' if r['verified'] else '**NO**'} |")
    lines += ["", "| IntervalInSeconds | records (rate) | objects | put→visible p50 / p95 / max | "
                  "(LastModified − send: p50 / p95 / max) | PutRecordBatch ack p50 / p99 |", "|---|---|---|---|---|---|"]
    for r in res["latency"]:
        label = f"{r['interval']}" + (f" (scaled ×{r['scale']}: {r['interval'] * r['scale']:.0f} s)"
                                      if r["scale"] != 1 else "")
        s, lm, a = r["seen"], r["lastmodified"], r["put_ack_ms"]
        lines.append(f"| {label} | {r['delivered']}/{r['records']} ({r['rate']:g}/s for {r['duration']:g} s) | "
                     f"{r['objects']} | {fmt_s(s['p50'])} / {fmt_s(s['p95'])} / {fmt_s(s['max'])} | "
                     f"({fmt_s(lm['p50'])} / {fmt_s(lm['p95'])} / {fmt_s(lm['max'])}) | "
                     f"{a['p50']:.1f} / {a['p99']:.1f} ms |")
    lines += ["", "Notes:", "",
              "- The ingest column is boto3 (2 threads, 500 × 1 KiB records per call) into the spool with "
              "`--fsync always`, while the pipeline keeps retrying the unreachable destination; it is the "
              "Python client's rate as much as the server's.",
              "- Delivery runs on one thread per delivery stream: read the spool, compress, write the object "
              "(fsync), save positions. The delivery time includes the restart itself (about 10 ms to "
              "listening) and the first spool read.",
              "- At IntervalInSeconds 60 a buffer opens with its first record and is delivered 60 s later, so "
              "per-record latency spreads over 0–60 s; the max is the first record of a buffer.",
              "", "Commands:", "", "```sh", "cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build sluice",
              res.get("command") or ("python3 bench/firehose.py" + (" --quick" if res["quick"] else "") +
                                     " --write-benchmarks"),
              f"# inside, per format: sluice serve --port 0 --data-dir D --firehose-s3-endpoint http://127.0.0.1:CLOSED_PORT",
              f"#   CreateDeliveryStream DirectPut SizeInMBs {res['size_mb']} IntervalInSeconds 900, "
              f"PutRecordBatch {res['throughput'][0]['input_mib']:.0f} MiB, SIGTERM",
              "#   sluice serve --port 0 --data-dir D        (restart: delivers the spool into the embedded store)",
              "# latency: sluice serve --port 0 --data-dir D2 [--firehose-interval-scale X in --quick]",
              "```", END]
    return "\n".join(lines)


def write_benchmarks(section):
    p = REPO / "BENCHMARKS.md"
    text = p.read_text()
    if BEGIN in text and END in text:
        a, b = text.index(BEGIN), text.index(END) + len(END)
        text = text[:a] + section + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    p.write_text(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--input-mib", type=int, help="input per format (a multiple of --size-mb; default 192, quick 32)")
    ap.add_argument("--size-mb", type=int, help="SizeInMBs (default 64, quick 16)")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--json", help="write the results here too")
    ap.add_argument("--write-benchmarks", action="store_true", help="rewrite the Firehose section of BENCHMARKS.md")
    a = ap.parse_args()
    size_mb = a.size_mb or (16 if a.quick else 64)
    input_mib = a.input_mib or (32 if a.quick else 192)
    if input_mib % size_mb:
        ap.error("--input-mib must be a multiple of --size-mb (every object size-triggered)")
    res = {"command": "python3 bench/firehose.py " + " ".join(sys.argv[1:]),
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": machine(), "quick": a.quick, "size_mb": size_mb, "throughput": [], "latency": []}
    t_start = time.time()
    work = tempfile.mkdtemp(prefix="sluice-fh-bench-")
    try:
        records = make_records(input_mib * MiB // RECORD)
        for fmt in a.formats.split(","):
            r = throughput(fmt, records, size_mb, work)
            print(f"{fmt:>13}: {r['input_mib']:.0f} MiB -> {r['objects']} objects, {r['stored_mib']:.1f} MiB; "
                  f"ingest {r['put_mib_s']:.1f} MiB/s; delivery {r['deliver_mib_s']:.1f} MiB/s "
                  f"({r['deliver_s']:.2f} s); verified {r['verified']}", flush=True)
            res["throughput"].append(r)
        del records
        if not a.no_latency:
            cases = [(0, 20, 10 if a.quick else 20, 1.0),
                     (60, 10, 8, 0.05) if a.quick else (60, 10, 110, 1.0)]
            for interval, rate, duration, scale in cases:
                r = latency(interval, rate, duration, scale, work)
                s = r["seen"]
                print(f"IntervalInSeconds {interval} (scale {scale}): {r['delivered']}/{r['records']} in "
                      f"{r['objects']} objects; put->visible p50 {fmt_s(s['p50'])} p95 {fmt_s(s['p95'])} "
                      f"max {fmt_s(s['max'])}", flush=True)
                res["latency"].append(r)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["took_s"] = time.time() - t_start
    res["load_after"] = os.getloadavg()
    section = render(res)
    print(section)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, default=str))
    if a.write_benchmarks:
        write_benchmarks(section)
    bad = [r["format"] for r in res["throughput"] if not r["verified"]]
    bad += [f"latency {r['interval']}" for r in res["latency"] if r["delivered"] != r["records"]]
    if bad:
        print(f"FAILED: {bad}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
