"""The industry benchmarks shipped with the package, read and checked once.

The facts live in `benchmarks.csv` next to this module (METRICS.md §10), one row per number a
chart can show, each with its period basis, the segment or price band it applies to, and its
source, year and link.  A benchmark that cannot be cited or whose unit is unclear is worse than
none, so a malformed row stops the import with the row and column to fix instead of being
skipped.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from retention.engine.metrics import METRIC_NAMES
from retention.i18n import N_, LocatedError

BENCHMARKS_FILE = Path(__file__).with_name("benchmarks.csv")

COLUMNS = (
    "id", "metric", "value", "low", "high", "unit", "period_basis", "statistic", "segment",
    "arpa_min", "arpa_max", "acv_min", "acv_max", "group", "label", "source", "year", "link",
)
REQUIRED = ("id", "metric", "value", "unit", "period_basis", "statistic", "segment", "label", "source")

UNITS = ("percent",)
PERIOD_BASES = ("month", "quarter", "year", "week-8", "day-7")
"""`month`/`quarter`/`year`: a rate between two snapshots that far apart.  `week-8` and `day-7`:
engagement rates whose window is part of the metric's definition (METRICS.md §8)."""
STATISTICS = ("median", "average", "threshold", "top_quartile")
EVENT_METRICS = ("day_7_retention", "drop_off_7d", "week_8_retention", "stickiness", "nps", "csat")
KNOWN_METRICS = frozenset(METRIC_NAMES) | frozenset(EVENT_METRICS)
FIXED_WINDOWS = {"day_7_retention": "day-7", "week_8_retention": "week-8"}
"""Metrics whose window is fixed by their definition, and the only basis they accept."""


@dataclass(frozen=True)
class Benchmark:
    """One published number, exactly as its source states it (no conversion applied)."""

    id: str
    metric: str
    value: float
    unit: str
    period_basis: str
    statistic: str
    segment: str
    label: str
    source: str
    low: float | None = None
    high: float | None = None
    arpa_min: float | None = None
    arpa_max: float | None = None
    acv_min: float | None = None
    acv_max: float | None = None
    group: str = ""
    year: int | None = None
    link: str = ""

    @property
    def is_band(self) -> bool:
        """True when the source gives a range (drawn as a shaded band around the line)."""
        return self.low is not None and self.high is not None

    @property
    def banded(self) -> bool:
        """True when the benchmark only applies to companies in an ARPA or ACV range."""
        return any(v is not None for v in (self.arpa_min, self.arpa_max, self.acv_min, self.acv_max))

    @property
    def citation(self) -> str:
        """`Source, year` (or `Source, n.d.` when the source is undated)."""
        return f"{self.source}, {self.year if self.year is not None else 'n.d.'}"


class BenchmarkFileError(LocatedError):
    """A benchmarks file that cannot be trusted; names the file, row (header = row 1) and column."""

    def __init__(self, file: str, template: str, row: int | None = None, column: str | None = None, **params: object):
        super().__init__(template, row, column, file=file, **params)


def _number(text: str, name: str, row: int, column: str, required: bool = False) -> float | None:
    text = text.strip()
    if not text:
        if required:
            raise BenchmarkFileError(name, N_("a number is required"), row, column)
        return None
    try:
        value = float(text)
    except ValueError:
        raise BenchmarkFileError(name, N_("{value!r} is not a number"), row, column, value=text) from None
    if not math.isfinite(value):
        raise BenchmarkFileError(name, N_("{value!r} is not a finite number"), row, column, value=text)
    return value


def _check_range(lo: float | None, hi: float | None, name: str, row: int, lo_col: str, hi_col: str) -> None:
    for value, column in ((lo, lo_col), (hi, hi_col)):
        if value is not None and value < 0:
            raise BenchmarkFileError(name, N_("must not be negative"), row, column)
    if lo is not None and hi is not None and lo >= hi:
        raise BenchmarkFileError(name, N_("{low} must be below {high}"), row, hi_col, low=lo_col, high=hi_col)


