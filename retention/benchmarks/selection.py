"""Which benchmarks a chart shows, and in which unit.

Decisions (METRICS.md §10: "a benchmark never silently changes units"):

* A benchmark whose period basis equals the chart's granularity is shown as published.
* A month/quarter/year benchmark on a chart of another of those granularities is converted by
  compounding, and the line's label names the formula, so nobody reads 6.8 % a month as if it
  were a yearly number:
  - retention rates (CRR, retained rate, NRR, GRR): ``r_chart = r_source ^ n``
  - churn rates (logo churn, gross MRR churn): ``c_chart = 1 − (1 − c_source) ^ n``
  with ``n = months in the chart's period / months in the source's period`` (12 for a monthly
  benchmark on a yearly chart, 1/12 the other way).  This assumes a constant rate across the
  year, which is what the formula in the label tells the reader.
* Any other metric (ARPA, quick ratio, net MRR churn…) is never converted: a benchmark on
  another basis is not shown.  Passing ``convert=False`` shows only benchmarks on the chart's
  own basis.
* Engagement benchmarks (day-7, week-8) have their window in their definition and apply to
  their metric whatever the chart's granularity.
* Price bands: a benchmark with an ARPA range applies only when the user's ARPA (monthly, the
  same currency unit as the source, US dollars) lies in ``[arpa_min, arpa_max)``; one with an
  ACV range uses ACV = 12 × ARPA.  Without a known ARPA no banded benchmark is shown.  Rows of
  the same ``group`` are alternatives of one statistic: when a banded row fits, the group's
  unbanded row (the overall median) gives way to it.  No interpolation between published bands:
  an ARPA between two bands gets no line from that source rather than an invented number.
"""

from __future__ import annotations

from dataclasses import dataclass

from retention.benchmarks.catalog import FIXED_WINDOWS, Benchmark, load_benchmarks
from retention.i18n import ENGLISH, N_, Translator

MONTHS = {"month": 1, "quarter": 3, "year": 12}
RETENTION_RATES = frozenset({"crr", "retained_rate", "nrr", "grr"})
CHURN_RATES = frozenset({"logo_churn_rate", "gross_mrr_churn_rate"})
CONVERTIBLE = RETENTION_RATES | CHURN_RATES

_ADJECTIVE = {"month": N_("monthly"), "quarter": N_("quarterly"), "year": N_("annual")}
_PER = {
    "month": N_("a month"), "quarter": N_("a quarter"), "year": N_("a year"),
    "week-8": N_("at week 8"), "day-7": N_("on day 7"),
}
_EXPONENT = {12.0: "12", 4.0: "4", 3.0: "3", 1 / 12: "(1/12)", 1 / 4: "(1/4)", 1 / 3: "(1/3)"}


@dataclass(frozen=True)
class BenchmarkLine:
    """A line (or band) ready to draw on a chart of one granularity.

    `value`, `low` and `high` are in the chart's unit; `source_value` and `source_basis` are what
    the source published.  `formula` is set when the value was converted, and `label` then ends
    with it.
    """

    id: str
    kind: str  # "benchmark" or "target"
    metric: str
    value: float
    basis: str
    name: str
    label: str
    source_value: float
    source_basis: str
    low: float | None = None
    high: float | None = None
    formula: str | None = None
    segment: str = ""
    source: str = ""
    year: int | None = None
    link: str = ""

    @property
    def converted(self) -> bool:
        return self.formula is not None

    @property
    def citation(self) -> str:
        if not self.source:
            return ""
        return f"{self.source}, {self.year if self.year is not None else 'n.d.'}"


def per_basis(basis: str, tr: Translator = ENGLISH) -> str:
    """`a month`, `a year`, `at week 8`… for writing a value with its basis."""
    return tr(_PER.get(basis, basis))


