"""`base_layout` puts the shared template in without validating it again, and the chart is the same.

Assigning Plotly's template object validated and copied every property of it on every figure (half of
`base_layout`'s time).  `theme._set_template` gives each figure its own copy of the already validated template
instead; these tests check that the figure's JSON is byte-for-byte what the validated assignment gives and that
no figure can change another's template.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention.figures import theme


def _figure() -> go.Figure:
    fig = go.Figure(go.Bar(x=["2024-01", "2024-02", "2024-03"], y=[1.0, -2.5, 3.0], name="MRR"))
    fig.add_scatter(x=["2024-01", "2024-02", "2024-03"], y=[40.0, 50.0, None], yaxis="y2")
    fig.update_layout(barmode="relative", yaxis2={"overlaying": "y", "side": "right"})
    return fig


def _validated(fig: go.Figure, title: str, language: str) -> go.Figure:
    """What `base_layout` gave before: the template object assigned through Plotly's validation."""
    out = theme.base_layout(fig, title, y_title="€", language=language)
    out.layout.template = theme._template()
    return out


def test_the_chart_json_is_what_the_validated_template_gives() -> None:
    for language in ("en", "de"):
        fast = theme.base_layout(_figure(), "MRR", y_title="€", language=language)
        assert fast.to_json() == _validated(_figure(), "MRR", language).to_json()
        assert fast.layout.template.layout.plot_bgcolor == "white"  # plotly_white's layout


def test_the_template_keeps_its_place_among_the_layout_keys() -> None:
    keys = list(theme.base_layout(_figure(), "t").to_dict()["layout"])
    assert keys.index("separators") < keys.index("template") < keys.index("title")


def test_no_figure_changes_another_figures_template() -> None:
    first = theme.base_layout(_figure(), "a")
    second = theme.base_layout(_figure(), "b")
    first.layout.template.layout.font.size = 99
    assert second.layout.template.layout.font.size is None
    assert theme._template().layout.font.size is None
    assert theme.base_layout(_figure(), "c").layout.template.layout.font.size is None


def test_the_figure_still_validates_what_is_set_on_it_later() -> None:
    fig = theme.base_layout(_figure(), "t")
    try:
        fig.update_layout(not_a_property=1)
    except ValueError:
        return
    raise AssertionError("the layout stopped validating after the template was put in")


def test_date_axes_write_iso_days_not_english_month_names() -> None:
    """Plotly writes "Nov 5" on a date axis whatever the page's language; the app's date axes use ISO days."""
    from retention.figures.customer import subscription_timeline
    from retention.i18n import Translator

    spans = pd.DataFrame({"subscription_id": ["s1"], "start_date": [pd.Timestamp("2023-11-02")],
                          "end_date": [pd.Timestamp("2023-11-16")], "plan": ["Starter"], "mrr": [15.83]})
    fig = subscription_timeline(spans, pd.Timestamp("2024-01-31"), tr=Translator("fr"))
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.tickformat == "%Y-%m-%d"