def _parse_row(record: dict[str, str], name: str, row: int) -> Benchmark:
    for column in REQUIRED:
        if not (record.get(column) or "").strip():
            raise BenchmarkFileError(name, N_("this column must not be empty"), row, column)
    text = {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}
    if text["metric"] not in KNOWN_METRICS:
        raise BenchmarkFileError(name, N_("unknown metric {metric!r}"), row, "metric", metric=text["metric"])
    for column, allowed in (("unit", UNITS), ("period_basis", PERIOD_BASES), ("statistic", STATISTICS)):
        if text[column] not in allowed:
            raise BenchmarkFileError(
                name, N_("{value!r} is not one of {allowed}"), row, column, value=text[column], allowed=", ".join(allowed)
            )
    needed = FIXED_WINDOWS.get(text["metric"])
    if needed is not None and text["period_basis"] != needed:
        raise BenchmarkFileError(name, N_("{metric} needs the period basis {basis}"), row, "period_basis",
                                 metric=text["metric"], basis=needed)
    if needed is None and text["period_basis"] in FIXED_WINDOWS.values():
        raise BenchmarkFileError(name, N_("a fixed window applies only to {metrics}"), row, "period_basis",
                                 metrics=", ".join(FIXED_WINDOWS))
    value = _number(text["value"], name, row, "value", required=True)
    low = _number(text["low"], name, row, "low")
    high = _number(text["high"], name, row, "high")
    if (low is None) != (high is None):
        raise BenchmarkFileError(name, N_("a band needs both low and high"), row, "high" if high is None else "low")
    if low is not None and high is not None and not low <= value <= high:
        raise BenchmarkFileError(name, N_("the value must lie between low and high"), row, "value")
    arpa_min = _number(text["arpa_min"], name, row, "arpa_min")
    arpa_max = _number(text["arpa_max"], name, row, "arpa_max")
    acv_min = _number(text["acv_min"], name, row, "acv_min")
    acv_max = _number(text["acv_max"], name, row, "acv_max")
    _check_range(arpa_min, arpa_max, name, row, "arpa_min", "arpa_max")
    _check_range(acv_min, acv_max, name, row, "acv_min", "acv_max")
    year: int | None = None
    if text["year"]:
        if not text["year"].isdigit() or not 1990 <= int(text["year"]) <= 2100:
            raise BenchmarkFileError(name, N_("{value!r} is not a year"), row, "year", value=text["year"])
        year = int(text["year"])
    if text["link"] and not text["link"].startswith("https://"):
        raise BenchmarkFileError(name, N_("a link must start with https://"), row, "link")
    return Benchmark(
        id=text["id"], metric=text["metric"], value=value, unit=text["unit"], period_basis=text["period_basis"],
        statistic=text["statistic"], segment=text["segment"], label=text["label"], source=text["source"],
        low=low, high=high, arpa_min=arpa_min, arpa_max=arpa_max, acv_min=acv_min, acv_max=acv_max,
        group=text["group"], year=year, link=text["link"],
    )


def parse_benchmarks(text: str, name: str = "benchmarks.csv") -> list[Benchmark]:
    """Parse and validate benchmark rows; raises `BenchmarkFileError` on the first bad row."""
    reader = csv.DictReader(io.StringIO(text))
    header = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise BenchmarkFileError(name, N_("missing columns: {columns}"), 1, columns=", ".join(missing))
    out: list[Benchmark] = []
    seen: set[str] = set()
    for row, record in enumerate(reader, start=2):
        if None in record:
            raise BenchmarkFileError(name, N_("more cells than header columns"), row)
        benchmark = _parse_row({k.strip(): v for k, v in record.items()}, name, row)
        if benchmark.id in seen:
            raise BenchmarkFileError(name, N_("duplicate id {id!r}"), row, "id", id=benchmark.id)
        seen.add(benchmark.id)
        out.append(benchmark)
    if not out:
        raise BenchmarkFileError(name, N_("the file holds no benchmarks"))
    return out


@cache
def _load_default() -> tuple[Benchmark, ...]:
    return tuple(parse_benchmarks(BENCHMARKS_FILE.read_text(encoding="utf-8"), BENCHMARKS_FILE.name))


def load_benchmarks(path: str | Path | None = None) -> list[Benchmark]:
    """Every benchmark of a file (default: the one shipped with the package, read once)."""
    if path is None:
        return list(_load_default())
    path = Path(path)
    return parse_benchmarks(path.read_text(encoding="utf-8"), path.name)
