"""Retention metrics for SaaS founders: importing, the metric engine, figures and exports.

A small API for notebooks::

    import retention
    data = retention.load_dataset("subscriptions.csv", "customers.csv")
    table = data.metrics(retention.Query(granularity="quarter", start="2019-Q1"))
    fig = retention.figures.mrr_movements(table)

    ws = retention.open_workspace("workspace")   # datasets kept between sessions, version by version
    ws.import_files("acme", subscriptions="subscriptions.csv", customers="customers.csv")
    data = ws.load("acme")

This package never imports Streamlit: the app's pages and the CLI are thin layers over it.
"""

from retention.dataset import Dataset, load_dataset
from retention.engine import METRIC_NAMES, Query, SnapshotModel, build_model, compute_metrics
from retention.importing import LoadError, LoadResult
from retention.workspace import Workspace, WorkspaceBusy, WorkspaceError, open_workspace

__all__ = [
    "METRIC_NAMES", "Dataset", "LoadError", "LoadResult", "Query", "SnapshotModel", "build_model",
    "Workspace", "WorkspaceBusy", "WorkspaceError", "compute_metrics", "load_dataset", "open_workspace",
]
__version__ = "0.1.0"
