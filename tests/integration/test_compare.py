"""`sluice compare` end to end on an embedded server: both paths measured,
every unique event consumed exactly once, Firehose latencies consistent with
its buffering interval, every event delivered in objects; and the HTML
report of that real run renders its plots in headless Chromium."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import harness
import test_report_browser as browser

INTERVAL_S = 2
DURATION_S = 6


class CompareRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sluice-compare-")
        cls.json_path = os.path.join(cls.tmp, "results.json")
        cls.html_path = os.path.join(cls.tmp, "report.html")
        env = dict(os.environ)
        for k in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE"):
            env.pop(k, None)
        run = subprocess.run([harness.find_binary(), "compare", "--duration", str(DURATION_S), "--rate", "150",
                              "--duplicates", "0.1", "--buffer-interval", str(INTERVAL_S), "--shards", "2",
                              "--data-dir", os.path.join(cls.tmp, "data"),
                              "--json", cls.json_path, "--html", cls.html_path],
                             capture_output=True, text=True, timeout=300, env=env, cwd=cls.tmp)
        cls.stdout, cls.stderr = run.stdout, run.stderr
        if run.returncode != 0:
            raise AssertionError(f"sluice compare failed ({run.returncode}):\n{run.stderr[-3000:]}")
        with open(cls.json_path) as f:
            cls.r = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_both_paths_have_samples(self):
        s, f = self.r["streams"], self.r["firehose"]
        self.assertGreater(s["latency"]["count"], 100)
        self.assertGreater(f["latency"]["count"], 100)
        self.assertTrue(s["latency_samples_ms"])
        self.assertTrue(f["latency_samples_ms"])

    def test_every_unique_event_is_consumed_exactly_once(self):
        p, s = self.r["producer"], self.r["streams"]
        self.assertGreater(p["duplicates_injected"], 0)
        self.assertEqual(p["records_sent"], p["unique_events"] + p["duplicates_injected"])
        self.assertEqual(s["events_consumed"], p["unique_events"])
        self.assertEqual(s["duplicates_dropped"], p["duplicates_injected"])

    def test_objects_hold_every_event(self):
        p, f = self.r["producer"], self.r["firehose"]
        self.assertEqual(f["missing"], 0)
        self.assertEqual(f["events_delivered"], p["unique_events"])
        self.assertGreaterEqual(f["objects"], 2)  # a 6 s run with a 2 s buffer makes several objects
        self.assertEqual(sum(o["records"] for o in f["object_list"]), p["records_sent"] + f["duplicates_seen"]
                         - p["duplicates_injected"])

    def test_firehose_latency_follows_the_buffering_interval(self):
        s, f = self.r["streams"]["latency"], self.r["firehose"]["latency"]
        # Buffered: nothing is visible much before the interval, and the median
        # is around it (plus the 1 s source polling); Streams is far faster.
        self.assertGreater(f["p50_ms"], 0.3 * INTERVAL_S * 1000)
        self.assertLess(f["p50_ms"], INTERVAL_S * 1000 + 4000)
        self.assertLess(f["max_ms"], 3 * INTERVAL_S * 1000 + 6000)
        self.assertLess(s["p50_ms"], f["p50_ms"])
        self.assertLess(s["p99_ms"], 2000)

    def test_table_and_behaviour(self):
        self.assertIn("Streams", self.stdout)
        self.assertIn("Firehose", self.stdout)
        rows = {b["characteristic"] for b in self.r["behaviour"]}
        self.assertEqual(rows, {"Delivery", "Destination", "Control", "Complexity"})

    def test_report_of_this_run_renders_in_chromium(self):
        checker = browser.ReportInBrowserTest("test_plots_render_without_errors")
        checker.chromium = browser.find_chromium()
        self.assertIsNotNone(checker.chromium, "chromium is not installed (scripts/setup.sh installs it)")
        dom, console = checker.dump(self.html_path)
        self.assertEqual(console, [])
        self.assertEqual(dom.body.get("data-ok"), "1")
        self.assertGreaterEqual(dom.svgs["latency-plot"]["path"], 2)
        self.assertGreaterEqual(dom.svgs["timeline-plot"]["circle"], 2)


if __name__ == "__main__":
    unittest.main()
