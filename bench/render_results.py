#!/usr/bin/env python3
"""Renders bench/run.sh results (JSON lines from sluice-bench plus the runner's
own notes) as Markdown, and optionally splices it into BENCHMARKS.md between
<!-- results:begin --> and <!-- results:end -->.

    render_results.py RESULTS.jsonl [--commands FILE] [--update BENCHMARKS.md]
    render_results.py RESULTS.jsonl --check-targets   # exit 1 when the DynamoDB target is missed
"""
import argparse
import json
import os
import re
import sys

BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"
TARGETS = ["sluice", "sluice-fsync-os", "kinesalite", "kinesis-mock", "dynalite", "nginx"]
DDB_ONLY = {"dynalite"}  # measured with the DynamoDB scenarios only
DDB_SCENARIOS = ["ddb-put", "ddb-get", "ddb-update"]
# Issue 14's target: conditional UpdateItem (ddb-update) at least 10x
# dynalite's requests/s, p99 under 5 ms, with durable acknowledgements.
DDB_TARGET_RATIO = 10.0
DDB_TARGET_P99_MS = 5.0


def load(path):
    machine, run, per = {}, {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            sc = o.get("scenario")
            if sc == "machine":
                machine = o
            elif sc == "run":
                run = o
            else:
                t = per.setdefault(o.get("target", "?"), {})
                if sc in t and sc in ("params", "version"):
                    continue
                if sc in ("putrecord", "ddb-update"):
                    t.setdefault(sc + "_runs", []).append(o)
                t[sc] = o
    # PutRecord and UpdateItem may run several times: the table shows the median run.
    for t in per.values():
        for sc in ("putrecord", "ddb-update"):
            runs = t.get(sc + "_runs", [])
            if len(runs) > 1:
                ranked = sorted(runs, key=lambda r: r.get("requests_per_s", 0))
                t[sc] = ranked[(len(ranked) - 1) // 2]
    return machine, run, per


def n(v, digits=0):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}"


def ms(v):
    if v is None:
        return "—"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:,.0f}"


def lat(o, key, ps):
    if not o or key not in o or not o[key].get("count"):
        return "—"
    return " / ".join(ms(o[key].get(p)) for p in ps)


def errors(o):
    if not o or not o.get("errors"):
        return ""
    return ", ".join(f"{k} ×{v}" for k, v in o["errors"].items())


