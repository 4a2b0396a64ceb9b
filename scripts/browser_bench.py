"""Browser speed of the dashboard, measured as a user feels it: `./dev bench --browser`.

Starts the app (`streamlit run app.py` on a free port) and drives it in Debian's headless Chromium
with Playwright.  Each figure is the time from the click (or the navigation) to the page settled:
the script run over, no skeleton or spinner left, every table drawn and every Plotly chart's SVG
in place.  Medians of several repetitions, with the targets of issue 16 beside them:

* a period or segment change: ≤ 0.3 s median;
* a page change: ≤ 1 s;
* a new session to the first chart: ≤ 2 s.

`--customers N` generates a company of N customers with the project's generator and serves it as
the built-in data set (`RETENTION_SAMPLE_DIR`), so the 200,000-customer case is one flag away.
Output is a Markdown table on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1440, "height": 900}
TIMEOUT_MS = 120_000
TARGETS = {"period change": 0.3, "segment change": 0.3, "page change": 1.0, "new session to first chart": 2.0,
           "new session, returning browser": 2.0}
BROWSER_ONLY = ("new session, returning browser",)
"""A new tab in a browser that has opened the app before (its HTTP and code caches warm): how a CS lead
opens the dashboard on Monday.  "new session to first chart" is a first visit: every script (Plotly.js
alone is 4.7 MB) downloaded and compiled."""

# A script run is over and drawn (the same rule as tests/browser/stpage.py).
SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1')) return false;
  if (main.querySelector('[data-testid="stSkeleton"]') || main.querySelector('[data-testid="stSpinner"]')) return false;
  for (const grid of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    const shown = grid.checkVisibility() && !grid.closest('details:not([open])');
    if (shown && !grid.querySelector('table')) return false;
  }
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!chart.querySelector('.js-plotly-plot .main-svg')) return false;
  }
  return true;
}"""
# Counts finished script runs (full or fragment) so a wait never mistakes the state before the click for "settled".
WATCH_RUNS = """() => {
  if (window.__benchRuns !== undefined) return;
  window.__benchRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  // Counts runs that ended (a change away from "running"): the observer gets its records in batches, so a run that
  // starts and ends between two callbacks (a cached page, since pages got fast) left the attribute at "notRunning"
  // when the callback looked, was never counted, and the wait for it ran into its 120 s timeout.
  new MutationObserver((records) => {
    for (const record of records) if (record.oldValue === 'running') window.__benchRuns++;
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""
FIRST_CHART = """() => document.querySelector('[data-testid="stMain"] [data-testid="stPlotlyChart"] .js-plotly-plot .main-svg') !== null"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, sample_dir: Path | None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.pop("RETENTION_SAMPLE_DIR", None)
        if sample_dir is not None:
            env["RETENTION_SAMPLE_DIR"] = str(sample_dir)
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-streamlit-", suffix=".log", delete=False)  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Streamlit did not start; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class Profiler:
    """Where the browser's main thread spends an interaction, from Chromium's sampling profiler (CDP).

    Splits the samples into Plotly.js (drawing charts), the rest of the page's scripts (Streamlit's
    React app), the browser's own work outside scripts (style, layout, paint, garbage collection) and
    idle (waiting for the server's next message).  The wall-clock tables say how long; this says who."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Profiler.enable")
        self.cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        self.cdp.send("Profiler.start")
        self.rows: list[dict[str, object]] = []

    def take(self, name: str, interactions: int) -> None:
        profile = self.cdp.send("Profiler.stop")["profile"]
        frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
        ms = {"Plotly.js": 0.0, "Streamlit/React": 0.0, "style, layout, paint, GC": 0.0, "idle": 0.0}
        for sample, delta in zip(profile["samples"][1:], profile["timeDeltas"][1:], strict=True):
            frame = frames[sample]
            if "Plotly" in frame["url"]:
                part = "Plotly.js"
            elif frame["url"]:
                part = "Streamlit/React"
            elif frame["functionName"] == "(idle)":
                part = "idle"
            else:
                part = "style, layout, paint, GC"  # (program), (garbage collector), DOM calls from any script
            ms[part] += delta / 1000
        self.rows.append({"interaction": name, **{k: v / max(interactions, 1) for k, v in ms.items()}})
        self.cdp.send("Profiler.start")


def runs(page) -> int:
    return int(page.evaluate("() => window.__benchRuns || 0"))


def timed(page, action) -> float:
    """Seconds from `action()` (a click) to the page settled after at least one new script run."""
    page.evaluate(WATCH_RUNS)
    before = runs(page)
    start = time.perf_counter()
    action()
    page.wait_for_function(f"() => (window.__benchRuns || 0) > {before} && ({SETTLED})()", timeout=TIMEOUT_MS, polling=10)
    return time.perf_counter() - start


def settle(page) -> None:
    page.wait_for_function(SETTLED, timeout=TIMEOUT_MS, polling=50)


def new_session(browser, url: str) -> tuple[float, object, object]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)
    page.wait_for_function(FIRST_CHART, timeout=TIMEOUT_MS, polling=10)
    seconds = time.perf_counter() - start
    settle(page)
    return seconds, context, page


def nav(page, label: str):
    link = page.locator('[data-testid="stSidebar"] [data-testid="stSidebarNavLink"]').filter(
        has=page.get_by_text(label, exact=True))
    return lambda: link.click()


def period(page, label: str):
    button = page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"] button[role="radio"]').filter(
        has_text=label)
    return lambda: button.first.click()


def open_list(page, box) -> None:
    """Open a select box's list.  A click on a box that already has the focus (the value box right after
    its attribute was chosen) toggles the list shut again, so click until the list is there."""
    listbox = page.locator('[role="listbox"] [role="option"]').first
    for _ in range(5):
        box.click()
        try:
            listbox.wait_for(timeout=2_000)
            return
        except Exception:  # noqa: BLE001 (Playwright's TimeoutError: not open yet, click again)
            continue
    listbox.wait_for(timeout=TIMEOUT_MS)


def choose(page, label: str, option: str):
    def act() -> None:
        box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
            has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)).locator('input[role="combobox"]')
        open_list(page, box)
        page.locator('[role="listbox"] [role="option"]').filter(has_text=option).first.click()
    return act


def options(page, label: str) -> list[str]:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)).locator('input[role="combobox"]')
    open_list(page, box)
    found = [o.strip() for o in page.locator('[role="listbox"] [role="option"]').all_inner_texts()]
    page.keyboard.press("Escape")
    return found


def measure(url: str, repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {name: [] for name in TARGETS}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            log("warming up the server (first session loads the data set)")
            _, context, page = new_session(browser, url)
            context.close()
            for i in range(repeat):
                seconds, context, page = new_session(browser, url)
                results["new session to first chart"].append(seconds)
                log(f"new session {i + 1}: {seconds:.2f} s")
                if i < repeat - 1:
                    context.close()
            returning = browser.new_context(viewport=VIEWPORT, locale="en-US")
            returning.new_page().goto(url, timeout=TIMEOUT_MS)  # the first visit fills the caches
            for i in range(repeat):
                tab = returning.new_page()
                start = time.perf_counter()
                tab.goto(url, timeout=TIMEOUT_MS)
                tab.wait_for_function(FIRST_CHART, timeout=TIMEOUT_MS, polling=10)
                results["new session, returning browser"].append(time.perf_counter() - start)
                log(f"new session, returning browser {i + 1}: {results['new session, returning browser'][-1]:.2f} s")
                settle(tab)
                tab.close()
            returning.close()
            profiler = Profiler(page)
            for _ in range(repeat):
                for label in ("Quarter", "Month"):
                    seconds = timed(page, period(page, label))
                    results["period change"].append(seconds)
                    log(f"period → {label}: {seconds:.2f} s")
            profiler.take("period change", 2 * repeat)
            attributes = [a for a in options(page, "Segment") if a != "All customers"]
            if attributes:
                timed(page, choose(page, "Segment", attributes[0]))
                profiler.take("_", 1)  # the attribute change is not one of the measured value changes
                values = options(page, f"Value of {attributes[0]}")[:2][::-1]  # the first is selected already
                for _ in range(repeat):
                    for value in values:
                        seconds = timed(page, choose(page, f"Value of {attributes[0]}", value))
                        results["segment change"].append(seconds)
                        log(f"segment → {value}: {seconds:.2f} s")
                profiler.take("segment change", len(values) * repeat)
                timed(page, choose(page, "Segment", "All customers"))
                profiler.take("_", 1)
            pages = ["Revenue", "Cohorts", "Segments", "Engagement", "Feedback", "Overview"]
            for _ in range(repeat):
                for label in pages:
                    seconds = timed(page, nav(page, label))
                    results["page change"].append(seconds)
                    log(f"page → {label}: {seconds:.2f} s")
            profiler.take("page change", len(pages) * repeat)
            results["_main thread"] = profiler.rows  # type: ignore[assignment]
            context.close()
        finally:
            browser.close()
    return results


def server_cpu(repeat: int, sample_dir: Path | None) -> dict[str, list[float]]:
    """CPU seconds the server spends on each interaction (AppTest in this process, `time.process_time`).

    On a shared, overloaded machine wall-clock times in the browser mostly measure the queue for
    the CPU; the CPU time of the script run does not, so it shows what the app itself costs.
    """
    from streamlit.testing.v1 import AppTest

    if sample_dir is not None:
        os.environ["RETENTION_SAMPLE_DIR"] = str(sample_dir)
    results: dict[str, list[float]] = {name: [] for name in TARGETS if name not in BROWSER_ONLY}

    def cpu(action) -> float:
        start = time.process_time()
        action()
        return time.process_time() - start

    pages = ("pages/revenue.py", "pages/cohorts.py", "pages/segments.py", "pages/engagement.py", "pages/feedback.py",
             "pages/overview.py")
    warm = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)  # a running server has its modules imported
    warm.run()
    for page in pages:
        warm.switch_page(page).run()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.context = {"locale": "en-US"}
    results["new session to first chart"].append(cpu(at.run))
    for _ in range(repeat):
        for granularity in ("quarter", "month"):
            results["period change"].append(cpu(lambda g=granularity: at.sidebar.segmented_control(key="granularity")
                                                .set_value(g).run()))
    attribute = next((a for a in at.sidebar.selectbox(key="segment_attribute").options if a != "All customers"), None)
    if attribute is not None:
        at.sidebar.selectbox(key="segment_attribute").set_value(attribute).run()
        values = at.sidebar.selectbox(key="segment_value").options[:2][::-1]
        for _ in range(repeat):
            for value in values:
                results["segment change"].append(cpu(lambda v=value: at.sidebar.selectbox(key="segment_value")
                                                     .set_value(v).run()))
        at.sidebar.selectbox(key="segment_attribute").set_value("__all__").run()
    for _ in range(repeat):
        for page in pages:
            results["page change"].append(cpu(lambda p=page: at.switch_page(p).run()))
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return results


def report(results: dict[str, list[float]], title: str) -> str:
    lines = [f"### {title}", "", "| interaction | runs | median s | max s | target s | met |", "|---|---:|---:|---:|---:|---|"]
    for name, target in TARGETS.items():
        if name not in results:
            continue
        values = results.get(name) or []
        if not values:
            lines.append(f"| {name} | 0 | – | – | {target:.1f} | – |")
            continue
        median = statistics.median(values)
        # Page changes and first charts are targets for every run; control changes for the median.
        judged = median if name in ("period change", "segment change") else max(values)
        lines.append(f"| {name} | {len(values)} | {median:.2f} | {max(values):.2f} | {target:.1f} | "
                     f"{'yes' if judged <= target else 'no'} |")
    thread = [row for row in results.get("_main thread", []) if row["interaction"] != "_"]  # type: ignore[union-attr]
    if thread:
        parts = [k for k in thread[0] if k != "interaction"]
        lines += ["", "Browser main thread per interaction (ms, Chromium's sampling profiler):", "",
                  "| interaction | " + " | ".join(parts) + " |", "|---|" + "---:|" * len(parts)]
        lines += ["| " + str(row["interaction"]) + " | " + " | ".join(f"{row[k]:.0f}" for k in parts) + " |"
                  for row in thread]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench --browser", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each interaction (default 3)")
    parser.add_argument("--cpu-only", action="store_true", help="only the server CPU table (no browser)")
    parser.add_argument("--customers", type=int, default=None,
                        help="also serve a generated company of this many customers (e.g. 200000)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing (./dev test installs Debian's chromium)", file=sys.stderr)
        return 2
    sets: list[tuple[str, Path | None]] = [("built-in sample data", None)]
    workdir = None
    if args.customers:
        workdir = tempfile.TemporaryDirectory(prefix="bench-data-")
        log(f"generating {args.customers:,} customers")
        subprocess.run([sys.executable, "-m", "retention", "sample", "--customers", str(args.customers), "--months", "48",
                        "--out", workdir.name], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        sets.append((f"{args.customers:,} customers", Path(workdir.name)))
    out = ["## Browser (headless Chromium, 1440×900, seconds from click to page settled)", ""]
    cpu_out = ["## Server CPU per interaction (AppTest, CPU seconds of the script run; the wait for a busy CPU "
               "is not counted)", ""]
    try:
        for title, folder in sets:
            if not args.cpu_only:
                server = Server(folder)
                try:
                    out += [report(measure(server.url, args.repeat), title), ""]
                finally:
                    server.stop()
            log(f"server CPU: {title}")
            cpu_out += [report(server_cpu(args.repeat, folder), title), ""]
    finally:
        if workdir is not None:
            workdir.cleanup()
    print("\n".join(cpu_out if args.cpu_only else out + cpu_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
