"""The metric engine: one interface (`Engine`, `Query`, typed results), the in-memory reference engine.

    import → canonical tables → Engine.metrics / cohorts / lifetimes / … → MetricsTable, CohortTable, …

`NumpyEngine` keeps a snapshot matrix (§2) in memory and computes §3–§7 from it; warehouse engines
answer the same `Query` in a database.  Tests in `tests/contract/` run every engine.
"""

from retention.engine.base import Engine
from retention.engine.cohorts import CohortTable
from retention.engine.metrics import METRIC_NAMES, compute_metrics
from retention.engine.numpy_engine import NumpyEngine
from retention.engine.query import Query, Segment
from retention.engine.results import MOVEMENTS, DrillDown, Lifetimes, MetricsTable, Movement, SegmentTable
from retention.engine.snapshots import SnapshotModel, build_model

__all__ = [
    "METRIC_NAMES", "MOVEMENTS", "CohortTable", "DrillDown", "Engine", "Lifetimes", "MetricsTable", "Movement",
    "NumpyEngine", "Query", "Segment", "SegmentTable", "SnapshotModel", "build_model", "compute_metrics",
]