def render(machine, run, per, commands, root):
    out = []
    if machine:
        out.append(
            f"Measured {machine.get('date')} on {machine.get('cpu')} × {machine.get('nproc')} "
            f"cores, {machine.get('memory')} RAM, Linux {machine.get('kernel')}; "
            f"{machine.get('compiler')}; node {machine.get('node')}. "
            f"Load average before / after the run: {machine.get('load_before')} / "
            f"{run.get('load_after', '?')} (the client shares the 2 cores with the server"
            f"{'; other work was running on the machine' if _busy(machine, run) else ''}). "
            f"Measuring took {run.get('seconds', '?')} s.")
        out.append("")
    all_targets = [t for t in TARGETS if t in per] + [t for t in per if t not in TARGETS]
    targets = [t for t in all_targets if t not in DDB_ONLY]

    out.append("| target | version | cold start: TCP / first 200 (ms) | ingest records/s | "
               "ingest MB/s | PutRecords p50 / p99 (ms) | failed records | drain records/s | "
               "RSS after ingest (peak) |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for t in targets:
        d = per[t]
        ver = d.get("version", {}).get("text", "")
        if "pending" in d or "start-failed" in d:
            why = (d.get("pending") or d.get("start-failed"))["message"]
            label = "pending" if "pending" in d else "did not start"
            out.append(f"| {t} | {ver} | {label}: {why} | | | | | | |")
            continue
        cs, ing, dr, rss = d.get("cold-start"), d.get("ingest"), d.get("drain"), d.get("rss")
        cold = f"{ms(cs.get('tcp_ms'))} / {ms(cs.get('first_ok_ms'))}" if cs else "—"
        failed = "—"
        if ing:
            failed = n(ing["failed_records"])
            if ing.get("body_ignored"):
                failed = "n/a"
            elif ing["requests"] != ing["requests_ok"]:
                failed += f" (+{ing['requests'] - ing['requests_ok']} failed requests)"
        drain = "—"
        if dr:
            drain = n(dr["records_per_s"])
            if not dr.get("caught_up"):
                drain += " (not caught up)"
        mem = "—"
        if rss:
            mem = f"{rss['vm_rss_kib'] / 1024:,.0f} MiB ({rss['vm_hwm_kib'] / 1024:,.0f} MiB)"
        out.append(
            f"| {t} | {ver} | {cold} | {n(ing and ing['records_per_s'])} | "
            f"{n(ing and ing['mb_per_s'], 1)} | {lat(ing, 'latency_ms', ['p50', 'p99'])} | "
            f"{failed} | {drain} | {mem} |")
    out.append("")
    out.append("| target | PutRecord requests/s | PutRecord p50 / p95 / p99 / max (ms) | "
               "put→get p50 / p95 / p99 / max (ms) | put→get producer's PutRecord p50 / p99 (ms) | "
               "put→get received / produced |")
    out.append("|---|---|---|---|---|---|")
    for t in targets:
        d = per[t]
        if "pending" in d or "start-failed" in d:
            out.append(f"| {t} | {'pending' if 'pending' in d else 'did not start'} | | | | |")
            continue
        pr, pg = d.get("putrecord"), d.get("put-get")
        got = f"{pg['received']:,} / {pg['produced']:,}" if pg else "—"
        if pg and pg.get("duplicates"):
            got += f" ({pg['duplicates']} duplicates)"
        out.append(
            f"| {t} | {n(pr and pr['requests_per_s'])} | "
            f"{lat(pr, 'latency_ms', ['p50', 'p95', 'p99', 'max'])} | "
            f"{lat(pg, 'latency_ms', ['p50', 'p95', 'p99', 'max'])} | "
            f"{lat(pg, 'put_latency_ms', ['p50', 'p99'])} | {got} |")
    out.append("")
    out.extend(render_ddb(per, all_targets))
    notes = []
    for t in all_targets:
        d = per[t]
        parts = []
        if "params" in d:
            parts.append(d["params"]["text"])
        for sc in ("ingest", "drain", "putrecord", "put-get"):
            e = errors(d.get(sc))
            if e:
                parts.append(f"{sc} errors: {e}")
        runs = d.get("putrecord_runs", [])
        if len(runs) > 1:
            each = ", ".join(n(r.get("requests_per_s")) for r in runs)
            parts.append(f"PutRecord: the median of {len(runs)} runs (requests/s of each, in order: {each})")
        for sc in DDB_SCENARIOS:
            e = errors(d.get(sc))
            if e:
                parts.append(f"{sc} errors: {e}")
        runs = d.get("ddb-update_runs", [])
        if len(runs) > 1:
            each = ", ".join(f"{n(r.get('requests_per_s'))} (p99 {ms(r['latency_ms'].get('p99'))} ms)"
                             for r in runs)
            parts.append(f"UpdateItem: the median of {len(runs)} runs (requests/s of each, in order: {each})")
        if "ddb-get" in d:
            g = d["ddb-get"]
            parts.append(f"GetItem over {g.get('items', 0):,} preloaded items (BatchWriteItem, "
                         f"{g.get('preload_s', 0):.1f} s)")
        if t in DDB_ONLY and d.get("cold-start"):
            cs = d["cold-start"]
            parts.append(f"cold start TCP / first ListTables 200: {ms(cs.get('tcp_ms'))} / "
                         f"{ms(cs.get('first_ok_ms'))} ms")
        if "put-get" in d:
            pg = d["put-get"]
            parts.append(f"put-get consumer made {pg['get_records_calls']:,} GetRecords calls "
                         f"({pg['empty_polls']:,} empty)")
        if "ingest" in d and "drain" in d:
            parts.append(f"ingest wrote {d['ingest']['records_ok']:,} records in "
                         f"{d['ingest']['elapsed_s']:.1f} s; drain read "
                         f"{d['drain']['records']:,} in {d['drain']['elapsed_s']:.1f} s")
        if parts:
            notes.append(f"- **{t}**: " + "; ".join(parts) + ".")
    out.extend(notes)
    if commands:
        out.append("")
        out.append("Commands (PORT: a free loopback port; $OUT: the results directory):")
        out.append("")
        out.append("```sh")
        out.extend(commands)
        out.append("```")
    return "\n".join(out)


def ddb_target(per):
    """(met, text) for issue 14's target, or None when sluice/dynalite are missing."""
    s = per.get("sluice", {}).get("ddb-update")
    d = per.get("dynalite", {}).get("ddb-update")
    if not s or not d:
        return None
    srate, drate = s.get("requests_per_s", 0), d.get("requests_per_s", 0)
    ratio = srate / drate if drate else float("inf")
    p99 = s.get("latency_ms", {}).get("p99") or float("inf")
    failed = s.get("conditional_check_failed", 0) or s.get("requests", 0) != s.get("requests_ok", 0)
    met = ratio >= DDB_TARGET_RATIO and p99 < DDB_TARGET_P99_MS and not failed
    text = (f"Target (issue 14): durable conditional UpdateItem at least {DDB_TARGET_RATIO:.0f}× "
            f"dynalite with p99 under {DDB_TARGET_P99_MS:.0f} ms: **{'met' if met else 'missed'}** "
            f"(sluice {n(srate)} requests/s = {ratio:.1f}× dynalite's {n(drate)}; "
            f"sluice p99 {ms(p99)} ms{'; some requests failed' if failed else ''}).")
    return met, text


def render_ddb(per, all_targets):
    ddb = [t for t in all_targets
           if any(sc in per[t] for sc in DDB_SCENARIOS) or
           (t in DDB_ONLY and ("pending" in per[t] or "start-failed" in per[t]))]
    if not ddb:
        return []
    out = ["DynamoDB (JSON 1.0; a table with hash key `leaseKey`, PAY_PER_REQUEST; 16 connections; "
           "requests/s with the ratio to dynalite in brackets; latency p50 / p99 / max in ms):", "",
           "| target | PutItem requests/s | PutItem latency | GetItem requests/s | GetItem latency | "
           "conditional UpdateItem requests/s | UpdateItem latency | ConditionalCheckFailed |",
           "|---|---|---|---|---|---|---|---|"]
    base = per.get("dynalite", {})
    for t in ddb:
        d = per[t]
        if "pending" in d or "start-failed" in d:
            out.append(f"| {t} | {'pending' if 'pending' in d else 'did not start'} | | | | | | |")
            continue
        cells = []
        for sc in DDB_SCENARIOS:
            o = d.get(sc)
            rate = n(o and o.get("requests_per_s"))
            b = base.get(sc)
            if o and b and b.get("requests_per_s") and t != "dynalite":
                rate += f" ({o['requests_per_s'] / b['requests_per_s']:.1f}×)"
            cells += [rate, lat(o, "latency_ms", ["p50", "p99", "max"])]
        u = d.get("ddb-update")
        cf = n(u.get("conditional_check_failed")) if u else "—"
        out.append(f"| {t} | " + " | ".join(cells) + f" | {cf} |")
    out.append("")
    tgt = ddb_target(per)
    if tgt:
        out.append(tgt[1])
        out.append("")
    return out


def _busy(machine, run):
    try:
        return float(machine.get("load_before", "0").split()[0]) > 1.0
    except (ValueError, IndexError):
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--commands")
    ap.add_argument("--update", help="BENCHMARKS.md to splice the table into")
    ap.add_argument("--check-targets", action="store_true",
                    help="print the DynamoDB target's verdict; exit 1 when it is missed")
    a = ap.parse_args()
    machine, run, per = load(a.results)
    if a.check_targets:
        tgt = ddb_target(per)
        if tgt is None:
            print("DynamoDB target: not checked (sluice or dynalite ddb-update missing)")
            return 1
        print(tgt[1].replace("**", ""))
        return 0 if tgt[0] else 1
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.dirname(os.path.abspath(a.results))
    commands = []
    if a.commands and os.path.exists(a.commands):
        with open(a.commands) as f:
            for line in f:
                line = line.rstrip("\n").strip()
                if not line:
                    continue
                line = line.replace(out_dir, "$OUT").replace(root + "/", "").replace(root, ".")
                line = re.sub(r"(--port |_PORT=|127\.0\.0\.1:)\d+", r"\1PORT", line)
                line = re.sub(r"--rss-pid \d+", "--rss-pid PID", line)
                commands.append(line)
    text = render(machine, run, per, commands, root)
    if not a.update:
        print(text)
        return 0
    body = f"{BEGIN}\n{text}\n{END}"
    if os.path.exists(a.update):
        with open(a.update) as f:
            doc = f.read()
    else:
        doc = f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + body + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + body + "\n"
    with open(a.update, "w") as f:
        f.write(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
