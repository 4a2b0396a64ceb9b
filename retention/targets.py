"""The user's own targets: a value for a metric on a stated period basis, drawn beside benchmarks.

A target is a promise the user makes to themselves ("logo churn under 2 % a month"), so it is
kept exactly as entered and follows the benchmarks' rule for units: shown as is on a chart of
its own basis, converted with the formula in its label on another one, or not shown (see
`retention.benchmarks.selection`).  Targets travel as a small CSV (`metric,value,period_basis,
label`) so a team can share them; reading one names the row and column of every problem.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from retention.benchmarks.catalog import FIXED_WINDOWS, KNOWN_METRICS, PERIOD_BASES
from retention.benchmarks.selection import BenchmarkLine, make_line
from retention.exports import FORMULA_PREFIXES, to_csv_bytes
from retention.glossary import METRICS
from retention.i18n import ENGLISH, N_, LocatedError, Translator

TARGET_COLUMNS = ("metric", "value", "period_basis", "label")
MAX_LABEL = 120
MAX_ROWS = 500


@dataclass(frozen=True)
class Target:
    """One goal: `value` (a percentage for rates) of `metric` per `period_basis`."""

    metric: str
    value: float
    period_basis: str = "month"
    label: str = ""

    def display_label(self, tr: Translator = ENGLISH) -> str:
        """The user's label, or `Target: <metric name>` when they gave none."""
        if self.label:
            return self.label
        info = METRICS.get(self.metric)
        return tr("Target: {metric}", metric=tr(info.label) if info else self.metric)


class TargetFileError(LocatedError):
    """A targets file or entry that cannot be used; names the row (header = row 1) and column."""


def make_target(metric: str, value: object, period_basis: str = "month", label: str = "", row: int | None = None) -> Target:
    """A validated target (from a form or a CSV row); raises `TargetFileError`."""
    metric = str(metric).strip()
    if metric not in KNOWN_METRICS:
        raise TargetFileError(N_("unknown metric {metric!r}"), row, "metric", metric=metric)
    text = str(value).strip().removesuffix("%").strip() if value is not None else ""
    try:
        number = float(text)
    except ValueError:
        raise TargetFileError(N_("{value!r} is not a number"), row, "value", value=str(value)) from None
    if not math.isfinite(number):
        raise TargetFileError(N_("{value!r} is not a finite number"), row, "value", value=str(value))
    basis = str(period_basis).strip().lower()
    if basis not in PERIOD_BASES:
        raise TargetFileError(N_("{value!r} is not one of {allowed}"), row, "period_basis", value=basis, allowed=", ".join(PERIOD_BASES))
    needed = FIXED_WINDOWS.get(metric)
    if needed is not None and basis != needed:
        raise TargetFileError(N_("{metric} needs the period basis {basis}"), row, "period_basis", metric=metric, basis=needed)
    if needed is None and basis in FIXED_WINDOWS.values():
        raise TargetFileError(N_("a fixed window applies only to {metrics}"), row, "period_basis", metrics=", ".join(FIXED_WINDOWS))
    label = str(label or "").strip()
    if label.startswith("'") and label[1:].startswith(FORMULA_PREFIXES):
        label = label[1:]  # undo the export's formula neutralisation so a round trip is lossless
    if len(label) > MAX_LABEL:
        raise TargetFileError(N_("a label is at most {n} characters"), row, "label", n=MAX_LABEL)
    return Target(metric, number, basis, label)


def parse_targets(data: bytes | str) -> list[Target]:
    """Targets from a CSV with columns metric, value, period_basis and optional label."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TargetFileError(N_("the file is not UTF-8 text")) from None
    reader = csv.DictReader(io.StringIO(data))
    header = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in TARGET_COLUMNS[:3] if c not in header]
    if missing:
        raise TargetFileError(N_("missing columns: {columns}"), 1, columns=", ".join(missing))
    targets: list[Target] = []
    for row, record in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "") for k, v in record.items() if k is not None}
        if not any(v.strip() for v in cells.values()):
            continue
        if None in record:
            raise TargetFileError(N_("more cells than header columns"), row)
        if len(targets) >= MAX_ROWS:
            raise TargetFileError(N_("at most {n} targets"), row, n=MAX_ROWS)
        targets.append(make_target(cells["metric"], cells["value"], cells["period_basis"], cells.get("label", ""), row))
    return targets


def targets_frame(targets: Iterable[Target]) -> pd.DataFrame:
    """Targets as a table with the CSV's English column names."""
    return pd.DataFrame(
        [(t.metric, float(t.value), t.period_basis, t.label) for t in targets], columns=list(TARGET_COLUMNS)
    ).astype({"value": float})


def targets_to_csv(targets: Iterable[Target]) -> bytes:
    """The CSV `parse_targets` reads back; labels are neutralised against formula injection."""
    return to_csv_bytes(targets_frame(targets))


def targets_for(
    targets: Iterable[Target], metric: str, granularity: str | None, tr: Translator = ENGLISH
) -> list[BenchmarkLine]:
    """The targets of `metric` as lines for a `granularity` chart (kind "target")."""
    lines = (
        make_line(
            id=f"target-{i}", kind="target", metric=t.metric, value=t.value, source_basis=t.period_basis,
            chart_basis=granularity, name=t.display_label(tr), tr=tr,
        )
        for i, t in enumerate(targets)
        if t.metric == metric
    )
    return [line for line in lines if line is not None]
