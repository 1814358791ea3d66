"""The HTML comparison report, opened in a real browser (headless Debian Chromium).

The report (src/compare/html.cc) must open offline and draw its plots. This
test renders the simulated sample run with the unit-test binary
(`CompareReport.WritesSampleReport` writes report.html into
$SLUICE_REPORT_SAMPLE_DIR), then with headless Chromium:

- dumps the DOM after load and checks that #latency-plot and #timeline-plot
  are SVGs with drawn content (non-empty paths, markers), and that the page's
  own script saw no error and no blocked fetch (body[data-ok="1"]);
- reads Chromium's console log (no console message at all from the page);
- keeps screenshots as artifacts: <build>/artifacts/report.png (1280x2000,
  the top of the report), report-full.png (the whole page) and
  report-narrow.png (a phone-sized window).

A control run on a deliberately broken copy proves the error checks bite.

Environment: SLUICE_BIN (set by ctest; the build directory is two levels
up), optionally SLUICE_UNIT_TESTS, SLUICE_CHROMIUM, SLUICE_ARTIFACTS_DIR.
Skipped when Chromium is not installed (scripts/setup.sh installs it).
"""

import html.parser
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

CHROMIUM_TIMEOUT_S = 120


def build_dir():
    explicit = os.environ.get("SLUICE_BUILD_DIR")
    if explicit:
        return os.path.abspath(explicit)
    bin_path = os.environ.get("SLUICE_BIN")
    if not bin_path:
        raise unittest.SkipTest("SLUICE_BIN is not set (run through ctest)")
    return os.path.dirname(os.path.dirname(os.path.abspath(bin_path)))


def find_chromium():
    explicit = os.environ.get("SLUICE_CHROMIUM")
    if explicit:
        return explicit
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


class ReportDom(html.parser.HTMLParser):
    """Collects what the checks need from a dumped DOM: body attributes and,
    per <svg id>, the drawn elements inside it."""

    def __init__(self):
        super().__init__()
        self.body = {}
        self.svgs = {}  # id -> {"path": n, "circle": n, "rect": n, "text": n, "title": str}
        self._svg_stack = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "svg":
            sid = a.get("id", f"anonymous-{len(self.svgs)}")
            self.svgs[sid] = {"path": 0, "circle": 0, "rect": 0, "text": 0, "title": "",
                              "role": a.get("role", "")}
            self._svg_stack.append(sid)
            return
        if not self._svg_stack:
            return
        s = self.svgs[self._svg_stack[-1]]
        if tag == "path" and (a.get("d") or "").strip():
            s["path"] += 1
        elif tag == "circle" and float(a.get("r") or 0) > 0:
            s["circle"] += 1
        elif tag == "rect" and float(a.get("width") or 0) > 0 and float(a.get("height") or 0) > 0:
            s["rect"] += 1
        elif tag == "text":
            s["text"] += 1
        elif tag == "title" and not s["title"]:
            self._in_title = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg_stack:
            self._svg_stack.pop()
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title and self._svg_stack:
            self.svgs[self._svg_stack[-1]]["title"] += data


class ReportInBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.chromium = find_chromium()
        if not cls.chromium:
            # scripts/setup.sh installs it: a missing browser is a failure, not a skip.
            raise AssertionError("chromium is not installed (scripts/setup.sh installs it)")
        cls.build = build_dir()
        cls.unit_tests = os.environ.get("SLUICE_UNIT_TESTS") or os.path.join(cls.build, "tests", "sluice_unit_tests")
        if not os.access(cls.unit_tests, os.X_OK):
            raise AssertionError(f"unit test binary not found: {cls.unit_tests}")
        cls.artifacts = os.environ.get("SLUICE_ARTIFACTS_DIR") or os.path.join(cls.build, "artifacts")
        os.makedirs(cls.artifacts, exist_ok=True)

        cls.tmp = tempfile.mkdtemp(prefix="sluice-report-")
        env = dict(os.environ, SLUICE_REPORT_SAMPLE_DIR=cls.tmp)
        run = subprocess.run([cls.unit_tests, "--gtest_filter=CompareReport.WritesSampleReport"],
                             env=env, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            raise AssertionError(f"writing the sample report failed:\n{run.stdout}\n{run.stderr}")
        cls.report = os.path.join(cls.tmp, "report.html")
        if not os.path.isfile(cls.report):
            raise AssertionError("CompareReport.WritesSampleReport wrote no report.html")
        shutil.copy(cls.report, os.path.join(cls.artifacts, "report.html"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    def chromium_run(self, url, *args):
        """Runs headless Chromium once with a fresh profile, offline-minded
        flags and console logging; returns (stdout, stderr)."""
        with tempfile.TemporaryDirectory(prefix="sluice-chromium-") as profile:
            cmd = [self.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run", "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--disable-extensions", "--disable-default-apps",
                   "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                   f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, url]
            run = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                 timeout=CHROMIUM_TIMEOUT_S, cwd=profile)
        self.assertEqual(run.returncode, 0, f"chromium failed ({run.returncode}):\n{run.stderr[-3000:]}")
        return run.stdout, run.stderr

    @staticmethod
    def console_messages(stderr, url):
        """Console messages the page produced (errors, CSP violations, logs)."""
        return [line for line in stderr.splitlines() if ":CONSOLE" in line and url in line]

    def dump(self, path):
        url = "file://" + path
        stdout, stderr = self.chromium_run(url, "--dump-dom")
        dom = ReportDom()
        dom.feed(stdout)
        return dom, self.console_messages(stderr, url)

    def test_plots_render_without_errors(self):
        dom, console = self.dump(self.report)
        self.assertEqual(console, [], "the report logged to the console")
        self.assertEqual(dom.body.get("data-ok"), "1",
                         f"page script saw errors: {dom.body.get('data-errors')}")
        self.assertGreaterEqual(int(dom.body.get("data-plots", "0")), 2)

        latency = dom.svgs.get("latency-plot")
        self.assertIsNotNone(latency, "no #latency-plot svg")
        self.assertEqual(latency["role"], "img")
        self.assertIn("Latency", latency["title"])
        # Axes and grid lines are <line>s; the two CDF curves are paths and
        # the p50 / p99 markers circles.
        self.assertGreaterEqual(latency["path"], 2, latency)
        self.assertGreaterEqual(latency["circle"], 4, latency)
        self.assertGreater(latency["text"], 10, latency)

        timeline = dom.svgs.get("timeline-plot")
        self.assertIsNotNone(timeline, "no #timeline-plot svg")
        self.assertIn("Timeline", timeline["title"])
        self.assertGreaterEqual(timeline["path"], 3, timeline)   # produced, consumed, delivered
        self.assertGreaterEqual(timeline["circle"], 2, timeline)  # one marker per object

        objects = dom.svgs.get("objects-plot")
        self.assertIsNotNone(objects, "no #objects-plot svg")
        self.assertGreaterEqual(objects["rect"], 2, objects)

    def test_screenshots(self):
        url = "file://" + self.report
        shot = os.path.join(self.artifacts, "report.png")
        if os.path.exists(shot):
            os.remove(shot)
        _, stderr = self.chromium_run(url, f"--screenshot={shot}", "--window-size=1280,2000")
        self.assertEqual(self.console_messages(stderr, url), [])
        self.assertEqual(png_size(shot), (1280, 2000))
        # A blank page compresses to a few KiB; the report with text and plots
        # is far larger.
        self.assertGreater(os.path.getsize(shot), 60_000, "screenshot looks blank")

        # The whole page, at the height the page's script measured.
        dom, _ = self.dump(self.report)
        height = max(2000, min(int(dom.body.get("data-height", "2000")) + 40, 12000))
        full = os.path.join(self.artifacts, "report-full.png")
        self.chromium_run(url, f"--screenshot={full}", f"--window-size=1280,{height}")
        self.assertEqual(png_size(full), (1280, height))

        narrow = os.path.join(self.artifacts, "report-narrow.png")
        self.chromium_run(url, f"--screenshot={narrow}", "--window-size=400,1600")
        self.assertEqual(png_size(narrow), (400, 1600))
        print(f"\nscreenshots: {shot}, {full}, {narrow}")

    def test_checks_catch_a_broken_page(self):
        # Control: the same report with a script error and an external image
        # must fail both checks, so the passing run above means something.
        with open(self.report, encoding="utf-8") as f:
            page = f.read()
        broken = os.path.join(self.tmp, "broken.html")
        with open(broken, "w", encoding="utf-8") as f:
            f.write(page.replace("</main>", '<img src="https://example.invalid/x.png">'
                                            "<script>undefinedFunction();</script></main>"))
        dom, console = self.dump(broken)
        self.assertEqual(dom.body.get("data-ok"), "0")
        self.assertIn("undefinedFunction", dom.body.get("data-errors", ""))
        self.assertIn("example.invalid", dom.body.get("data-errors", ""))  # blocked by the CSP, never fetched
        self.assertTrue(console, "chromium logged no console message for a broken page")


if __name__ == "__main__":
    unittest.main()
