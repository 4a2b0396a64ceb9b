"""The benchmark's workloads and stages: generated companies, CSV bytes, timing and peak memory.

Data comes from the project's own generator (`retention.sample`), so every run measures the
same believable company; subscriptions and customers are written as CSV bytes in memory, so
the read stage measures real parsing and validation, not a frame handed over ready-made.

Timing is the median of `repeat` runs (`time.perf_counter`).  Peak memory is the growth of the
process's resident set during a run: Linux keeps the high-water mark (`VmHWM`), and writing 5 to
`/proc/self/clear_refs` resets it, so each run gets its own peak at no cost to its speed
(tracemalloc would slow the pandas string work several times).  Elsewhere the stage falls back to
`resource.getrusage` maxrss deltas, which only see new process-wide highs.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retention.sample import SampleData, generate, generate_events

SIZES: dict[str, int] = {"tiny": 300, "small": 1_000, "medium": 20_000, "large": 200_000, "xlarge": 2_000_000}
"""Customers per named size; every size spans MONTHS months except those in SIZE_MONTHS."""
MONTHS = 48
SIZE_MONTHS: dict[str, int] = {"xlarge": 60}
"""`xlarge` is the memory target's company: 2,000,000 customers over 60 months (120 million customer-months)."""
SEED = 1
EVENT_READ_MAX = 2_000_000
"""Event logs above this are not read back from CSV: a 10M-row export is ~600 MB, three times the
app's 200 MB upload limit, so the product never parses one; their stage starts from the typed table."""

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _status_kb(key: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def memory_method() -> str:
    """How peak memory is measured on this machine (printed under the table)."""
    if _status_kb("VmHWM") is not None and _reset_peak():
        return "peak RSS growth during the stage (Linux VmHWM, reset before each run via /proc/self/clear_refs)"
    return "growth of the process's maximum RSS (resource.getrusage ru_maxrss) during the stage; 0 when below an earlier peak"


def process_peak_mb() -> float:
    """The process's peak resident set since it started, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Timing:
    """One stage at one size: median seconds, rows it processed, peak memory growth."""

    stage: str
    size: str
    rows: int
    unit: str
    runs: list[float]
    peak_mb: float
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def measure(stage: str, size: str, rows: int, unit: str, fn: Callable[[], Any], repeat: int,
            setup: Callable[[], Any] | None = None) -> tuple[Any, Timing]:
    """Run `fn` `repeat` times (after `setup`, untimed, each time); return its last result and the timing."""
    runs: list[float] = []
    peak = 0.0
    result = None
    hwm = _status_kb("VmHWM") is not None
    for _ in range(max(1, repeat)):
        arg = setup() if setup is not None else None
        gc.collect()
        if hwm and _reset_peak():
            before = _status_kb("VmRSS") or 0
        else:
            hwm = False
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        result = fn() if setup is None else fn(arg)
        runs.append(time.perf_counter() - start)
        after = (_status_kb("VmHWM") or 0) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = max(peak, (after - before) / 1024)
        del arg
    return result, Timing(stage, size, rows, unit, runs, peak)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as the CSV an export would be: ISO dates, empty cells for missing values, `\\n` line ends."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            seconds = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[s]")
            out[column] = np.char.add(np.datetime_as_string(seconds, unit="s"), "Z")
        elif pd.api.types.is_datetime64_any_dtype(series):
            text = np.datetime_as_string(series.to_numpy().astype("datetime64[D]"), unit="D")
            out[column] = np.where(series.isna().to_numpy(), "", text)
        else:
            out[column] = series.to_numpy()
    return pd.DataFrame(out, columns=frame.columns).to_csv(index=False, lineterminator="\n").encode("utf-8")


@dataclass
class Company:
    """A generated company at one size, with its files as CSV bytes."""

    size: str
    customers: int
    months: int
    data: SampleData
    subscriptions_csv: bytes
    customers_csv: bytes
    generate_seconds: float
    events: dict[int, pd.DataFrame] = field(default_factory=dict)

    @property
    def subscription_rows(self) -> int:
        return len(self.data.subscriptions)


def make_company(size: str, customers: int | None = None, months: int = MONTHS, seed: int = SEED) -> Company:
    """Generate the company of a named size (no usage log: logs are generated per event size)."""
    customers = SIZES[size] if customers is None else customers
    months = SIZE_MONTHS.get(size, months)
    start = time.perf_counter()
    data = generate(customers, months, seed, event_rows=0)
    subs, cust = to_csv_bytes(data.subscriptions), to_csv_bytes(data.customers)
    return Company(size, customers, months, data, subs, cust, time.perf_counter() - start)


def canonical_events(frame: pd.DataFrame) -> pd.DataFrame:
    """The generator's log in the form `load_events` returns: UTC timestamps, ids as categoricals."""
    out = pd.DataFrame({"timestamp": frame["timestamp"]})
    for column in ("user_id", "customer_id", "event"):
        codes, uniques = pd.factorize(frame[column])
        out[column] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    out.index = pd.RangeIndex(2, len(out) + 2, name="row")
    return out


def make_events(company: Company, rows: int) -> tuple[pd.DataFrame, float]:
    """(usage log of about `rows` rows for the company, seconds it took to generate)."""
    start = time.perf_counter()
    log = generate_events(company.data, rows)
    return log, time.perf_counter() - start


def parse_count(text: str) -> int:
    """`1M`, `10M`, `500k`, `250000` -> int."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    return int(float(number) * scale)


def count_label(n: int) -> str:
    """10000000 -> `10M`, 1500 -> `1.5k`."""
    for scale, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= scale:
            return f"{n / scale:g}{suffix}"
    return str(n)


__all__ = [
    "EVENT_READ_MAX", "MONTHS", "SIZES", "SIZE_MONTHS", "Company", "Timing", "canonical_events", "count_label", "make_company",
    "make_events", "measure", "memory_method", "parse_count", "process_peak_mb", "to_csv_bytes",
]
