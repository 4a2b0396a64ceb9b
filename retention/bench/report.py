"""Printing the benchmark: the machine, one table per size, the baseline comparison and the targets.

Plain text (Markdown tables), so a run can be pasted into the README's Performance section as is.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from retention.bench.stages import Timing

LIBRARIES = ("numpy", "pandas", "duckdb", "lifelines")
HEADER = "| stage | rows | seconds (median) | rows/s | peak MB |"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, str]:
    """CPU count and model, RAM, OS, Python and library versions."""
    model = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                  if line.lower().startswith("model name")), platform.processor() or platform.machine())
    ram_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal:")), 0)
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "cpus": str(os.cpu_count() or "?"),
        "cpu": model,
        "ram": f"{ram_kb / 1024 ** 2:.1f} GB" if ram_kb else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": ", ".join(versions),
    }


def machine_text(info: dict[str, str]) -> str:
    return (f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['ram']} RAM, {info['os']}\n"
            f"Python {info['python']}; {info['libraries']}")


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def stage_table(timings: list[Timing]) -> str:
    """One line per stage: rows processed, median seconds, rows per second, peak memory growth."""
    lines = [HEADER, "|---|---:|---:|---:|---:|"]
    for t in timings:
        stage = f"{t.stage} ({t.note})" if t.note else t.stage
        lines.append(f"| {stage} | {t.rows:,} {t.unit} | {_seconds(t.seconds)} | {_number(t.rows_per_second)} | "
                     f"{t.peak_mb:,.0f} |")
    return "\n".join(lines)


@dataclass
class Comparison:
    """One stage the product shares with the baselines, at one size."""

    stage: str
    size: str
    product: float
    pandas: float
    duckdb: float
    pandas_check: str
    duckdb_check: str


def comparison_table(rows: list[Comparison]) -> str:
    """Product time, each baseline's time, product / baseline (below 1 = the product is faster), agreement."""
    lines = [
        "| size | shared stage | product s | pandas s | product / pandas | pandas check | DuckDB s | product / DuckDB | DuckDB check |",
        "|---|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size} | {r.stage} | {_seconds(r.product)} | {_seconds(r.pandas)} | {r.product / r.pandas:.2f} | {r.pandas_check} "
            f"| {_seconds(r.duckdb)} | {r.product / r.duckdb:.2f} | {r.duckdb_check} |"
        )
    return "\n".join(lines)


@dataclass
class Target:
    """A performance target, what was measured, and whether it was met."""

    name: str
    limit: str
    measured: str
    met: bool


def targets_table(targets: list[Target]) -> str:
    lines = ["| target | limit | measured | met |", "|---|---:|---:|---|"]
    for t in targets:
        lines.append(f"| {t.name} | {t.limit} | {t.measured} | {'yes' if t.met else 'NO'} |")
    return "\n".join(lines)


__all__ = ["HEADER", "Comparison", "Target", "comparison_table", "machine", "machine_text", "stage_table", "targets_table"]
