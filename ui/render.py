"""Rendering helpers: KPI cards, charts, tables with their exports.

User values (customer names, attribute values, file names) only ever reach the page through
Streamlit elements that render text, or through `md()`, which escapes Markdown/HTML first.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from retention import columns, escaping, formatting
from retention.engine.kpis import Kpi
from retention.exports import table_csv, table_xlsx, to_csv_bytes
from retention.glossary import METRICS
from retention.report import sections as report_sections
from ui import state, table_text


def md(text: object) -> str:
    """Escape a user value for use inside Markdown (no HTML, no links, no formatting): `retention.escaping.markdown`."""
    return escaping.markdown(text)


def format_value(name: str, value: float | None, currency: str = "USD") -> str:
    """A metric's value in the session's language, written for its kind (92.5 %, $1,200…)."""
    return report_sections.format_value(name, value, state.tr().language, currency)


def _delta_text(kpi: Kpi, currency: str) -> str | None:
    return None if kpi.delta is None else report_sections.signed_change(kpi.name, kpi.delta, state.tr(), currency)


def kpi_cards(kpis: list[Kpi], currency: str = "USD", per_row: int = 4) -> None:
    tr = state.tr()
    for start in range(0, len(kpis), per_row):
        columns = st.columns(per_row)
        for column, kpi in zip(columns, kpis[start:start + per_row], strict=False):
            info = METRICS[kpi.name]
            better = kpi.higher_is_better
            column.metric(
                tr(info.card_label),
                format_value(kpi.name, kpi.value, currency),
                delta=_delta_text(kpi, currency),
                delta_color="normal" if better is not False else "inverse",
                help=tr(info.definition) + "\n\n" + tr("Change against the previous period."),
                border=True,
            )


def chart(fig: go.Figure | Callable[[], go.Figure], key: str | None = None, empty: str | None = None,
          depends_on: tuple | None = None) -> None:
    """Draw a chart; one with nothing to show becomes the sentence `empty` (which file or column would fill it).

    `fig` may be a function building the figure; with `depends_on` (what the figure depends on, e.g. the
    view) the built figure is kept for the session, so a rerun that comes back to a view (a page
    visited again, a period toggled back) draws without building Plotly objects again.
    """
    fig = figure(fig, key, depends_on)
    if not _drawable(fig, empty):
        return
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})


def figure(fig: go.Figure | Callable[[], go.Figure], key: str | None, depends_on: tuple | None = None) -> go.Figure:
    """The figure, built by `fig()` when it is a builder and kept for the session under `depends_on`."""
    if not callable(fig):
        return fig
    if depends_on is None:
        return fig()
    return state.cached(("figure", key, state.tr().language, *depends_on), fig)


def _drawable(fig: go.Figure, empty: str | None) -> bool:
    """False (and the sentence `empty` shown under the chart's title) when the chart has nothing to draw."""
    from retention.figures.empty import has_data

    if has_data(fig):
        return True
    tr = state.tr()
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    with st.container(border=True):
        if title:
            st.markdown(f"**{md(title)}**")
        st.caption(empty or tr("Nothing to draw in the selected range and segment."))
    return False


def selectable_chart(fig: go.Figure | Callable[[], go.Figure], key: str, depends_on: tuple | None = None,
                     empty: str | None = None) -> list:
    """A clickable chart (`ui.drilldown.selectable`) with the same cache and empty state as `chart`."""
    from retention.figures.spec import relayout
    from ui import drilldown

    def closest(figure_: go.Figure) -> go.Figure:
        return relayout(figure_, {"hovermode": "closest"})  # see `drilldown.selectable`

    built = figure((lambda: closest(fig())) if callable(fig) else fig, key, depends_on)
    return drilldown.selectable(built, key) if _drawable(built, empty) else []


def unique_headers(headers: list[str]) -> list[str]:
    """Headers made unique for a table (two columns can translate to the same text): the second gets " (2)"."""
    seen: dict[str, int] = {}
    out = []
    for text in headers:
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return out


def styled(table: pd.DataFrame, currency: str | None = None):
    """The table under translated headers, each number written the reader's way (92,5 %, 1.234 €, 12 345).

    The cells keep their numbers underneath (a pandas Styler only sets display text), so sorting a
    column sorts by value; `column_config` carries each metric's definition as the header's help.  The display
    text is written a column at a time (`ui.table_text`), not through pandas' HTML renderer.
    """
    tr = state.tr()
    currency = currency or state.currency()
    headers = unique_headers([columns.header(str(c), tr, currency) for c in table.columns])
    frame = table.set_axis(headers, axis=1)
    frame.attrs = {}  # the importer's notes (file source, data-through date) are not for the browser: Streamlit sends attrs
    formats: dict[str, object] = {}
    made: dict[str | None, object] = {}
    config: dict[str, object] = {}
    for name, head, dtype in zip(table.columns, headers, table.dtypes, strict=True):
        column = columns.describe(str(name), tr)
        kind = column.kind
        if pd.api.types.is_bool_dtype(dtype):
            kind = "bool_widget"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kind = "date"
        elif kind is None and pd.api.types.is_float_dtype(dtype):
            kind = "number"
        elif kind in ("date", "text", "bool", None) or not pd.api.types.is_numeric_dtype(dtype):
            kind = "date" if kind == "date" and not pd.api.types.is_object_dtype(dtype) else "text"
        if column.kind == "date":
            kind = "date"  # dates kept as Python objects (with None for "no date") are still dates
        if kind != "bool_widget" and kind not in made:  # one formatter per kind: Babel is asked once a table
            made[kind] = formatting.cell_formatter(kind, tr.language, currency)
        if kind in ("date", "text") and table[name].isna().any():
            # Streamlit draws a missing cell as the English word "None" whatever display text the Styler gives it,
            # so a column with gaps is sent as its text: days as the date format writes them (ISO, which also sorts
            # as text), a dash for "no date", nothing for missing text.
            frame[head] = [made[kind](v) for v in table[name].tolist()]
            kind = "text"
            if kind not in made:
                made[kind] = formatting.cell_formatter(kind, tr.language, currency)
        if kind != "bool_widget":
            formats[head] = made[kind]
        config[head] = st.column_config.Column(help=column.help or None)
    return table_text.column_wise(frame.style.format(formats)), config


def show_table(table: pd.DataFrame, currency: str | None = None) -> None:
    shown, config = styled(table, currency)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def download_buttons(table: pd.DataFrame, name: str, key: str, currency: str | None = None) -> None:
    """CSV and Excel downloads of a table as people read it (headers in their language, values rounded,
    Excel number formats), and a CSV with the stable English column names for scripts; formula cells
    are neutralised in all three."""
    tr = state.tr()
    currency = currency or state.currency()
    left, middle, right = st.columns(3)
    left.download_button(
        tr("Download CSV"), lambda: table_csv(table, tr, currency), file_name=f"{name}.csv", mime="text/csv",
        key=f"{key}_csv", on_click="ignore", icon=":material/download:",
        help=tr("Column names in your language, numbers rounded as shown."),
    )
    middle.download_button(
        tr("Download Excel"), lambda: table_xlsx(table, name, tr, currency), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        on_click="ignore", icon=":material/table_view:",
        help=tr("Formatted numbers (currency, %, thousands) and column names in your language."),
    )
    right.download_button(
        tr("CSV for scripts"), lambda: to_csv_bytes(table), file_name=f"{name}-raw.csv", mime="text/csv",
        key=f"{key}_raw", on_click="ignore", icon=":material/code:", type="tertiary",
        help=tr("Stable English column names (crr, mrr_end…) and full precision, for programs that read the file."),
    )


def table_with_exports(table: pd.DataFrame, name: str, key: str) -> None:
    show_table(table)
    download_buttons(table, name, key)


PREVIEW_ROWS = 100
"""Rows of an imported table shown on the Data page.  Each shown cell is written the reader's way through a
pandas Styler, which costs the server about 0.2 ms a cell on every run of the page: 1,000 rows of
subscriptions and customers were 2.6 s of CPU per visit.  The downloads hold every row."""


def preview_with_exports(table: pd.DataFrame, name: str, key: str) -> None:
    """The first `PREVIEW_ROWS` rows of an imported table, and downloads of all of it."""
    show_table(table.head(PREVIEW_ROWS))
    if len(table) > PREVIEW_ROWS:
        tr = state.tr()
        st.caption(tr("The first {shown} of {total} rows; the downloads below hold all of them.",
                      shown=formatting.number(PREVIEW_ROWS, tr.language),
                      total=formatting.number(len(table), tr.language)))
    download_buttons(table, name, key)


UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stIconMaterial"] { font-size: 1.25rem; }
</style>"""
"""Streamlit writes the uploader's button ("Upload") and limits ("200MB per file") in English only;
this hides both words (the upload icon stays) and `uploader_help` says the same in the reader's language."""


def uploader_help() -> None:
    """The uploader's own words hidden (`UPLOADER_CSS`), said once in the reader's language instead."""
    tr = state.tr()
    st.markdown(UPLOADER_CSS, unsafe_allow_html=True)
    st.caption(tr("Drop a file on a box below or click its upload button; up to {n} MB per file.",
                  n=formatting.number(st.get_option("server.maxUploadSize"), tr.language)))


def currency_assumed() -> bool:
    """True when the subscriptions name no currency and `state.currency()` fell back to its default."""
    return bool(state.dataset().currency_assumed())


def window_dates(view: state.View) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last day of the sidebar's range (None when the range is open), for day-based tables."""
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[view.granularity]

    def bound(label: str | None, first: bool) -> pd.Timestamp | None:
        if not label:
            return None
        period = pd.Period(label.replace("-Q", "Q"), freq=freq)
        return period.start_time if first else period.end_time.normalize()

    return bound(view.start, True), bound(view.end, False)


def no_periods_message() -> None:
    tr = state.tr()
    st.info(tr("No complete period in the selected range. Pick a longer range or a later 'Data as of' date "
               "in the sidebar settings, or load data that covers at least one full month on the Data page."))


def caption_for(view: state.View, table: pd.DataFrame) -> None:
    """One line saying what the numbers cover: periods, segment, as-of date."""
    tr = state.tr()
    first, last = table["period"].iloc[0], table["period"].iloc[-1]
    span = first if first == last else tr("{first} to {last}", first=first, last=last)
    segment = tr("All customers") if view.segment is None else f"{view.segment[0]} = {view.segment[1]}"
    as_of = formatting.day(state.engine().as_of_for(view.query()), state.tr().language)
    source = state.source_label()
    st.caption(md(" · ".join([span, segment, tr("data as of {date}", date=as_of), source])))


def trend(fig: go.Figure | Callable[[], go.Figure], metrics: list[str], view: state.View, table: pd.DataFrame,
          key: str) -> None:
    """A trend chart with the benchmarks, targets and notes that fit it (cached per view, targets and notes when
    `fig` is a builder)."""
    from retention.figures.notes import add_notes
    from retention.figures.trends import with_benchmarks

    arpa_values = table["arpa"].dropna() if "arpa" in table else pd.Series(dtype=float)
    arpa = float(arpa_values.iloc[-1]) if len(arpa_values) else None
    targets = tuple(state.targets())
    notes = state.notes()

    def build() -> go.Figure:
        base = fig() if callable(fig) else fig
        base, _ = with_benchmarks(base, metrics, view.granularity, arpa, targets, state.tr())
        return add_notes(base, notes, [str(p) for p in table["period"]], view.granularity)

    chart(build, key=key, depends_on=(view, targets, tuple(notes), tuple(metrics)) if callable(fig) else None)


def report_downloads(view: state.View, table: pd.DataFrame, key: str) -> None:
    """One-click exports of the whole dashboard: HTML report and Excel workbook, built when clicked."""
    from retention.report.summary import excel_report, html_report
    from ui.forecast_state import report_parts

    tr = state.tr()
    history = state.history(view)
    meta = state.report_meta(view, table)
    currency = state.currency()
    stamp = str(meta["as_of"])
    forecast = report_parts(view, tr, currency)
    customers = _customer_parts(view, table, tr, currency)
    # The files are built when clicked, in a worker thread without the session (see `report_parts`): what they need
    # from the session is taken now.
    targets, notes = list(state.targets()), state.notes()
    left, right = st.columns(2)
    left.download_button(
        tr("Download report (HTML)"),
        lambda: html_report(history, table, view.granularity, meta, currency, targets,
                            [*customers()[0], *forecast()[0]], tr=tr, notes=notes).encode("utf-8"),
        file_name=f"retention-report-{stamp}.html", mime="text/html", key=f"{key}_html", on_click="ignore",
        icon=":material/summarize:", help=tr("A self-contained file with the KPIs, charts against benchmarks, "
                                             "tables and definitions. Works offline; charts stay interactive."),
    )
    right.download_button(
        tr("Download Excel dashboard"),
        lambda: excel_report(table, meta, currency, {**customers()[1], **forecast()[1]}, tr=tr),
        file_name=f"retention-dashboard-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        on_click="ignore", icon=":material/table_view:",
        help=tr("One sheet per table, a summary with the filters used, and native Excel charts."),
    )


def _customer_parts(view: state.View, table: pd.DataFrame, tr, currency: str):
    """A function returning (report sections, Excel sheets) listing the customers behind the last period, built
    when a report is first downloaded (not on every page run), from the data this page run shows: the function runs
    in a worker thread without the session (see `ui.forecast_state.report_parts`)."""
    memo: dict[str, object] = {}
    data, engine = state.dataset(), state.engine()

    def parts():
        if "parts" not in memo:
            from retention.report.customers import customers_section

            if table.empty:
                memo["parts"] = ([], {})
            else:
                reasons = data.churn_reasons.table if data.churn_reasons is not None else None
                subscriptions = data.subscriptions.table if data.subscriptions is not None else None  # None: a database
                section, sheets = customers_section(engine, view.query(), str(table["period"].iloc[-1]), tr,
                                                    currency, reasons, subscriptions)
                memo["parts"] = ([section], sheets)
        return memo["parts"]

    return parts


def ltv_note(view: state.View, period: str) -> None:
    """Under an LTV card: what the simple LTV rests on, and a warning when that is too little to quote."""
    from retention.forecasts.reasons import reason_text
    from retention.forecasts.trust import simple_ltv_support

    tr = state.tr()
    monthly = state.history(state.View(granularity="month", segment=view.segment, as_of=view.as_of,
                                       gross_margin=view.gross_margin))
    support = simple_ltv_support(monthly, period)
    if support.ltv is None:
        return
    text = tr("LTV = ARPA × gross margin ÷ average monthly churn, from {n} customers who left in the six months to "
              "{month}. The Forecast page has a model-based LTV with its range.", n=support.churned,
              month=support.months[-1] if support.months else period)
    if support.trusted:
        st.caption(text)
    else:
        st.warning(tr("LTV: {why}. Do not quote this number; see the Forecast page.",
                      why=tr(reason_text(support.reason))) + " " + text, icon=":material/warning:")
