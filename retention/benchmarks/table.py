"""All benchmarks as one table, for the Benchmarks page and its CSV/XLSX export.

Column names stay the file's English machine-readable names so an exported table can be read
back; pages translate the headers when they show them.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from retention.benchmarks.catalog import COLUMNS, Benchmark, load_benchmarks


def benchmarks_frame(benchmarks: list[Benchmark] | None = None) -> pd.DataFrame:
    """One row per benchmark, in the shipped file's column order, with a `citation` column."""
    rows = load_benchmarks() if benchmarks is None else benchmarks
    frame = pd.DataFrame([asdict(b) for b in rows], columns=list(COLUMNS))
    for column in ("value", "low", "high", "arpa_min", "arpa_max", "acv_min", "acv_max"):
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype(float)
    frame["year"] = frame["year"].astype("Int64")
    frame["citation"] = [b.citation for b in rows]
    return frame
