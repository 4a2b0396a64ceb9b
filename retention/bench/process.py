"""Whole process against whole process: what a user waits for, start to answer.

`python -m retention metrics --subscriptions FILE --format csv` (Python start, imports, reading
and validating the CSV, the snapshot matrix, every metric, printing) against a plain Python
process running `duckdb_script.py` (DuckDB start, its CSV reader, the same monthly movements in
SQL, printing).  Runs alternate (CLI, DuckDB, DuckDB, CLI, …) so a noisy neighbour on the machine
hurts both alike; the table shows medians of wall-clock seconds and the CPU seconds each used
(DuckDB runs on every core, the CLI mostly on one).  Both answers are checked equal.
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from retention.bench.baselines import check_agree

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("duckdb_script.py")


@dataclass
class ProcessComparison:
    """Median wall and CPU seconds of each whole process at one size, and whether they agree."""

    size: str
    rows: int
    cli: float
    duckdb: float
    cli_cpu: float
    duckdb_cpu: float
    check: str
    help: float


def _run(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, its stdout); raises with its stderr when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} … failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def whole_process(size: str, rows: int, csv: bytes, as_of: pd.Timestamp, repeat: int,
                  log: Callable[[str], None]) -> ProcessComparison:
    """Time the CLI and the DuckDB script on the same CSV file, alternating, `repeat` runs each after a warm-up."""
    day = as_of.strftime("%Y-%m-%d")
    with tempfile.TemporaryDirectory(prefix="retention-bench-") as folder:
        path = Path(folder) / "subscriptions.csv"
        path.write_bytes(csv)
        cli = [sys.executable, "-m", "retention", "metrics", "--subscriptions", str(path), "--as-of", day, "--format", "csv"]
        duck = [sys.executable, str(SCRIPT), str(path), day]
        log(f"  {size}: whole process, CLI metrics vs DuckDB script ({repeat} alternating runs each) …")
        _, _, cli_out = _run(cli)  # warm-up: the file in the page cache, bytecode compiled, for both
        _, _, duck_out = _run(duck)
        runs: dict[str, list[tuple[float, float]]] = {"cli": [], "duckdb": []}
        for i in range(repeat):
            order = (("cli", cli), ("duckdb", duck)) if i % 2 == 0 else (("duckdb", duck), ("cli", cli))
            for name, command in order:
                wall, cpu, _ = _run(command)
                runs[name].append((wall, cpu))
        helps = [_run([sys.executable, "-m", "retention", "--help"])[0] for _ in range(repeat)]
    product = pd.read_csv(io.StringIO(cli_out), dtype={"period": str})
    baseline = pd.read_csv(io.StringIO(duck_out), dtype={"period": str})
    try:
        check_agree(product, baseline, "DuckDB script")
        check = "agree"
    except AssertionError as exc:
        check = f"DIFFERS ({exc})"

    def median(name: str, k: int) -> float:
        return statistics.median(r[k] for r in runs[name])

    return ProcessComparison(size, rows, median("cli", 0), median("duckdb", 0), median("cli", 1), median("duckdb", 1),
                             check, statistics.median(helps))


def process_table(rows: list[ProcessComparison]) -> str:
    lines = [
        "| size | subscription rows | CLI `metrics` s | DuckDB script s | CLI / DuckDB | CLI CPU s | DuckDB CPU s | check "
        "| CLI `--help` s |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        lines.append(f"| {r.size} | {r.rows:,} | {r.cli:.3f} | {r.duckdb:.3f} | {r.cli / r.duckdb:.2f} | {r.cli_cpu:.2f} "
                     f"| {r.duckdb_cpu:.2f} | {r.check} | {r.help:.3f} |")
    return "\n".join(lines)


__all__ = ["ProcessComparison", "process_table", "whole_process"]
