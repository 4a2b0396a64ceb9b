"""What the libraries the product stands on take by themselves, next to the targets above them (issue 15).

Why: a target is only worth chasing in the product's own code while the tools under it leave room.
Arrow's CSV reader splitting the file into text columns (the first step of every upload, before any
cell is cleaned or typed) and a fresh interpreter importing pandas (which every command that reads
data needs) are measured in the same run as the targets, so the report shows how much of each
target they use up on this machine, whatever its speed that day.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Floor:
    """One library step alone: its median seconds, scaled to the target's size, and the target's limit in seconds."""

    what: str
    seconds: float
    detail: str
    limit: float
    target: str

    @property
    def share(self) -> float:
        return self.seconds / self.limit if self.limit else float("nan")


def arrow_text_read(csv: bytes) -> Callable[[], int]:
    """Arrow's streaming CSV reader on `csv`, every column as text, blocks of 1 MB (as the importer reads); returns
    the number of rows.  No stripping, no dictionary encoding, no typing: less than the importer can ever do."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = csv[: csv.index(b"\n")].decode("utf-8").split(",")

    def read() -> int:
        reader = pacsv.open_csv(
            pa.BufferReader(csv),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, check_utf8=False),
            read_options=pacsv.ReadOptions(block_size=1 << 20), memory_pool=pa.system_memory_pool())
        return sum(batch.num_rows for batch in reader)

    return read


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall seconds of `repeat` calls (after one warm-up call)."""
    fn()
    runs = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def import_seconds(module: str, repeat: int) -> float:
    """Median wall seconds of a fresh interpreter that only imports `module` (Python's own start included)."""
    return median_seconds(lambda: subprocess.run([sys.executable, "-c", f"import {module}"], check=True), repeat)


def floors_table(floors: list[Floor]) -> str:
    lines = ["| library step alone | seconds (median) | measured | target it sits under | share of the target |",
             "|---|---:|---|---|---:|"]
    for f in floors:
        lines.append(f"| {f.what} | {f.seconds:.2f} | {f.detail} | {f.target} | {f.share:.0%} |")
    return "\n".join(lines)
