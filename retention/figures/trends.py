"""Trend charts with the industry benchmarks and the user's targets that fit them.

A chart gets at most a couple of industry lines (the first ones of the benchmarks file that
apply, duplicates of the same value dropped) so the lines inform rather than crowd; targets
are always drawn.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

from retention.benchmarks import benchmarks_for
from retention.benchmarks.selection import BenchmarkLine
from retention.figures.benchmark_lines import benchmarked
from retention.i18n import ENGLISH, Translator
from retention.targets import Target, targets_for

MAX_LINES = 2


def chart_lines(metric: str, granularity: str, arpa: float | None, tr: Translator = ENGLISH,
                limit: int = MAX_LINES) -> list[BenchmarkLine]:
    lines: list[BenchmarkLine] = []
    seen: set[float] = set()
    for line in benchmarks_for(metric, granularity, arpa, tr=tr):
        key = round(line.value, 1)
        if key in seen:
            continue
        seen.add(key)
        lines.append(line)
        if len(lines) == limit:
            break
    return lines


def with_benchmarks(
    fig: go.Figure, metrics: Iterable[str], granularity: str, arpa: float | None = None,
    targets: Iterable[Target] = (), tr: Translator = ENGLISH,
) -> tuple[go.Figure, list[BenchmarkLine]]:
    """Draw the benchmarks and targets of `metrics` on `fig`; returns the figure (a new one when lines were drawn:
    `benchmark_lines.benchmarked`) and the lines drawn."""
    targets = list(targets)
    lines: list[BenchmarkLine] = []
    target_lines: list[BenchmarkLine] = []
    metrics = list(metrics)
    per_metric = MAX_LINES if len(metrics) == 1 else 1  # two metrics on one chart: one line each, or labels collide
    for metric in metrics:
        lines += chart_lines(metric, granularity, arpa, tr, limit=per_metric)
        target_lines += targets_for(targets, metric, granularity, tr)
    return benchmarked(fig, lines, tr=tr, targets=target_lines), lines + target_lines
