"""The metric engine: snapshot matrix (§2) and per-period metrics (§3–§5)."""

from retention.engine.metrics import METRIC_NAMES, Query, compute_metrics
from retention.engine.snapshots import SnapshotModel, build_model

__all__ = ["METRIC_NAMES", "Query", "SnapshotModel", "build_model", "compute_metrics"]