def conversion(metric: str, source_basis: str, chart_basis: str | None, tr: Translator = ENGLISH) -> tuple[float, str] | None:
    """The exponent and the formula text turning a `source_basis` rate into a `chart_basis` one.

    Returns (1, "") when no conversion is needed and None when the value must not be shown.
    """
    if source_basis in FIXED_WINDOWS.values():
        return (1.0, "") if FIXED_WINDOWS.get(metric) == source_basis else None
    if chart_basis == source_basis:
        return 1.0, ""
    if metric not in CONVERTIBLE or source_basis not in MONTHS or chart_basis not in MONTHS:
        return None
    n = MONTHS[chart_basis] / MONTHS[source_basis]
    exponent = next((text for value, text in _EXPONENT.items() if abs(value - n) < 1e-9), f"{n:g}")
    to, frm = tr(_ADJECTIVE[chart_basis]), tr(_ADJECTIVE[source_basis])
    if metric in CHURN_RATES:
        formula = tr("{to} = 1 − (1 − {source})^{n}", to=to, source=frm, n=exponent)
    else:
        formula = tr("{to} = {source}^{n}", to=to, source=frm, n=exponent)
    return n, formula


def convert_value(metric: str, value: float, n: float) -> float:
    """Apply the compounding rule of `metric` to a percentage `value` (see the module docstring)."""
    if n == 1.0:
        return value
    if metric in CHURN_RATES:
        return 100.0 * (1.0 - (1.0 - value / 100.0) ** n)
    return 100.0 * (value / 100.0) ** n


def make_line(
    *, id: str, kind: str, metric: str, value: float, source_basis: str, chart_basis: str | None, name: str,
    tr: Translator = ENGLISH, low: float | None = None, high: float | None = None, convert: bool = True, **extra: object,
) -> BenchmarkLine | None:
    """A drawable line for one published value, converted to the chart's basis or None."""
    rule = conversion(metric, source_basis, chart_basis, tr)
    if rule is None or (not convert and rule[0] != 1.0):
        return None
    n, formula = rule
    basis = source_basis if source_basis in FIXED_WINDOWS.values() else str(chart_basis)
    shown = convert_value(metric, value, n)
    label = name
    if formula:
        label = tr(
            "{name} ({value} % {source_per} → {shown} % {chart_per}; {formula})",
            name=name, value=f"{value:g}", source_per=per_basis(source_basis, tr),
            shown=f"{shown:.1f}", chart_per=per_basis(basis, tr), formula=formula,
        )
    return BenchmarkLine(
        id=id, kind=kind, metric=metric, value=shown, basis=basis, name=name, label=label,
        source_value=value, source_basis=source_basis, formula=formula or None,
        low=convert_value(metric, low, n) if low is not None else None,
        high=convert_value(metric, high, n) if high is not None else None,
        **extra,  # type: ignore[arg-type]
    )


def _in_range(x: float | None, lo: float | None, hi: float | None) -> bool:
    if lo is None and hi is None:
        return True
    if x is None:
        return False
    return (lo is None or x >= lo) and (hi is None or x < hi)


def applies(benchmark: Benchmark, arpa: float | None) -> bool:
    """Whether a benchmark's ARPA/ACV band (if any) contains the user's ARPA (ACV = 12 × ARPA)."""
    acv = None if arpa is None else 12.0 * arpa
    return _in_range(arpa, benchmark.arpa_min, benchmark.arpa_max) and _in_range(acv, benchmark.acv_min, benchmark.acv_max)


def select(benchmarks: list[Benchmark], metric: str, arpa: float | None = None) -> list[Benchmark]:
    """The benchmarks of `metric` that apply at this ARPA, most specific row per group."""
    rows = [b for b in benchmarks if b.metric == metric and applies(b, arpa)]
    specific_groups = {b.group for b in rows if b.group and b.banded}
    return [b for b in rows if b.banded or not b.group or b.group not in specific_groups]


def benchmarks_for(
    metric: str, granularity: str | None, arpa: float | None = None, *, tr: Translator = ENGLISH,
    benchmarks: list[Benchmark] | None = None, convert: bool = True,
) -> list[BenchmarkLine]:
    """Lines to draw on a `granularity` chart of `metric` for a company with this monthly ARPA."""
    pool = load_benchmarks() if benchmarks is None else benchmarks
    lines = (
        make_line(
            id=b.id, kind="benchmark", metric=b.metric, value=b.value, source_basis=b.period_basis,
            chart_basis=granularity, name=tr(b.label), tr=tr, low=b.low, high=b.high, convert=convert,
            segment=tr(b.segment), source=tr(b.source), year=b.year, link=b.link,
        )
        for b in select(pool, metric, arpa)
    )
    return [line for line in lines if line is not None]
