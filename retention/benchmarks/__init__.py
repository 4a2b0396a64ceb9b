"""Industry benchmarks with their sources (METRICS.md §10), and the rules for showing them.

`catalog` reads and validates the shipped `benchmarks.csv` (at import: a malformed file fails
loudly, never half-loads); `selection` picks the lines that apply to a chart's metric,
granularity and the user's ARPA, converting period bases only explicitly; `table` lists them all.
"""

from retention.benchmarks.catalog import (
    BENCHMARKS_FILE,
    Benchmark,
    BenchmarkFileError,
    load_benchmarks,
    parse_benchmarks,
)
from retention.benchmarks.selection import BenchmarkLine, benchmarks_for, conversion, convert_value, make_line, per_basis
from retention.benchmarks.table import benchmarks_frame

BENCHMARKS = load_benchmarks()
"""The shipped benchmarks, validated when the package is imported."""

__all__ = [
    "BENCHMARKS", "BENCHMARKS_FILE", "Benchmark", "BenchmarkFileError", "BenchmarkLine", "benchmarks_for",
    "benchmarks_frame", "conversion", "convert_value", "load_benchmarks", "make_line", "parse_benchmarks", "per_basis",
]
