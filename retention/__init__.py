"""Retention metrics for SaaS founders: importing, the metric engine, figures and exports.

A small API for notebooks::

    import retention
    data = retention.load_dataset("subscriptions.csv", "customers.csv")
    engine = data.engine()                       # the in-memory reference engine (warehouse engines answer the same)
    table = engine.metrics(retention.Query(granularity="quarter", start="2019-Q1"))   # a MetricsTable
    triangle = engine.cohorts(retention.Query(granularity="month"), basis="revenue")  # a CohortTable
    fig = retention.figures.mrr_movements(table)

    ws = retention.open_workspace("workspace")   # datasets kept between sessions, version by version
    ws.import_files("acme", subscriptions="subscriptions.csv", customers="customers.csv")
    data = ws.load("acme")

This package never imports Streamlit: the app's pages and the CLI are thin layers over it.
"""

_WHERE = {
    "Dataset": "retention.dataset", "InputFile": "retention.dataset", "load_dataset": "retention.dataset",
    **dict.fromkeys(("METRIC_NAMES", "CohortTable", "DrillDown", "Engine", "Lifetimes", "MetricsTable", "NumpyEngine",
                     "Query", "SegmentTable", "SnapshotModel", "build_model", "compute_metrics"), "retention.engine"),
    "LoadError": "retention.importing", "LoadResult": "retention.importing",
    **dict.fromkeys(("Workspace", "WorkspaceBusy", "WorkspaceError", "open_workspace"), "retention.workspace"),
}


def __getattr__(name: str) -> object:
    """Every name loads on first use (PEP 562): `python -m retention --help`, a CLI command or a page that
    never opens a workspace must not pay for pandas or DuckDB at start (issue 15)."""
    if name in _WHERE:
        import importlib

        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):  # a subpackage, as in `retention.figures.mrr_movements(table)`
        import importlib
        import importlib.util

        if importlib.util.find_spec(f"retention.{name}") is not None:
            return importlib.import_module(f"retention.{name}")
    raise AttributeError(f"module 'retention' has no attribute {name!r}")


__all__ = [
    "METRIC_NAMES", "CohortTable", "Dataset", "DrillDown", "Engine", "InputFile", "Lifetimes", "LoadError", "LoadResult",
    "MetricsTable", "NumpyEngine", "Query", "SegmentTable", "SnapshotModel", "build_model",
    "Workspace", "WorkspaceBusy", "WorkspaceError", "compute_metrics", "load_dataset", "open_workspace",
]
__version__ = "0.1.0"
