"""Many founders at once: `./dev bench --load` (issue 20 §1).

Starts the app (`streamlit run app.py` on a free loopback port), then drives N concurrent sessions
(default 10) in Debian's headless Chromium: each is its own browser context (own cookies, own Streamlit
session), and all of them start at the same moment.  Each session

1. opens the app and waits for the first chart (the built-in sample, shared by every session; each server
   process has served one session before, so its imports and the sample are loaded, as on a running server);
2. goes to the Data page, uploads a generated 20,000-customer export (subscriptions + customers, CSV),
   presses "Load files" and waits for the "Loaded" message;
3. visits the dashboard pages one after the other, each timed from the click to the page settled
   (the script run over, no spinner, every table and Plotly chart drawn — the rule of `browser_bench`).

`--servers 2` starts two processes and keeps session i on process i mod 2, as the sticky proxy of
`deploy/nginx.conf` would: the way to use both cores of a 2-core machine.

It prints p50/p95 (nearest rank) per step with the targets of issue 20 beside them (open ≤ 3 s, each page
≤ 2 s at the 95th percentile, no error), the errors, and the CPU seconds the server processes used.
Everything is bounded: a fixed number of sessions, one pass each, a timeout per step and for the whole
run; the servers and Chromium are stopped on the way out, whatever happens.  Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_bench import CHROMIUM, FIRST_CHART, SETTLED, WATCH_RUNS, Server, log  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1440, "height": 900}
STEP_TIMEOUT_MS = 120_000
RUN_TIMEOUT_S = 1_200
OPEN_TARGET_S = 3.0
PAGE_TARGET_S = 2.0
PAGES = ("Overview", "Revenue", "Cohorts", "Segments", "Customer")
LOADED = "Loaded. The dashboard pages now show your data."
EXCEPTION = '[data-testid="stException"]'
# Ten pages in one headless browser: without these, Chromium throttles the timers and frames of pages it deems in the
# background, and a chart could wait for the browser rather than the server.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
LOADAVG: list[str] = []
WARM_UP: list[float] = []


@dataclass
class Session:
    """What one simulated founder measured (seconds per step) and what went wrong."""

    number: int
    seconds: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def export(customers: int, folder: Path) -> tuple[Path, Path]:
    """A generated company of `customers` customers over 48 months, written as the CSVs a founder uploads."""
    sys.path.insert(0, str(ROOT))
    from retention.bench.stages import make_company

    company = make_company("medium", customers=customers)
    subscriptions, people = folder / "subscriptions.csv", folder / "customers.csv"
    subscriptions.write_bytes(company.subscriptions_csv)
    people.write_bytes(company.customers_csv)
    log(f"export: {customers:,} customers, {company.subscription_rows:,} subscription rows "
        f"({len(company.subscriptions_csv) / 1e6:.1f} MB + {len(company.customers_csv) / 1e6:.1f} MB CSV)")
    return subscriptions, people


async def settled_after(page, before: int) -> None:
    await page.wait_for_function(f"() => (window.__benchRuns || 0) > {before} && ({SETTLED})()",
                                 timeout=STEP_TIMEOUT_MS, polling=200)


async def runs(page) -> int:
    await page.evaluate(WATCH_RUNS)
    return int(await page.evaluate("() => window.__benchRuns || 0"))


async def check(page, where: str, session: Session) -> None:
    if await page.locator(EXCEPTION).count():
        text = " | ".join(await page.locator(EXCEPTION).all_inner_texts())
        session.errors.append(f"{where}: the page shows an error: {text[:200]}")


async def go_to(page, label: str) -> float:
    link = page.locator('[data-testid="stSidebar"] [data-testid="stSidebarNavLink"]').filter(
        has=page.get_by_text(label, exact=True))
    before = await runs(page)
    start = time.perf_counter()
    await link.click(timeout=STEP_TIMEOUT_MS)
    await settled_after(page, before)
    return time.perf_counter() - start


async def upload(page, label: str, path: Path) -> None:
    uploader = page.locator('[data-testid="stFileUploader"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    await uploader.locator('input[type="file"]').set_input_files(str(path), timeout=STEP_TIMEOUT_MS)
    await page.get_by_text(f"Column mapping for {path.name}").wait_for(timeout=STEP_TIMEOUT_MS)


async def founder(browser, url: str, files: tuple[Path, Path], session: Session, start: asyncio.Event) -> None:
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = await context.new_page()
        await start.wait()
        step = "open"
        try:
            t0 = time.perf_counter()
            await page.goto(url, timeout=STEP_TIMEOUT_MS)
            await page.wait_for_function(FIRST_CHART, timeout=STEP_TIMEOUT_MS, polling=200)
            session.seconds["open"] = time.perf_counter() - t0
            await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS, polling=200)
            await check(page, "open", session)
            step = "Data page"
            session.seconds["Data page"] = await go_to(page, "Data")
            step = "upload + load 20k"
            t0 = time.perf_counter()
            await upload(page, "Subscriptions", files[0])
            await upload(page, "Customers (optional)", files[1])
            button = page.locator('[data-testid="stMain"]').get_by_role("button", name="Load files")
            await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS, polling=200)
            await button.click(timeout=STEP_TIMEOUT_MS)
            await page.get_by_text(LOADED).wait_for(timeout=STEP_TIMEOUT_MS)
            await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS, polling=200)
            session.seconds["upload + load 20k"] = time.perf_counter() - t0
            await check(page, "load", session)
            for label in PAGES:
                step = label
                session.seconds[label] = await go_to(page, label)
                await check(page, label, session)
        except Exception as exc:  # a timeout or a vanished element: the session's error, the run goes on
            session.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        log(f"session {session.number}: " + ", ".join(f"{k} {v:.1f} s" for k, v in session.seconds.items())
            + (f" — {len(session.errors)} error(s)" if session.errors else ""))
    finally:
        await context.close()


async def drive(urls: list[str], count: int, files: tuple[Path, Path]) -> list[Session]:
    from playwright.async_api import async_playwright

    sessions = [Session(i + 1) for i in range(count)]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for url in urls:  # a fresh process imports the app and loads the shared sample on its first run
                context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
                page = await context.new_page()
                t0 = time.perf_counter()
                await page.goto(url, timeout=STEP_TIMEOUT_MS)
                await page.wait_for_function(FIRST_CHART, timeout=STEP_TIMEOUT_MS, polling=200)
                WARM_UP.append(time.perf_counter() - t0)
                await context.close()
            await together(sessions, lambda i, s, start: founder(browser, urls[i % len(urls)], files, s, start), 0.5)
        finally:
            await browser.close()
    return sessions


async def protocol_founder(url: str, files: tuple[Path, Path], session: Session, start: asyncio.Event) -> None:
    """The same steps as `founder`, spoken as Streamlit's websocket protocol (`load_protocol.py`): each timed from
    the request to the server's `script_finished`, so the figures are the server's answer without a browser."""
    from load_protocol import ProtocolSession

    client = ProtocolSession(url)
    await start.wait()
    step = "open"
    try:
        t0 = time.perf_counter()
        await client.connect()
        await client.run(timeout=STEP_TIMEOUT_MS / 1000)
        session.seconds["open"] = time.perf_counter() - t0
        step = "Data page"
        session.seconds["Data page"] = await client.run(page="Data", timeout=STEP_TIMEOUT_MS / 1000)
        step = "upload + load 20k"
        t0 = time.perf_counter()
        subscriptions = await client.upload("upload_subscriptions", files[0])
        await client.run(page="Data", states=[subscriptions], timeout=STEP_TIMEOUT_MS / 1000)
        people = await client.upload("upload_customers", files[1])
        await client.run(page="Data", states=[subscriptions, people], timeout=STEP_TIMEOUT_MS / 1000)
        await client.run(page="Data", states=[subscriptions, people, client.press("load_files")],
                         timeout=STEP_TIMEOUT_MS / 1000)
        if not any(LOADED in text for text in client.texts):
            raise RuntimeError("no 'Loaded' message after Load files")
        session.seconds["upload + load 20k"] = time.perf_counter() - t0
        for label in PAGES:
            step = label
            session.seconds[label] = await client.run(page=label, timeout=STEP_TIMEOUT_MS / 1000)
        if client.exceptions:
            raise RuntimeError(f"exception shown: {client.exceptions[0]}")
    except Exception as exc:  # a timeout or a refused step: the session's error, the run goes on
        session.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}")
    finally:
        await client.close()
    log(f"session {session.number}: " + ", ".join(f"{k} {v:.1f} s" for k, v in session.seconds.items())
        + (f" — {len(session.errors)} error(s)" if session.errors else ""))


async def drive_protocol(urls: list[str], count: int, files: tuple[Path, Path]) -> list[Session]:
    from load_protocol import ProtocolSession

    sessions = [Session(i + 1) for i in range(count)]
    for url in urls:  # a fresh process imports the app and loads the shared sample on its first run
        client = ProtocolSession(url)
        t0 = time.perf_counter()
        await client.connect()
        await client.run()
        WARM_UP.append(time.perf_counter() - t0)
        await client.close()
    await together(sessions, lambda i, s, start: protocol_founder(urls[i % len(urls)], files, s, start), 0.1)
    return sessions


async def together(sessions: list[Session], founder_of, settle_s: float) -> None:
    """Run one founder per session, all released at the same moment, for at most RUN_TIMEOUT_S.

    Session i always talks to server i mod N, as a sticky proxy would keep it (deploy/nginx.conf): `founder_of(i,
    session, start)` makes its coroutine.  `settle_s` lets every client get ready before anyone starts."""
    start = asyncio.Event()
    tasks = [asyncio.create_task(founder_of(i, s, start)) for i, s in enumerate(sessions)]
    await asyncio.sleep(settle_s)
    start.set()
    _, pending = await asyncio.wait(tasks, timeout=RUN_TIMEOUT_S)
    for task in pending:
        task.cancel()
    for session, task in zip(sessions, tasks, strict=True):
        if task in pending:
            session.errors.append(f"still running after {RUN_TIMEOUT_S} s (cancelled)")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: with 10 values p95 is the largest, p50 the fifth."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def server_cpu(files: tuple[Path, Path]) -> dict[str, float]:
    """CPU seconds of each step's script runs for ONE session, in this process (Streamlit's AppTest).

    On a shared, overloaded machine the browser's wall times mostly measure the queue for a core; this is
    what the app itself costs per step.  One server process runs every session's Python under one GIL, so
    N sessions asking for the same step at the same moment wait at least N × this on one process.
    """
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT))
    app = str(ROOT / "app.py")
    warm = AppTest.from_file(app, default_timeout=600)  # a running server has its modules imported
    warm.run()
    for label in PAGES:
        warm.switch_page(f"pages/{label.lower()}.py").run()
    at = AppTest.from_file(app, default_timeout=600)
    at.context = {"locale": "en-US"}
    found: dict[str, float] = {}

    def step(name: str, action) -> None:
        start = time.process_time()
        action()
        found[name] = time.process_time() - start
        if at.exception:
            raise RuntimeError(f"{name}: {[e.value for e in at.exception]}")

    def load() -> None:
        at.file_uploader(key="upload_subscriptions").set_value((files[0].name, files[0].read_bytes(), "text/csv")).run()
        at.file_uploader(key="upload_customers").set_value((files[1].name, files[1].read_bytes(), "text/csv")).run()
        at.button(key="load_files").click().run()

    step("open", at.run)
    step("Data page", lambda: at.switch_page("pages/data.py").run())
    step("upload + load 20k", load)
    for label in PAGES:
        step(label, lambda label=label: at.switch_page(f"pages/{label.lower()}.py").run())
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(sessions: list[Session], customers: int, servers: int, cpu: float, per_step: dict[str, float],
           clients: str = "browser") -> tuple[str, bool]:
    steps = ["open", "Data page", "upload + load 20k", *PAGES]
    how = ("headless Chromium, seconds from action to page settled" if clients == "browser" else
           "Streamlit's websocket protocol without a browser, seconds from request to the server's script_finished")
    lines = [f"## {len(sessions)} concurrent sessions on {servers} server process{'es' if servers > 1 else ''}, each "
             f"loading a {customers:,}-customer export ({how})", "",
             "| step | sessions | p50 s | p95 s | max s | target (p95) | met | server CPU s, one session | × sessions per process |",
             "|---|---:|---:|---:|---:|---|---|---:|---:|"]
    per_process = math.ceil(len(sessions) / servers)
    met = True
    for step in steps:
        values = [s.seconds[step] for s in sessions if step in s.seconds]
        target = OPEN_TARGET_S if step == "open" else None if step.startswith("upload") else PAGE_TARGET_S
        if not values:
            lines.append(f"| {step} | 0 | – | – | – | {target or '–'} | no | {per_step.get(step, 0):.2f} | "
                         f"{per_step.get(step, 0) * per_process:.1f} |")
            met = False
            continue
        p95 = percentile(values, 95)
        ok = "–" if target is None else ("yes" if p95 <= target and len(values) == len(sessions) else "no")
        met = met and ok != "no"
        lines.append(f"| {step} | {len(values)} | {percentile(values, 50):.2f} | {p95:.2f} | {max(values):.2f} | "
                     f"{f'≤ {target:.0f} s' if target else '(none)'} | {ok} | {per_step.get(step, 0):.2f} | "
                     f"{per_step.get(step, 0) * per_process:.1f} |")
    errors = [f"session {s.number}: {e}" for s in sessions for e in s.errors]
    lines += ["", f"Errors: {len(errors)}"] + [f"- {e}" for e in errors]
    lines += ["", f"- server CPU for the whole run: {cpu:.1f} s ({cpu / max(1, len(sessions)):.2f} s per session); "
              f"load average before/after: {LOADAVG[0]} / {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
              f"- before the run, one session per process opened the app once (its first run imports the app and loads the "
              f"shared sample): {', '.join(f'{w:.1f} s' for w in WARM_UP)}; the figures above are for a running server",
              "- server CPU, one session: the step's script runs alone, in-process (AppTest, `time.process_time`); "
              f"× sessions per process: that times {per_process}, the least the last of the sessions that ask at the "
              "same moment waits on one process (one GIL), whatever the machine's other load",
              "- p50/p95 are nearest-rank over the sessions; every session starts at the same moment",
              "- 'upload + load' has no target in issue 20; it is the user's data, parsed in their session"]
    return "\n".join(lines), met and not errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench --load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10, at most 20)")
    parser.add_argument("--customers", type=int, default=20_000, help="customers in each uploaded export (default 20000)")
    parser.add_argument("--clients", choices=("browser", "protocol"), default="browser",
                        help="browser: headless Chromium sessions (what a user sees, browsers included); protocol: "
                             "the same steps over Streamlit's websocket protocol, no browser (the server's side)")
    parser.add_argument("--servers", type=int, default=1,
                        help="app processes, sessions spread over them as a sticky proxy would (default 1, at most 4)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` stops the servers and Chromium too (finally blocks)
    if not 1 <= args.sessions <= 20:
        parser.error("--sessions must be between 1 and 20")
    if not 1 <= args.servers <= 4:
        parser.error("--servers must be between 1 and 4")
    if args.clients == "browser" and not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing (./dev test installs Debian's chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="load-bench-") as folder:
        files = export(args.customers, Path(folder))
        servers: list[Server] = []
        try:
            for _ in range(args.servers):
                servers.append(Server(None))
            log(f"servers on {', '.join(s.url for s in servers)}; {args.sessions} sessions start together")
            LOADAVG.append(" ".join(f"{x:.1f}" for x in os.getloadavg()))
            before = sum(cpu_seconds(s.process.pid) for s in servers)
            drive_sessions = drive if args.clients == "browser" else drive_protocol
            sessions = asyncio.run(drive_sessions([s.url for s in servers], args.sessions, files))
            cpu = sum(cpu_seconds(s.process.pid) for s in servers) - before
        finally:
            for server in servers:
                server.stop()
        log("server CPU per step, one session (AppTest) …")
        per_step = server_cpu(files)
    text, met = report(sessions, args.customers, args.servers, cpu, per_step, args.clients)
    print(text)
    print(f"\nTargets met: {'yes' if met else 'no'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
