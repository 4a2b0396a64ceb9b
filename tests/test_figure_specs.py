"""The Revenue and Overview charts, built from their JSON spec without Plotly's validation (issue 20, round 4), send
the browser what Plotly's validated path sends.

Two checks, in English and German, by month (14 periods: every second one labelled) and by quarter:

* each chart's JSON equals, parsed, the JSON of `go.Figure(spec)` — Plotly validating the very spec the chart was
  built from: a magic underscore, a bare title string or a pandas Series left in a spec would come out different;
* for the charts with the most parts (the movement bars, the customer bars on two axes, the bridge with its
  subtitle, CRR above 100 %, NRR/GRR with benchmark and target lines, the quick ratio's reference lines, the plan
  flows) the JSON is the same text as the same chart built through Plotly's validating API (`add_bar`,
  `update_layout`, `add_scatter`…), written out here as the builders did before round 4.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import retention.figures as figures
from retention import formatting
from retention.escaping import plotly_text
from retention.figures import theme
from retention.figures.benchmark_lines import BENCHMARK_COLOR, TARGET_COLOR, _hover, _wrap, legend_text
from retention.figures.empty import REFERENCE_RANK
from retention.figures.plans import plan_flow_chart, plan_movements_chart
from retention.figures.revenue import MOVEMENTS
from retention.figures.trends import with_benchmarks
from retention.i18n import translator
from retention.plan_movements import OUTSIDE
from retention.targets import Target

CASES = [(language, granularity) for language in ("en", "de") for granularity in ("month", "quarter")]


def _table(granularity: str) -> pd.DataFrame:
    """A metrics table with gaps (undefined NRR), a CRR above 100 % and integer customer counts."""
    n = 14 if granularity == "month" else 6
    periods = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"] if n == 14 else \
        ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    i = np.arange(n, dtype=float)
    table = pd.DataFrame({
        "period": periods,
        "mrr_start": 10_000 + 500 * i, "mrr_new": 800 + 10 * i, "mrr_expansion": 300 + i, "mrr_reactivation": 50 + i,
        "mrr_contraction": 120 + i, "mrr_churned": 530.0 - i, "mrr_end": 10_500 + 500 * i,
        "nrr": 97.5 + i / 10, "grr": 93.25 + i / 20, "arpa": 101.5 + i, "quick_ratio": 2.0 + i / 7,
        "crr": 94.0 + 2 * i, "retained_rate": 90.0 + i / 2, "logo_churn_rate": 4.5 - i / 10,
        "customers_new": (20 + i).astype(np.int64), "customers_reactivated": (2 + i % 3).astype(np.int64),
        "customers_churned": (9 + i % 4).astype(np.int64), "customers_end": (400 + 12 * i).astype(np.int64),
    })
    table.loc[1, "nrr"] = np.nan  # undefined: a gap in the line
    return table


def _plans() -> tuple[pd.DataFrame, pd.DataFrame]:
    totals = pd.DataFrame({
        "plan": ["Pro", "Basic", "", "<b>Team</b>"], "plan_new": [300.0, 120.0, 0.0, 40.0],
        "plan_reactivation": [20.0, 0.0, 0.0, 0.0], "plan_expansion": [50.0, 10.0, 0.0, 5.0],
        "plan_moved_in": [100.0, 30.0, 0.0, 0.0], "plan_contraction": [15.0, 5.0, 0.0, 0.0],
        "plan_moved_out": [30.0, 100.0, 0.0, 0.0], "plan_churned": [60.0, 45.0, 10.0, 0.0],
        "plan_net_change": [365.0, 10.0, -10.0, 45.0], "mrr_end": [5000.0, 1200.0, 0.0, 45.0]})
    flows = pd.DataFrame({"from_plan": ["Pro", OUTSIDE, "Basic", "Pro"], "to_plan": ["Pro", "Basic", "Pro", OUTSIDE],
                          "customers": [30, 7, 3, 2], "mrr_start": [3000.0, 0.0, 300.0, 200.0],
                          "mrr_end": [3300.0, 700.0, 900.0, 0.0]})
    return totals, flows


def _charts(language: str, granularity: str) -> dict[str, go.Figure]:
    tr = translator(language)
    table = _table(granularity)
    totals, flows = _plans()
    target = [Target("nrr", 100.0, "month", "<i>NRR goal</i>")]
    return {
        "mrr_line": figures.mrr_line(table, "EUR", tr), "mrr_movements": figures.mrr_movements(table, "EUR", tr),
        "bridge": figures.mrr_bridge(table.iloc[-1], "EUR", tr), "arpa": figures.arpa(table, "EUR", tr),
        "nrr_grr": with_benchmarks(figures.nrr_grr(table, tr), ["nrr", "grr"], granularity, 101.5, target, tr)[0],
        "quick_ratio": figures.quick_ratio(table, tr), "crr": figures.retention_rates(table, tr),
        "logo_churn": with_benchmarks(figures.logo_churn(table, tr), ["logo_churn_rate"], granularity, 101.5, (), tr)[0],
        "customers": figures.customer_movements(table, tr), "plan_movements": plan_movements_chart(totals, "EUR", tr),
        "plan_flows": plan_flow_chart(flows, tr, "EUR"),
    }


def _parsed(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


@pytest.mark.parametrize(("language", "granularity"), CASES)
def test_every_chart_is_what_plotly_makes_of_its_spec_when_validating(language: str, granularity: str) -> None:
    for name, fig in _charts(language, granularity).items():
        validated = go.Figure(fig.to_dict())  # Plotly validating (and coercing) every property of the spec
        assert _parsed(fig) == _parsed(validated), name
        assert len(fig.data) > 0, name


@pytest.mark.parametrize(("language", "granularity"), CASES)
def test_the_busiest_charts_are_the_same_text_as_through_plotlys_validating_api(language: str, granularity: str) -> None:
    tr = translator(language)
    table = _table(granularity)
    charts = _charts(language, granularity)
    _, flows = _plans()
    expected = {
        "mrr_movements": _movements(table, tr), "customers": _customers(table, tr), "bridge": _bridge(table.iloc[-1], tr),
        "crr": _crr(table, tr), "quick_ratio": _quick_ratio(table, tr), "plan_flows": _flows(flows, tr),
        "nrr_grr": _nrr_with_lines(table, tr, granularity),
    }
    assert table["crr"].max() > 100 and charts["crr"].layout.title.subtitle.text  # the subtitle case is covered
    for name, reference in expected.items():
        assert pio.to_json(charts[name], validate=False) == pio.to_json(reference, validate=False), name


def test_a_chart_still_validates_what_is_set_on_it_later() -> None:
    fig = figures.mrr_movements(_table("month"), "EUR", translator("en"))
    with pytest.raises(ValueError):
        fig.update_layout(not_a_property=1)
    with pytest.raises(ValueError):
        fig.data[0].update(not_a_property=1)
    fig.update_layout(title_text="Other")
    assert fig.layout.title.text == "Other"
    assert isinstance(fig.data[0].y, np.ndarray) and fig.data[0].y[0] == 800  # data read back as arrays


def test_a_figure_does_not_share_its_arrays_with_the_table() -> None:
    table = _table("month")
    fig = figures.mrr_line(table, "EUR", translator("en"))
    table.loc[0, "mrr_end"] = -1.0
    assert fig.data[0].y[0] == 10_500


# What the builders did before round 4, through Plotly's validating API, kept here as the reference.

def _movements(table: pd.DataFrame, tr) -> go.Figure:
    fig = go.Figure()
    for column, name in MOVEMENTS.items():
        sign = -1 if column in ("mrr_contraction", "mrr_churned") else 1
        fig.add_bar(x=table["period"], y=sign * table[column], name=tr(name), marker_color=theme.COLORS[column],
                    customdata=table[column], hovertemplate=tr(name) + ": %{customdata:,.0f}<extra></extra>")
    net = table["mrr_new"] + table["mrr_expansion"] + table["mrr_reactivation"] - table["mrr_contraction"] \
        - table["mrr_churned"]
    fig.add_scatter(x=table["period"], y=net, name=tr("Net change"), mode="lines+markers",
                    line={"color": "#0f172a", "width": 2}, hovertemplate=tr("Net change") + ": %{y:,.0f}<extra></extra>")
    fig.update_layout(barmode="relative")
    return _validated_layout(fig, tr("MRR movements per period"), "EUR", tr.language)


def _customers(table: pd.DataFrame, tr) -> go.Figure:
    fig = go.Figure()
    for column, name, color, sign in (("customers_new", "New", theme.COLORS["mrr_new"], 1),
                                      ("customers_reactivated", "Reactivated", theme.COLORS["mrr_reactivation"], 1),
                                      ("customers_churned", "Churned", theme.COLORS["mrr_churned"], -1)):
        fig.add_bar(x=table["period"], y=sign * table[column], name=tr(name), marker_color=color,
                    customdata=table[column], hovertemplate=tr(name) + ": %{customdata:,}<extra></extra>")
    fig.add_scatter(x=table["period"], y=table["customers_end"], name=tr("Customers at end"), mode="lines+markers",
                    yaxis="y2", line={"color": theme.COLORS["primary"], "width": 2.5},
                    hovertemplate=tr("Customers at end") + ": %{y:,}<extra></extra>")
    fig.update_layout(barmode="relative", yaxis2={"overlaying": "y", "side": "right", "showgrid": False,
                                                  "title": tr("Customers"), "tickformat": ",d"})
    return _validated_layout(fig, tr("Customers gained and lost"), tr("Customers per period"), tr.language)


def _rate_lines(table: pd.DataFrame, columns: dict[str, str], title: str, tr, y_title: str = "%",
                colors=(theme.COLORS["primary"], theme.COLORS["secondary"]), suffix: str = "%") -> go.Figure:
    fig = go.Figure()
    for (column, name), color in zip(columns.items(), colors, strict=False):
        fig.add_scatter(x=table["period"], y=table[column], name=tr(name), mode="lines+markers",
                        line={"color": color, "width": 2.5}, connectgaps=False,
                        hovertemplate=tr(name) + ": %{y:,.1f}" + suffix + "<extra></extra>")
    return _validated_layout(fig, title, y_title, tr.language)


def _crr(table: pd.DataFrame, tr) -> go.Figure:
    fig = _rate_lines(table, {"crr": "CRR", "retained_rate": "Retained rate"}, tr("Customer retention rate"), tr)
    why = tr("Above 100 %: customers who came back count at the end but are not new, so they are not subtracted.")
    crr = fig.data[0]
    crr.customdata = ["<br>" + why if flag else "" for flag in table["crr"] > 100.0]
    crr.hovertemplate = crr.hovertemplate.replace("<extra>", "%{customdata}<extra>")
    fig.update_layout(title_subtitle={"text": why, "font": {"size": 11, "color": theme.COLORS["muted"]}}, margin={"t": 70})
    return fig


def _quick_ratio(table: pd.DataFrame, tr) -> go.Figure:
    fig = _rate_lines(table, {"quick_ratio": "Quick ratio"}, tr("SaaS quick ratio"), tr, y_title="", suffix="")
    for y, text, color in ((4, tr("4 = efficient growth"), theme.COLORS["muted"]),
                           (1, tr("1 = losing as fast as gaining"), theme.COLORS["bad"])):
        shape = {"type": "line", "layer": "below", "line": {"color": color, "dash": "dot", "width": 1.5},
                 "showlegend": True, "name": "<br>".join(plotly_text(part) for part in _wrap(text)),
                 "legendrank": REFERENCE_RANK,
                 "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"}
        fig.layout.shapes = [*(s.to_plotly_json() for s in fig.layout.shapes), shape]
    return fig


def _nrr_with_lines(table: pd.DataFrame, tr, granularity: str) -> go.Figure:
    fig = _rate_lines(table, {"nrr": "NRR", "grr": "GRR"}, tr("Net and gross revenue retention"), tr)
    _, lines = with_benchmarks(figures.nrr_grr(table, tr), ["nrr", "grr"], granularity, 101.5,
                               [Target("nrr", 100.0, "month", "<i>NRR goal</i>")], tr)
    assert any(line.kind == "target" for line in lines) and any(line.kind != "target" for line in lines)
    xs = list(table["period"])
    shapes = []
    for line in lines:
        color, dash = (TARGET_COLOR, "dot") if line.kind == "target" else (BENCHMARK_COLOR, "dash")
        across = {"x0": 0, "x1": 1, "xref": "x domain", "yref": "y"}
        if line.low is not None and line.high is not None:
            shapes.append({"type": "rect", "fillcolor": color, "opacity": 0.10, "line": {"width": 0}, "layer": "below",
                           **across, "y0": line.low, "y1": line.high})
        shapes.append({"type": "line", "line": {"color": color, "dash": dash, "width": 1.5}, "layer": "below",
                       **across, "y0": line.value, "y1": line.value})
        fig.add_scatter(x=xs, y=[line.value] * len(xs), mode="lines", marker={"opacity": 0, "size": 8, "color": color},
                        line={"color": color, "dash": dash, "width": 1.5}, name=legend_text(line, tr), showlegend=True,
                        legendrank=REFERENCE_RANK, hovertemplate=_hover(line, tr),
                        meta={"benchmark": line.id, "kind": line.kind})
    fig.layout.shapes = shapes
    fig.update_layout(height=360 + 44 * len(lines), showlegend=True)
    return fig


def _bridge(row: pd.Series, tr) -> go.Figure:
    language = tr.language
    negative = ("mrr_contraction", "mrr_churned")
    signed = [(-1 if c in negative else 1) * float(row[c]) for c in MOVEMENTS]
    start, end = float(row["mrr_start"]), float(row["mrr_end"])
    labels = ["<br>".join(textwrap.wrap(text, 11, break_long_words=False)) for text in
              [tr("Start MRR"), *(tr(name) for name in MOVEMENTS.values()), tr("End MRR")]]
    levels = np.cumsum([start, *signed])
    low, high = float(min(levels.min(), end)), float(max(levels.max(), end))
    moved = max(high - low, 0.02 * max(abs(high), 1.0))
    floor = max(0.0, low - 0.6 * moved)
    assert floor > 0  # the subtitle case
    text = [formatting.money(start, "EUR", language),
            *(formatting.signed(formatting.money(v, "EUR", language), v) for v in signed),
            formatting.money(end, "EUR", language)]
    fig = go.Figure(go.Waterfall(
        x=labels, y=[start, *signed, end], measure=["absolute", *["relative"] * len(MOVEMENTS), "total"], base=0,
        increasing={"marker": {"color": theme.COLORS["mrr_new"]}}, decreasing={"marker": {"color": theme.COLORS["mrr_churned"]}},
        totals={"marker": {"color": theme.COLORS["primary"]}}, connector={"line": {"color": "#cbd5e1"}},
        text=text, textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>"))
    fig = _validated_layout(fig, tr("MRR bridge for {period}", period=row["period"]), "EUR", language)
    fig.update_layout(hovermode="closest", showlegend=False, margin={"t": 70})
    fig.update_yaxes(range=[floor, high + 0.35 * moved], tickformat=",.0f")
    fig.update_layout(title_subtitle={
        "text": tr("The axis starts at {amount} so the movements stay visible.",
                   amount=formatting.money(floor, "EUR", language)),
        "font": {"size": 11, "color": theme.COLORS["muted"]}})
    return fig


def _flows(flows: pd.DataFrame, tr) -> go.Figure:
    def name(plan: str, side: str) -> str:
        if plan == OUTSIDE:
            return tr("New or back") if side == "start" else tr("Churned")
        return tr("No plan") if plan == "" else plotly_text(plan)

    starts, ends = list(dict.fromkeys(flows["from_plan"])), list(dict.fromkeys(flows["to_plan"]))
    colors = ["rgba(22,163,74,0.35)" if f == OUTSIDE else "rgba(220,38,38,0.35)" if t == OUTSIDE
              else "rgba(100,116,139,0.25)" if f == t else "rgba(37,99,235,0.45)"
              for f, t in zip(flows["from_plan"], flows["to_plan"], strict=True)]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": [name(p, "start") for p in starts] + [name(p, "end") for p in ends], "pad": 14, "thickness": 16,
              "color": "#94a3b8"},
        link={"source": [starts.index(p) for p in flows["from_plan"]],
              "target": [len(starts) + ends.index(p) for p in flows["to_plan"]],
              "value": flows["customers"].tolist(), "color": colors,
              "customdata": flows[["mrr_start", "mrr_end"]].to_numpy(),
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} " + tr("customers")
                               + " · %{customdata[0]:,.0f} → %{customdata[1]:,.0f} EUR<extra></extra>"}))
    fig.update_layout(title={"text": tr("Customers from plan to plan"), "x": 0, "xanchor": "left", "font": {"size": 16}},
                      height=max(320, 40 * (len(starts) + len(ends))), margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def _validated_layout(fig: go.Figure, title: str, y_title: str, language: str) -> go.Figure:
    """`base_layout` as it was before round 4: the merged layout assigned through Plotly's validation."""
    styled = theme.base_layout(go.Figure(fig), title, y_title=y_title, language=language)
    layout = styled.layout.to_plotly_json()
    layout["template"] = theme._template()
    fig.layout = layout
    return fig
