"""What a forecast reads from the engine: both cohort triangles, the monthly metrics, the model.

One place builds these for the CLI and the report, so they always ask the engine the same
questions (customers basis for survival, revenue basis for money, monthly metrics over the whole
history for the MRR forecast's trailing window and ARPA).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.dataset import Dataset
from retention.engine.cohorts import CohortTable, cohort_table
from retention.engine.metrics import Query, compute_metrics, segment_mask
from retention.engine.snapshots import SnapshotModel
from retention.periods import Granularity


@dataclass(frozen=True)
class ForecastInputs:
    customers: CohortTable
    revenue: CohortTable
    monthly: pd.DataFrame
    model: SnapshotModel
    subscriptions: pd.DataFrame | None
    rows: np.ndarray | None  # model rows of the segment (None = everyone)


def forecast_inputs(
    data: Dataset, granularity: Granularity, segment: tuple[str, str] | None = None, as_of: pd.Timestamp | None = None,
    gross_margin: float = 100.0,
) -> ForecastInputs:
    model = data.model(as_of)
    rows = segment_mask(model, data.customers_table, segment) if segment is not None else None
    customers = cohort_table(model, granularity, "customers", rows=rows)
    revenue = cohort_table(model, granularity, "revenue", rows=rows)
    monthly = compute_metrics(model, Query(granularity="month", segment=segment, gross_margin=gross_margin),
                              data.customers_table)
    subs = data.subscriptions.table
    if rows is not None:
        keep = set(model.customer_ids[np.asarray(rows, dtype=bool)])
        subs = subs[subs["customer_id"].astype(str).isin(keep)]
    return ForecastInputs(customers, revenue, monthly, model, subs, rows)
