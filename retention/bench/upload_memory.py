"""Peak memory of reading one large CSV upload: `python -m retention.bench --memory` (issue 21 §2).

The app holds an upload's bytes and then parses them into the canonical subscriptions table; eight
founders doing that at once must fit in the machine.  This stage writes a plain subscriptions export of the
asked size (distinct customers, ISO dates, a plan and a currency per row: what Stripe or a spreadsheet gives),
then reads it in a fresh Python process exactly as the Data page does (`load_subscriptions(bytes, name)`).
The child reports its resident set after its imports (the baseline every server process pays anyway) and its
peak (`VmHWM`); the table shows the growth over the baseline, the bytes of the upload included, divided by the
file size.  A subprocess per size keeps one measurement from inheriting another's high-water mark.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_RATIO = 5.0
"""Issue 21: peak memory for the largest allowed upload about 5× the file size at most."""
MB = 1024 ** 2
CHUNK_ROWS = 1_000
"""Rows written between two looks at the file's size (the file ends at most this many rows past its size)."""

CHILD = r"""
import json, sys, time
from pathlib import Path

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0

from retention.memory import return_freed_memory
return_freed_memory()  # as the server does at start (app.py)
from retention.importing import load_subscriptions
import pandas, pyarrow  # everything the server has imported before an upload arrives
path = Path(sys.argv[1])
baseline = status("VmRSS")
Path("/proc/self/clear_refs").write_text("5")
start = time.perf_counter()
data = path.read_bytes()
result = load_subscriptions(data, path.name)
seconds = time.perf_counter() - start
print(json.dumps({"baseline": baseline, "peak": status("VmHWM"), "held": status("VmRSS"), "seconds": seconds,
                  "rows_read": result.rows_read, "rows_used": result.rows_used}))
"""


@dataclass
class UploadMemory:
    """One file size: bytes, rows, the child's baseline and peak resident set, and the time the read took."""

    file_bytes: int
    rows: int
    baseline: int
    peak: int
    held: int
    seconds: float
    rows_used: int

    @property
    def growth(self) -> int:
        return self.peak - self.baseline

    @property
    def ratio(self) -> float:
        return self.growth / self.file_bytes


def write_export(path: Path, megabytes: float) -> int:
    """A plain subscriptions CSV of `megabytes` MB (2**20 bytes, as `server.maxUploadSize` counts) or just above it,
    one line per customer; returns its row count."""
    target = megabytes * MB
    plans = ("Starter", "Growth", "Business", "Enterprise")
    rows = 0
    with path.open("wb") as out:
        out.write(b"customer_id,plan,start_date,end_date,amount,currency,interval\n")
        while out.tell() < target:
            lines = []
            for i in range(rows, rows + CHUNK_ROWS):
                end = f"2025-{1 + i % 12:02d}-15" if i % 3 == 0 else ""
                lines.append(f"cus_{i:09d},{plans[i % 4]},2023-{1 + i % 12:02d}-{1 + i % 28:02d},{end},"
                             f"{29 + i % 400}.00,EUR,{'year' if i % 5 == 0 else 'month'}\n")
            rows += CHUNK_ROWS
            out.write("".join(lines).encode("ascii"))
    return rows


def measure_upload(megabytes: float, log=lambda text: None) -> UploadMemory:
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        path = Path(folder) / "subscriptions.csv"
        log(f"  writing a {megabytes:g} MB subscriptions CSV …")
        rows = write_export(path, megabytes)
        log(f"  reading it in a fresh process ({rows:,} rows) …")
        root = Path(__file__).resolve().parents[2]
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=root, capture_output=True, text=True,
                              check=False, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"reading the {megabytes:g} MB CSV failed: {done.stderr.strip()[-800:]}")
        found = json.loads(done.stdout.strip().splitlines()[-1])
        return UploadMemory(path.stat().st_size, rows, found["baseline"], found["peak"], found["held"], found["seconds"],
                            found["rows_used"])


def table(results: list[UploadMemory]) -> str:
    mb = MB
    lines = ["| CSV | rows | read s | process baseline MB | peak MB | growth MB (bytes held included) | growth ÷ file | "
             f"target ≤ {TARGET_RATIO:g}× |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.file_bytes / mb:,.0f} MB | {r.rows:,} | {r.seconds:.1f} | {r.baseline / mb:,.0f} | "
                     f"{r.peak / mb:,.0f} | {r.growth / mb:,.0f} | {r.ratio:.1f}× | {'yes' if r.ratio <= TARGET_RATIO else 'no'} |")
    return "\n".join(lines)


def main(argv: list[str], out=print, log=lambda text: print(text, file=sys.stderr, flush=True)) -> int:
    """`--memory [--mb 50,200]`: one fresh process per size; 0 when the largest size meets the target."""
    sizes = [50.0, 200.0]
    if "--mb" in argv:
        sizes = [float(s) for s in argv[argv.index("--mb") + 1].split(",") if s.strip()]
    started = time.perf_counter()
    results = [measure_upload(size, log) for size in sizes]
    out("## Peak memory of one CSV upload (fresh process per size, Linux VmHWM)\n")
    out(table(results) + "\n")
    out(f"- baseline: resident set after importing the importer, pandas and pyarrow; growth: peak minus baseline, the "
        f"upload's bytes included (the server holds them too); whole run {time.perf_counter() - started:.0f} s")
    return 0 if results and results[-1].ratio <= TARGET_RATIO else 1
