"""Disk faults, made real with the LD_PRELOAD shim tests/faults/fault_shim.cc
(no root needed): the server runs with the shim, and the test writes the
fault ("enospc", "eio-fsync", "" = off) into a control file while it runs.

  * ENOSPC while appending to a Kinesis shard: PutRecord gets InternalFailure
    (500), PutRecords per-record InternalFailure; nothing half-written becomes
    visible; reads keep working; new puts succeed as soon as space returns,
    and everything acknowledged survives a restart and a SIGKILL.
  * EIO from fdatasync: the same errors; nothing whose sync failed is
    acknowledged or published while the fault lasts; the shard log repairs
    itself (cut back + rewrite + fresh sync) once syncs work again.
  * ENOSPC / EIO in the embedded S3 store while a Firehose delivery stream
    delivers a Kinesis stream: deliveries fail and are retried, Kinesis puts
    keep working, and every record is delivered once the fault stops.
  * A byte flipped in the middle of a sealed and of the active segment while
    the server is down: after a restart the damaged record is reported (log
    line with file and byte, health counter) and every other record is
    served, also the ones after it.
  * A real full file system (a small tmpfs), where the machine allows mounts
    (root): fill it with puts, free space, puts succeed again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from botocore.exceptions import ClientError

import harness as h
from test_firehose_delivery import (Bucket, EnvSluiceServer, append_delimiter, collect_events, create_delivery_stream,
                                    duplicates, event, extended_destination, firehose_client, put_kinesis,
                                    s3_client)


def note(msg: str) -> None:
    print(f"  [faults] {msg}", file=sys.stderr, flush=True)


def shim_path() -> str:
    p = os.environ.get("SLUICE_FAULT_SHIM")
    if not p:
        # build/src/sluice -> build/tests/faults/libsluice_fault_shim.so
        build = os.path.dirname(os.path.dirname(os.path.abspath(h.find_binary())))
        p = os.path.join(build, "tests", "faults", "libsluice_fault_shim.so")
    if not os.path.exists(p):
        raise AssertionError(f"fault shim not built: {p} (target sluice_fault_shim)")
    return p


class FaultyDisk:
    """A data dir whose files (under `subdir`) fail on command."""

    def __init__(self, subdir: str = ""):
        self.work = tempfile.mkdtemp(prefix="sluice-faults-")
        self.data_dir = os.path.realpath(os.path.join(self.work, "data"))
        os.makedirs(self.data_dir)
        self.control = os.path.join(self.work, "fault-control")
        self.hits = self.control + ".hits"
        self.set("")
        self.env = {"LD_PRELOAD": shim_path(), "SLUICE_FAULT_CONTROL": self.control,
                    "SLUICE_FAULT_DIR": os.path.join(self.data_dir, subdir)}

    def set(self, mode: str) -> None:
        tmp = self.control + ".new"
        with open(tmp, "w") as f:
            f.write(mode)
        os.replace(tmp, self.control)  # a new inode: the shim sees a new mtime/size

    def hit_lines(self) -> list:
        try:
            with open(self.hits) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def cleanup(self):
        import shutil
        shutil.rmtree(self.work, ignore_errors=True)


def health(endpoint: str) -> dict:
    with urllib.request.urlopen(endpoint + "/_sluice/health", timeout=10) as r:
        return json.loads(r.read())


def read_shard(client, stream: str, shard: str = "shardId-000000000000"):
    return [(r["SequenceNumber"], r["PartitionKey"], r["Data"])
            for r in h.read_all(client, stream, shard, max_empty=2)]


class KinesisDiskFaultTest(unittest.TestCase):

    def setUp(self):
        h.skip_if_external("runs the server under the fault-injection shim")
        self.disk = FaultyDisk()
        self.addCleanup(self.disk.cleanup)
        # small segments, so that faults also hit segment rolls
        self.server = EnvSluiceServer(self.disk.env, data_dir=self.disk.data_dir, fsync="always",
                                      extra_args=["--segment-bytes", "65536"]).start()
        self.addCleanup(self.server.cleanup)

    def log_text(self) -> str:
        with open(self.server.log_path, errors="replace") as f:
            return f.read()

    def put_ok(self, client, stream, tag, n):
        acked = []
        for i in range(n):
            data = f"{tag}-{i}".encode()
            r = client.put_record(StreamName=stream, PartitionKey=f"pk-{i % 7}", Data=data)
            acked.append((r["SequenceNumber"], f"pk-{i % 7}", data))
        recs = [{"PartitionKey": f"pk-{i}", "Data": f"{tag}-batch-{i}".encode()} for i in range(20)]
        r = client.put_records(StreamName=stream, Records=recs)
        self.assertEqual(r["FailedRecordCount"], 0, r)
        acked += [(x["SequenceNumber"], e["PartitionKey"], e["Data"]) for e, x in zip(recs, r["Records"])]
        return acked

    def expect_put_failures(self, client, stream, tag):
        """Every put fails with an AWS-shaped 500 while the fault lasts; returns the data sent."""
        sent = []
        for i in range(3):
            data = f"{tag}-{i}".encode()
            sent.append(data)
            with self.assertRaises(ClientError) as cm:
                client.put_record(StreamName=stream, PartitionKey="pk", Data=data)
            err = cm.exception.response
            self.assertEqual(err["Error"]["Code"], "InternalFailure", err)
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 500, err)
        recs = [{"PartitionKey": f"pk-{i}", "Data": f"{tag}-batch-{i}".encode()} for i in range(10)]
        sent += [r["Data"] for r in recs]
        r = client.put_records(StreamName=stream, Records=recs)
        self.assertEqual(r["FailedRecordCount"], 10, r)
        for x in r["Records"]:
            self.assertEqual(x.get("ErrorCode"), "InternalFailure", x)
            self.assertNotIn("SequenceNumber", x)
        return sent

    def check_restarts(self, stream, expected):
        for kill in (False, True):
            self.server.restart(kill=kill)
            client = self.server.client()
            h.wait_active(client, stream)
            self.assertEqual(read_shard(client, stream), expected,
                             f"after {'SIGKILL' if kill else 'restart'}: records changed")

    def test_enospc_on_append_fails_cleanly_and_recovers(self):
        client = self.server.client()
        stream = h.create_active(client, h.unique_name("enospc"), shards=1)
        before = self.put_ok(client, stream, "before", 30)

        self.disk.set("enospc")
        self.expect_put_failures(client, stream, "full")
        self.assertTrue(any(line.startswith("pwritev ") for line in self.disk.hit_lines()),
                        f"the shim never failed a segment write: {self.disk.hit_lines()[:5]}")
        # reads keep working and show nothing of the failed puts
        self.assertEqual(read_shard(client, stream), before)
        self.assertGreater(health(self.server.endpoint)["storage_faults"]["write_failures"], 0)

        self.disk.set("")
        after = self.put_ok(client, stream, "after", 30)
        expected = before + after
        self.assertEqual(read_shard(client, stream), expected)  # failed writes were cut back: no trace
        self.check_restarts(stream, expected)
        note(f"ENOSPC: {len(expected)} acknowledged records intact, 13 puts refused during the fault")

    def test_fsync_eio_fails_puts_and_log_repairs_itself(self):
        client = self.server.client()
        stream = h.create_active(client, h.unique_name("eio"), shards=1)
        before = self.put_ok(client, stream, "before", 30)

        self.disk.set("eio-fsync")
        failed = self.expect_put_failures(client, stream, "eio")
        failed += self.expect_put_failures(client, stream, "eio-again")  # no retry "succeeds" while it lasts
        self.assertTrue(any(line.startswith("fdatasync ") for line in self.disk.hit_lines()))
        self.assertEqual(read_shard(client, stream), before, "a record whose sync failed became visible")
        faults = health(self.server.endpoint)["storage_faults"]
        self.assertGreater(faults["sync_failures"], 0, faults)

        self.disk.set("")
        after = self.put_ok(client, stream, "after", 30)
        seen = read_shard(client, stream)
        # Acknowledged records: all there, in order. Records of failed puts
        # may be there too (written again by the repair), as after any
        # failed put; but only between `before` and `after`, and intact.
        self.assertEqual(seen[:len(before)], before)
        self.assertEqual(seen[-len(after):], after)
        extra = seen[len(before):len(seen) - len(after)]
        self.assertTrue(set(d for _, _, d in extra) <= set(failed), extra[:3])
        seqs = [int(s) for s, _, _ in seen]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.assertGreater(health(self.server.endpoint)["storage_faults"]["repairs"], 0)
        self.assertRegex(self.log_text(), r"storage: shard log .* repaired")
        self.check_restarts(stream, seen)
        note(f"EIO on fsync: {len(before) + len(after)} acknowledged records intact, {len(failed)} refused, "
               f"{len(extra)} of those published after the repair")

    def test_faults_on_several_shards_and_segment_rolls(self):
        """Under load with large records (segments roll) and 4 shards: flip the
        fault on and off a few times; every acknowledged record stays readable."""
        client = self.server.client()
        stream = h.create_active(client, h.unique_name("multi"), shards=4)
        acked = {}
        refused = 0
        big = b"x" * 200_000
        for rnd, mode in enumerate(["enospc", "eio-fsync", "enospc-all", "eio-write"]):
            for phase in ("", mode, ""):
                self.disk.set(phase)
                for i in range(8):
                    recs = [{"PartitionKey": f"{rnd}-{phase}-{i}-{j}", "Data": big[:1000 * j] + f"|{rnd}{i}{j}".encode()}
                            for j in range(10)]
                    r = client.put_records(StreamName=stream, Records=recs)
                    for e, x in zip(recs, r["Records"]):
                        if "ErrorCode" in x:
                            self.assertEqual(x["ErrorCode"], "InternalFailure")
                            refused += 1
                        else:
                            acked[x["SequenceNumber"]] = (x["ShardId"], e["PartitionKey"], e["Data"])
                if phase:
                    self.assertGreater(refused, 0, f"{mode}: no put failed")
        self.disk.set("")
        segments = [f for _, _, files in os.walk(self.disk.data_dir) for f in files if re.fullmatch(r"\d{20}\.log", f)]
        self.assertGreater(len(segments), 12, "segments did not roll")
        for kill in (False, True):
            seen = {}
            for i in range(4):
                for s, pk, d in read_shard(client, stream, h.shard_id(i)):
                    seen[s] = (h.shard_id(i), pk, d)
            missing = [s for s in acked if seen.get(s) != acked[s]]
            self.assertFalse(missing, f"{len(missing)} acknowledged records missing or changed")
            self.server.restart(kill=kill)
            client = self.server.client()
            h.wait_active(client, stream)
        note(f"4 shards, 4 fault kinds switched on/off: {len(acked)} acknowledged records intact, "
               f"{refused} refused")


class FirehoseDeliveryDiskFaultTest(unittest.TestCase):
    """Faults only in the embedded S3 store (data/s3): Kinesis keeps working."""

    fault_subdir = "s3"  # object files fail first: their write or fdatasync

    def setUp(self):
        h.skip_if_external("runs the server under the fault-injection shim")
        self.disk = FaultyDisk(subdir=self.fault_subdir)
        self.addCleanup(self.disk.cleanup)
        self.server = EnvSluiceServer(self.disk.env, data_dir=self.disk.data_dir, fsync="always", extra_args=[
            "--firehose-interval-scale", "0.02", "--firehose-source-poll-ms", "200"]).start()
        self.addCleanup(self.server.cleanup)

    log_text = KinesisDiskFaultTest.log_text

    def test_delivery_retries_through_enospc_and_fsync_errors(self):
        ep = self.server.endpoint
        fh, s3, kinesis = firehose_client(ep), s3_client(ep), self.server.client()
        bucket = h.unique_name("faultdst")
        s3.create_bucket(Bucket=bucket)
        stream = h.create_active(kinesis, h.unique_name("faultsrc"), shards=2)
        name = h.unique_name("faultdel")
        create_delivery_stream(fh, name, extended_destination(bucket, interval=60, processors=[append_delimiter()]),
                               source_stream=stream)  # 60 s scaled: a delivery every 1.2 s
        ids = []
        for rnd, mode in enumerate(["enospc", "eio-fsync"]):
            first = [event(f"{mode}-a", i) for i in range(300)]
            put_kinesis(kinesis, stream, first)
            ids += [json.loads(d)["id"] for d in first]
            self.disk.set(mode)
            during = [event(f"{mode}-b", i) for i in range(300)]
            put_kinesis(kinesis, stream, during)  # the Kinesis side is unaffected
            ids += [json.loads(d)["id"] for d in during]
            pattern = re.compile(rf"delivery stream {re.escape(name)}: delivery failed, retrying")
            deadline = time.monotonic() + 20
            while not pattern.search(self.log_text()):
                self.assertLess(time.monotonic(), deadline, f"{mode}: no delivery failed; log:\n"
                                                            f"{self.server.log_tail()}")
                time.sleep(0.2)
            # an S3 PutObject by a client fails the same way, AWS-shaped
            with self.assertRaises(ClientError) as cm:
                s3.put_object(Bucket=bucket, Key=f"probe-{rnd}", Body=b"x" * 1000)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
            self.assertEqual(cm.exception.response["Error"]["Code"], "InternalError")
            self.disk.set("")
            collect_events(Bucket(s3, bucket), ids, 60)  # delivered once the fault is gone, before the next one
        self.assertTrue(self.disk.hit_lines())
        seen, keys = collect_events(Bucket(s3, bucket), ids, 60)
        self.assertTrue(self.server.running)
        dup = duplicates(seen, ids)
        unknown = set(seen) - set(ids)
        self.assertEqual(unknown, set())
        # every object in the store is whole (it parsed), and no temporary
        # file of a failed write is left behind
        for k in keys:
            self.assertTrue(keys[k], f"empty object {k}")
        self.assertEqual(os.listdir(os.path.join(self.disk.data_dir, "s3", "tmp")), [])
        object_files = sum(len(f) for _, _, f in os.walk(os.path.join(self.disk.data_dir, "s3", "objects")))
        self.assertEqual(object_files, len(keys), "object files without an index entry (or the reverse)")
        # and survives a restart
        self.server.restart(kill=True)
        s3 = s3_client(self.server.endpoint)
        seen_after, _ = collect_events(Bucket(s3, bucket), ids, 30)
        self.assertGreaterEqual(set(seen_after), set(ids))
        note(f"S3 store faults ({self.fault_subdir}): {len(ids)} records all delivered in {len(keys)} objects, "
             f"{dup} duplicates, {len(self.disk.hit_lines())} injected failures")


class FirehoseDeliveryIndexFaultTest(FirehoseDeliveryDiskFaultTest):
    """The same with faults only in the store's SQLite index (index.db, -wal,
    -shm): the object file is written, the index commit fails."""

    fault_subdir = "s3/index.db"


class FirehoseDirectPutDiskFaultTest(unittest.TestCase):
    """Faults in the whole data dir: the DirectPut spool (a shard log) and the S3 store."""

    def setUp(self):
        h.skip_if_external("runs the server under the fault-injection shim")
        self.disk = FaultyDisk()
        self.addCleanup(self.disk.cleanup)
        self.server = EnvSluiceServer(self.disk.env, data_dir=self.disk.data_dir, fsync="always", extra_args=[
            "--firehose-interval-scale", "0.02"]).start()
        self.addCleanup(self.server.cleanup)

    def test_direct_put_refused_during_faults_and_acknowledged_records_delivered(self):
        ep = self.server.endpoint
        fh, s3 = firehose_client(ep), s3_client(ep)
        bucket = h.unique_name("dpfault")
        s3.create_bucket(Bucket=bucket)
        name = h.unique_name("dpfault")
        create_delivery_stream(fh, name, extended_destination(bucket, interval=60, processors=[append_delimiter()]))
        acked, refused = [], 0
        for rnd, mode in enumerate(["", "enospc", "", "eio-fsync", ""]):
            self.disk.set(mode)
            for b in range(3):
                datas = [event(f"dp{rnd}-{b}", i) for i in range(50)]
                r = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in datas])
                for d, x in zip(datas, r["RequestResponses"]):
                    if "RecordId" in x:
                        acked.append(json.loads(d)["id"])
                    else:
                        self.assertEqual(x["ErrorCode"], "ServiceUnavailableException", x)
                        refused += 1
            if mode:
                self.assertEqual(r["FailedPutCount"], 50, f"{mode}: puts were not refused")
                with self.assertRaises(ClientError) as cm:
                    fh.put_record(DeliveryStreamName=name, Record={"Data": event("single", rnd)})
                self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
                time.sleep(1.5)  # a delivery interval passes during the fault
        self.disk.set("")
        seen, keys = collect_events(Bucket(s3, bucket), acked, 60)
        self.server.restart(kill=True)
        seen, keys = collect_events(Bucket(s3_client(self.server.endpoint), bucket), acked, 30)
        note(f"DirectPut under faults: {len(acked)} acknowledged all delivered in {len(keys)} objects "
             f"({duplicates(seen, acked)} duplicates), {refused} refused")


class MidSegmentCorruptionTest(unittest.TestCase):

    def setUp(self):
        h.skip_if_external("edits the server's segment files")
        self.server = h.SluiceServer(fsync="always", extra_args=["--segment-bytes", "65536"]).start()
        self.addCleanup(self.server.cleanup)

    def segment_files(self):
        out = []
        for root, _, files in os.walk(self.server.data_dir):
            out += [os.path.join(root, f) for f in files if re.fullmatch(r"\d{20}\.log", f)]
        return sorted(out)

    def flip_inside(self, marker: bytes) -> tuple:
        for path in self.segment_files():
            with open(path, "r+b") as f:
                content = f.read()
                at = content.find(marker)
                if at >= 0:
                    f.seek(at + 5)
                    f.write(bytes([content[at + 5] ^ 0x40]))
                    return path, at
        raise AssertionError(f"{marker!r} not found in any segment")

    def test_flipped_bytes_mid_segment_are_skipped_and_reported(self):
        client = self.server.client()
        stream = h.create_active(client, h.unique_name("flip"), shards=1)
        acked = []
        for b in range(4):
            recs = [{"PartitionKey": "pk", "Data": f"rec-{b * 25 + i:04d}|".encode() + b"z" * 2000} for i in range(25)]
            r = client.put_records(StreamName=stream, Records=recs)
            self.assertEqual(r["FailedRecordCount"], 0)
            acked += [(x["SequenceNumber"], e["Data"]) for e, x in zip(recs, r["Records"])]
        self.assertGreater(len(self.segment_files()), 2, "expected sealed segments")
        self.server.stop()
        damaged = [b"rec-0010|", b"rec-0097|"]  # one in the first (sealed) segment, one in the active one
        where = [self.flip_inside(m) for m in damaged]
        self.assertNotEqual(where[0][0], where[1][0])
        self.server.start()
        client = self.server.client()
        seen = [(s, d) for s, _, d in read_shard(client, stream)]
        expected = [(s, d) for s, d in acked if not any(d.startswith(m) for m in damaged)]
        self.assertEqual(seen, expected)
        faults = health(self.server.endpoint)["storage_faults"]
        self.assertEqual(faults["corrupt_frames"], 2, faults)
        self.assertEqual(faults["torn_tails"], 0, faults)  # not mistaken for a torn tail
        with open(self.server.log_path, errors="replace") as f:
            log = f.read()
        for path, _ in where:
            self.assertRegex(log, rf"damaged frame in {re.escape(path)} at byte \d+ \(record offset \d+\): "
                                  r"skipping 1 record\(s\)")
        # the log keeps working: appends after the damage, another restart
        r = client.put_record(StreamName=stream, PartitionKey="pk", Data=b"after")
        expected.append((r["SequenceNumber"], b"after"))
        self.server.restart(kill=True)
        self.assertEqual([(s, d) for s, _, d in read_shard(self.server.client(), stream)], expected)
        note(f"mid-segment corruption: 2 damaged records skipped and reported, {len(expected)} others served")


class RealTmpfsFullTest(unittest.TestCase):
    """The shim's faults, for real: a 24 MiB tmpfs as the data dir."""

    def setUp(self):
        h.skip_if_external("mounts a tmpfs for the server's data dir")
        self.work = tempfile.mkdtemp(prefix="sluice-tmpfs-")
        self.data_dir = os.path.join(self.work, "data")
        os.makedirs(self.data_dir)
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root; the LD_PRELOAD shim tests above cover the same paths")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", self.data_dir],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {r.stderr.strip()}")
        self.addCleanup(lambda: subprocess.run(["umount", "-l", self.data_dir]))
        self.server = h.SluiceServer(data_dir=self.data_dir, fsync="always").start()
        self.addCleanup(self.server.cleanup)

    def test_full_tmpfs_then_space_returns(self):
        client = self.server.client()
        stream = h.create_active(client, h.unique_name("tmpfs"), shards=1)
        ballast = os.path.join(self.data_dir, "ballast")
        with open(ballast, "wb") as f:
            f.write(b"\0" * (6 << 20))
        acked, refused = [], 0
        for i in range(200):
            data = f"{i:06d}".encode() + os.urandom(256 << 10)
            try:
                r = client.put_record(StreamName=stream, PartitionKey=f"pk{i}", Data=data)
                acked.append((r["SequenceNumber"], data))
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "InternalFailure", e.response)
                self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 500)
                refused += 1
                if refused >= 5:
                    break
        self.assertGreaterEqual(refused, 5, "the tmpfs never filled up")
        self.assertTrue(self.server.running)
        self.assertEqual([(s, d) for s, _, d in read_shard(client, stream)], acked)
        os.unlink(ballast)  # space returns
        for i in range(5):
            data = f"after-{i}".encode() + os.urandom(256 << 10)
            r = client.put_record(StreamName=stream, PartitionKey="after", Data=data)
            acked.append((r["SequenceNumber"], data))
        self.server.restart(kill=True)
        client = self.server.client()
        h.wait_active(client, stream)
        self.assertEqual([(s, d) for s, _, d in read_shard(client, stream)], acked)
        note(f"real tmpfs full: {len(acked)} acknowledged 256 KiB records intact, {refused} refused while full")


if __name__ == "__main__":
    unittest.main()
